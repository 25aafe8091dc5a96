"""What every concern shares and nothing else owns: problems and errors, YAML
read with positions, typed reads with leaf checks, derived names and IAM forms.

No Pulumi here.
"""
