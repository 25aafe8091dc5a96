"""The offline check and the policy pack agree: same violations, same unknowns.

The pack side is pulumi-policy's own analyzer service (the object a
``PolicyPack`` serves over gRPC, here called in-process, no server): it
gets the inputs as the engine sends them, a protobuf Struct in which an
unknown is the engine's sentinel string, wraps them in its unknown-checking
proxy and reports diagnostics. The offline side is ``check_plan``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2 as proto
from pulumi_policy import EnforcementLevel
from pulumi_policy.policy import _PolicyAnalyzerServicer

from infra.core.problems import Problems
from infra.guardrails.checks import PACK_NAME, policies
from infra.guardrails.offline import as_engine_values, check_plan
from infra.guardrails.settings import policy_config
from tests.conftest import REPO
from tests.guardrails.inventories import ARMOR_LINK, CASES, CONFIG, UNKNOWN, proxy

UNRUN = "during preview: "
Key = tuple[str, str, str, bool]  # policy, urn, message, not evaluated


def _struct(values: dict[str, Any]) -> struct_pb2.Struct:
    return json_format.ParseDict(as_engine_values(values), struct_pb2.Struct())


def pack_verdicts(plan: dict[str, Any], config: dict[str, Any]) -> set[Key]:
    # the SDK's gRPC servicer has no annotations
    servicer: Any = _PolicyAnalyzerServicer(PACK_NAME, "0.0.1", list(policies()),
                                       EnforcementLevel.MANDATORY)  # fmt: skip
    servicer.Configure(proto.ConfigureAnalyzerRequest(policyConfig={
        name: proto.PolicyConfig(enforcementLevel=proto.MANDATORY, properties=_struct(values))
        for name, values in config.items()
    }), None)  # fmt: skip
    found: set[Key] = set()
    for r in plan["resources"]:
        options = proto.AnalyzerResourceOptions(protect=r["protect"], parent=r["parent"] or "")
        response = servicer.Analyze(proto.AnalyzeRequest(
            type=r["type"], properties=_struct(r["inputs"]), urn=r["urn"], name=r["name"],
            options=options), None)  # fmt: skip
        found |= {_key(d, r["urn"]) for d in response.diagnostics}
    stack = servicer.AnalyzeStack(proto.AnalyzeStackRequest(resources=[
        proto.AnalyzerResource(
            type=r["type"], properties=_struct(r["inputs"]), urn=r["urn"], name=r["name"],
            options=proto.AnalyzerResourceOptions(protect=r["protect"]), parent=r["parent"] or "",
            dependencies=r["depends_on"])
        for r in plan["resources"]
    ]), None)  # fmt: skip
    return found | {_key(d, "") for d in stack.diagnostics}


def _key(diagnostic: Any, urn: str) -> Key:
    message = diagnostic.message
    if UNRUN in message and diagnostic.enforcementLevel == proto.ADVISORY:
        return (diagnostic.policyName, diagnostic.urn or urn, message.split(UNRUN, 1)[1], True)
    assert diagnostic.enforcementLevel == proto.MANDATORY
    return (diagnostic.policyName, diagnostic.urn or urn, message.split("\n", 1)[1], False)


def offline_verdicts(plan: dict[str, Any], config: dict[str, Any]) -> set[Key]:
    return {(v.policy, v.urn, v.message, v.unknown) for v in check_plan(plan, config)}


def _unknowns() -> dict[str, Any]:
    plan = proxy(ARMOR_LINK)
    plan["resources"][0]["inputs"]["template"]["containers"][0]["image"] = UNKNOWN
    plan["resources"][3]["inputs"]["securityPolicy"] = UNKNOWN
    return plan


FIXTURES = {
    **{f"{c.policy}-passing": c.passing for c in CASES},
    **{f"{c.policy}-violating": c.violating for c in CASES},
    "unknowns": _unknowns(),
}


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_offline_and_pack_agree(name: str) -> None:
    plan = copy.deepcopy(FIXTURES[name])
    offline = offline_verdicts(plan, CONFIG)
    assert offline == pack_verdicts(plan, CONFIG)
    assert bool(offline) == (not name.endswith("-passing"))


def test_unknowns_are_not_evaluated_in_both() -> None:
    found = pack_verdicts(_unknowns(), CONFIG)
    assert {(policy, unknown) for policy, _, _, unknown in found} == {
        ("proxy-image-pinned", True), ("proxy-behind-armor", True)}  # fmt: skip


def test_the_shipped_proxy_passes_in_both(repo_plan: Callable[[str], dict[str, Any]]) -> None:
    config = policy_config(Path(REPO), Problems())
    plan = repo_plan("registry-prod")
    assert offline_verdicts(plan, config) == pack_verdicts(plan, config) == set()
    broken = copy.deepcopy(plan)
    for r in broken["resources"]:
        if r["type"] == "gcp:compute/globalAddress:GlobalAddress":
            r["protect"] = False
    found = pack_verdicts(broken, config)
    assert found == offline_verdicts(broken, config)
    assert {policy for policy, *_ in found} == {"production-data-protected"}
