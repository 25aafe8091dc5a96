"""The files every concern reads: ``infra/infra.yaml`` and ``stacks/Pulumi.<stack>.yaml``.

No Pulumi here; which keys a section or a stack may hold comes from the
catalog, handed in by the caller.
"""
