"""The guard rails' policy pack: builds the pack, which serves the policies.

Only this: the policies are ``infra.guardrails.checks.policies()``, the
generic ones and every catalogued concern's own, imported from the installed
``infra`` package (never a module beside this file).
"""

from pulumi_policy import EnforcementLevel, PolicyPack

from infra.guardrails.checks import PACK_NAME, policies

PolicyPack(name=PACK_NAME, policies=list(policies()), enforcement_level=EnforcementLevel.MANDATORY)
