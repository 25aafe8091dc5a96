"""Who can do what: every grant of the offline plans, groups expanded to their members.

``grant.py`` is one grant as a plan states it; ``extractors.py`` reads grants
from resource inputs (each concern declares, in its resource facts, which of
its resource types grant what); ``model.py`` collects them across stacks,
applies authoritative bindings and expands groups; ``diff.py`` compares two
models; ``render.py`` writes lines for people (text or Markdown);
``queries.py`` answers `access of` and `access on`; ``plans.py`` finds the
plans (from the cache, or against a base).
"""
