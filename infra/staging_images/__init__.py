"""The shared staging registry project ``k8s-staging-images`` and its
neighbours (the ``staging-images`` section of infra.yaml), as its Terraform made them.

``model`` reads and checks the declarations (no Pulumi), ``component`` is the
Pulumi component of one registry project, ``build`` instantiates them,
``concern`` is the catalog entry.
"""
