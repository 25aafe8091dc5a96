"""Google Groups as Pulumi resources: a dynamic provider over the groups engine."""
