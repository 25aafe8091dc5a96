"""Per-project staging: one ``k8s-staging-<name>`` project per subproject
(the ``staging`` section of infra.yaml), as ``ensure-staging-storage.sh`` made them.

``model`` reads and checks the declarations (no Pulumi), ``component`` is the
Pulumi component of one project, ``build`` instantiates them for a stack,
``concern`` is the catalog entry.
"""
