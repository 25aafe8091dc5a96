"""A concern registered in the catalog brings its guard rails everywhere policies run.

The toy concern below declares a resource type of its own as production
data and writes one policy of its own, whose config comes from its checked
model. Registered in-process, it is judged by the offline check (the
policy config and ``check_plan`` that ``k8s-infra policy check`` runs),
and by the real policy pack: ``policy-pack/__main__.py`` in its own
process, with the toy registered there too, asked over gRPC as
``pulumi preview`` asks it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import grpc  # type: ignore[import-untyped]
import pytest
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2 as proto
from pulumi.runtime.proto import analyzer_pb2_grpc
from pulumi_policy import ResourceValidationArgs

from infra import catalog
from infra.core.problems import Problems
from infra.crossguard import Policy, Violation, resource_policy, text
from infra.declarations.concern import CheckContext, Checked, Concern
from infra.declarations.guardrails import GuardRails, PolicyFacts
from infra.declarations.loaded import Declarations
from infra.declarations.stacks import StackSettings
from infra.guardrails.checks import policies
from infra.guardrails.offline import check_plan
from infra.guardrails.settings import policy_config
from tests.conftest import REPO
from tests.guardrails.pack_process import PACK, served_pack

NAME = "toy-vaults"
VAULT = "toy:index/vault:Vault"
SEALED = "toy-vault-sealed"
KEEPERS = ("group:vault-keepers@example.com",)
PROJECT = "toy-vault-project"
STACK = "registry-prod"


@dataclass(frozen=True)
class ToyVaults:
    keepers: tuple[str, ...]


def _check(_context: CheckContext, _problems: Problems) -> Checked:
    return Checked(ToyVaults(KEEPERS))


def _build(_settings: StackSettings, _declarations: Declarations) -> None:
    """No stack names the toy: nothing to build."""


def _sealed(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[Violation]:
    if args.resource_type != VAULT:
        return
    keeper = text(args.props.get("sealedBy"))
    if keeper not in config.get("keepers", ()):
        yield (f"vault sealed by {keeper}, who keeps no vault", "seal it with a keeper's key")


def _policies() -> tuple[Policy, ...]:
    return (resource_policy(SEALED, "every toy vault is sealed by a keeper", _sealed,
                            {"keepers": "array"}),)  # fmt: skip


def _facts(declarations: Declarations) -> PolicyFacts:
    model = declarations.model(NAME, ToyVaults)
    keepers = list(model.keepers) if model is not None else []
    return PolicyFacts(projects=frozenset({PROJECT}), own={SEALED: {"keepers": keepers}})


TOY = Concern(
    name=NAME,
    summary="toy vaults, for the guard rails' tests",
    check=_check,
    build=_build,
    guardrails=GuardRails(policies=_policies, facts=_facts, production=frozenset({VAULT})),
)


def vault(name: str, sealed_by: str, *, protect: bool) -> dict[str, Any]:
    return {
        "urn": f"urn:pulumi:{STACK}::k8s-infra::{VAULT}::{name}", "type": VAULT, "name": name,
        "custom": True, "mode": "managed", "parent": None, "provider": None, "protect": protect,
        "retain_on_delete": False, "depends_on": [], "inputs": {"sealedBy": sealed_by},
    }  # fmt: skip


OPEN = vault("open", "user:someone@example.com", protect=False)
KEPT = vault("kept", KEEPERS[0], protect=True)


@pytest.fixture
def config(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The toy registered, and the policy config made from the repository's declarations."""
    monkeypatch.setattr(catalog, "CONCERNS", (*catalog.CONCERNS, TOY))
    problems = Problems()
    made = policy_config(REPO, problems)
    assert not problems.has_errors, [p.format() for p in problems]
    return made


def test_the_config_holds_what_the_toy_tells_from_its_model(config: dict[str, Any]) -> None:
    assert config[SEALED] == {"keepers": list(KEEPERS)}
    assert PROJECT in config["member-sources"]["projects"]
    assert SEALED in [p.name for p in policies()]
    assert SEALED not in [p.name for p in policies(catalog.CONCERNS[:-1])]


def test_the_offline_check_runs_the_toy_policy_and_a_generic_one_on_its_type(
    config: dict[str, Any],
) -> None:
    plan = {"stack": STACK, "resources": [OPEN, KEPT], "outputs": {}}
    found = {(v.policy, v.name, v.unknown) for v in check_plan(plan, config)}
    assert found == {(SEALED, "open", False), ("production-data-protected", "open", False)}
    # the generic rail judges the vault only because the toy declared its type
    without_toy = policies(catalog.CONCERNS[:-1])
    assert [v.policy for v in check_plan(plan, config, without_toy)] == []


def _struct(values: Mapping[str, Any]) -> struct_pb2.Struct:
    return json_format.ParseDict(dict(values), struct_pb2.Struct())


# The pack's entry point run as the CLI runs it, with the toy registered first.
BOOTSTRAP = """
import runpy, sys
from infra import catalog
from tests.toy.test_guardrails import TOY
catalog.CONCERNS = (*catalog.CONCERNS, TOY)
runpy.run_path(sys.argv[1], run_name="__main__")
"""


@pytest.mark.e2e  # starts the pack process
def test_the_pack_served_for_a_preview_runs_the_toy_policy(config: dict[str, Any]) -> None:
    command = [sys.executable, "-c", BOOTSTRAP, str(PACK / "__main__.py")]
    with (
        served_pack(command, {"PYTHONPATH": str(REPO)}) as (_process, port),
        grpc.insecure_channel(f"127.0.0.1:{port}") as channel,
    ):
        analyzer = analyzer_pb2_grpc.AnalyzerStub(channel)
        info = analyzer.GetAnalyzerInfo(empty_pb2.Empty())
        assert SEALED in [p.name for p in info.policies]
        analyzer.Configure(proto.ConfigureAnalyzerRequest(policyConfig={
            name: proto.PolicyConfig(enforcementLevel=proto.MANDATORY,
                                     properties=_struct(values))
            for name, values in config.items()
        }))  # fmt: skip
        found = {}
        for r in (OPEN, KEPT):
            options = proto.AnalyzerResourceOptions(protect=r["protect"])
            response = analyzer.Analyze(proto.AnalyzeRequest(
                type=VAULT, properties=_struct(r["inputs"]), urn=r["urn"], name=r["name"],
                options=options))  # fmt: skip
            found[r["name"]] = {d.policyName for d in response.diagnostics}
    assert found == {"open": {SEALED, "production-data-protected"}, "kept": set()}
