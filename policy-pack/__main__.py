"""The guard rails' policy pack: builds the pack, which serves the policies.

Only this: the policies are in ``infra.guardrails.checks``, imported from the
installed ``infra`` package (never a module beside this file).
"""

from pulumi_policy import EnforcementLevel, PolicyPack

from infra.guardrails.checks import PACK_NAME, POLICIES

PolicyPack(name=PACK_NAME, policies=list(POLICIES), enforcement_level=EnforcementLevel.MANDATORY)
