"""Adopting the live estate: import ids from the plan, the id map the program reads.

``ids`` says, per Pulumi resource type, whether a first ``up`` imports the
live resource (and under which id) or creates it idempotently; ``imports``
is the program's side: it reads the id map ``k8s-infra adopt`` writes and
sets the ``import`` option by URN. No Pulumi import in ``ids``.
"""
