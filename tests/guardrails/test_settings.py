"""The policy config made from the repository's declarations, and the shipped plans under it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from infra.core.problems import Problems
from infra.declarations.stacks import stack_names
from infra.guardrails.offline import check_plan
from infra.guardrails.settings import policy_config
from tests.conftest import REPO


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    problems = Problems()
    made = policy_config(REPO, problems)
    assert not problems.has_errors, [p.format() for p in problems]
    return made


def test_config_comes_from_the_declarations(config: dict[str, Any]) -> None:
    sources = config["member-sources"]
    assert "k8s-infra-artifact-admins@kubernetes.io" in sources["groups"]
    assert {"k8s-staging-kueue", "k8s-artifacts-prod", "k8s-infra-oci-proxy-prod"} <= set(
        sources["projects"]
    )
    assert set(sources["pools"]) == {"k8s-infra-prow-build", "k8s-infra-prow-build-trusted"}
    # a cross-project account infra.yaml names, and a bare workload identity it writes
    assert (
        "serviceAccount:prow-build@k8s-infra-prow-build.iam.gserviceaccount.com"
        in (sources["listed"])
    )
    assert (
        "serviceAccount:k8s-infra-prow-build.svc.id.goog[test-pods/image-tester]"
        in (sources["listed"])
    )
    assert not any(m.startswith("group:") for m in sources["listed"])
    assert config["no-scanning-apis"]["refused"] == [
        "containeranalysis.googleapis.com", "containerscanning.googleapis.com",
        "ondemandscanning.googleapis.com"]  # fmt: skip
    assert config["production-data-protected"]["mirror_projects"] == ["k8s-artifacts-prod"]
    declared = {(d["stack"], d["role"]) for d in config["public-grants"]["declared"]}
    assert ("registry-prod", "roles/run.invoker") in declared
    assert ("registry-mirrors", "roles/artifactregistry.reader") in declared


def test_owners_named_in_declarations_are_allowed(config: dict[str, Any]) -> None:
    assert config["privileged-roles"]["allowed"] == [
        "group:k8s-infra-oci-proxy-admins@kubernetes.io",
        "group:k8s-infra-release-admins@kubernetes.io",
    ]


@pytest.mark.parametrize("stack", stack_names(REPO))
def test_every_shipped_stack_passes(
    stack: str, config: dict[str, Any], repo_plan: Callable[[str], dict[str, Any]]
) -> None:
    plan = repo_plan(stack)
    assert [v.line() for v in check_plan(plan, config)] == []
