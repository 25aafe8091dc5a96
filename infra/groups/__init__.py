"""Google Groups declared under ``groups/`` (upstream's format), as the Go reconciler managed them.

Declarations: ``model`` (Group, GroupsTree), ``loader`` (the files),
``rules``, ``restrictions``, ``doublestar``, ``addresses``,
``settings_table``, ``estate_checks``, ``access`` (how the engine reaches
Google). No Pulumi in any of these.

``engine/`` reconciles a Workspace with the declarations through the Google
APIs; ``provider``, ``resource`` and ``component`` put it under Pulumi;
``build`` instantiates them for a stack; ``concern`` is the catalog entry.
"""
