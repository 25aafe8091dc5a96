"""What every command shares, the application's and the concerns' alike.

The output discipline and error boundary (``output``), the data root handed
to each command (``context``), the progress of offline plans (``progress``)
and what a concern's command may ask of the engines (``operations``). It
sits below the concerns, so their commands never import the application.
"""
