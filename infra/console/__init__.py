"""The terminal every command shares, the application's and the concerns' alike.

The output discipline and error boundary (``output``) and the progress of
offline plans (``progress``). It stands on ``infra.core`` alone; what the
application hands a concern's commands is ``infra.declarations.application``.
"""
