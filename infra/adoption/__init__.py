"""Adopting the live estate: import ids from the plan, the id map the program reads.

``ids`` says, per Pulumi resource type, whether a first ``up`` imports the
live resource (and under which id) or creates it idempotently; ``imports``
is the program's side: it reads the id map ``k8s-infra adopt`` writes and
sets the ``import`` option by URN; ``steps`` reads what the import preview
would do with each resource, from the engine's events, and ``accepted``
holds the differences a review accepted. No Pulumi import in ``ids``,
``steps`` or ``accepted``.
"""
