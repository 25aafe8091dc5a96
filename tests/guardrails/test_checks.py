"""Each guard rail passes its passing inventory and fails its violating one, offline."""

from __future__ import annotations

import copy

import pytest

from infra.guardrails.checks import policies
from infra.guardrails.offline import check_plan
from tests.guardrails.inventories import (
    ARMOR_LINK,
    CASES,
    CONFIG,
    PROJECT_MEMBER,
    REPO_MEMBER,
    UNKNOWN,
    Case,
    grant,
    plan,
    proxy,
    resource,
)

NAMES = [c.policy for c in CASES]


def test_every_policy_has_a_case() -> None:
    assert sorted(NAMES) == sorted(p.name for p in policies())


@pytest.mark.parametrize("case", CASES, ids=NAMES)
def test_passing_inventory_passes_every_policy(case: Case) -> None:
    assert [v.line() for v in check_plan(case.passing, CONFIG)] == []


@pytest.mark.parametrize("case", CASES, ids=NAMES)
def test_violating_inventory_fails_its_policy(case: Case) -> None:
    found = [v for v in check_plan(case.violating, CONFIG) if v.policy == case.policy]
    assert found, f"{case.policy} found nothing"
    assert not any(v.unknown for v in found)
    assert any(case.violation in v.message for v in found), [v.line() for v in found]
    for verdict in found:  # one line naming stack, resource, policy and fix
        assert verdict.line().startswith(f"registry-prod: {verdict.name}: [{case.policy}] ")
        assert "(fix: " in verdict.line()


def test_every_violating_grant_is_reported() -> None:
    members = next(c for c in CASES if c.policy == "member-sources")
    found = {v.name for v in check_plan(members.violating, CONFIG) if v.policy == "member-sources"}
    assert found == {"a", "b", "c", "d"}
    public = next(c for c in CASES if c.policy == "public-grants")
    messages = [v.message for v in check_plan(public.violating, CONFIG)]
    assert any("not declared public" in m for m in messages), messages


def test_container_analysis_agent_is_named() -> None:
    members = next(c for c in CASES if c.policy == "member-sources")
    found = [v.message for v in check_plan(members.violating, CONFIG)
             if v.name == "c" and v.policy == "member-sources"]  # fmt: skip
    assert found and "container analysis service agent" in found[0]


def test_the_scanning_agent_role_is_refused_to_anyone() -> None:
    granted = plan(grant(PROJECT_MEMBER, "agent", "group:admins@kubernetes.io",
                         "roles/containeranalysis.ServiceAgent"))  # fmt: skip
    found = [v.line() for v in check_plan(granted, CONFIG)]
    assert found == [
        "registry-prod: agent: [no-scanning-apis] grants roles/containeranalysis.ServiceAgent: "
        "no scanning runs here, so no agent needs it (fix: remove the grant (upstream removed "
        "every holder in staging))"
    ]


def test_a_public_grant_is_declared_per_stack() -> None:
    other = copy.deepcopy(CONFIG)
    for entry in other["public-grants"]["declared"]:
        entry["stack"] = "staging"
    granted = plan(grant(REPO_MEMBER, "images-public-read", "allUsers",
                         "roles/artifactregistry.reader"))  # fmt: skip
    assert [v.policy for v in check_plan(granted, other)] == ["public-grants"]


def test_without_config_every_public_grant_and_group_fails() -> None:
    """A pack run without the generated config refuses rather than lets through."""
    granted = plan(
        grant(REPO_MEMBER, "images-public-read", "allUsers", "roles/artifactregistry.reader"),
        grant(PROJECT_MEMBER, "a", "group:admins@kubernetes.io", "roles/viewer"),
    )
    assert {v.policy for v in check_plan(granted, {})} == {"public-grants", "member-sources"}


def test_an_unknown_value_is_not_evaluated_never_passed_or_failed() -> None:
    unknown_member = grant(PROJECT_MEMBER, "a", "user:x@example.com", "roles/owner")
    unknown_member["inputs"]["member"] = UNKNOWN
    fronted = proxy(ARMOR_LINK)
    fronted["resources"][0]["inputs"]["template"]["containers"][0]["image"] = {"$secret": True}
    verdicts = check_plan(plan(unknown_member, *fronted["resources"]), CONFIG)
    assert {(v.name, v.policy) for v in verdicts} == {
        ("a", "public-grants"),
        ("a", "privileged-roles"),
        ("a", "member-sources"),
        ("proxy", "proxy-image-pinned"),
    }
    assert all(v.unknown for v in verdicts)
    assert "not evaluated: unknown" in verdicts[0].line()


def test_an_unknown_value_stops_a_stack_policy_as_a_whole() -> None:
    fronted = proxy("ARMOR")
    fronted["resources"][3]["inputs"]["securityPolicy"] = UNKNOWN
    verdicts = check_plan(fronted, CONFIG)
    assert [(v.policy, v.unknown) for v in verdicts] == [("proxy-behind-armor", True)]


def test_unknowns_elsewhere_do_not_stop_a_policy() -> None:
    """Only the values a policy reads matter: an unknown label does not."""
    bucket = resource("gcp:storage/bucket:Bucket", "b",
                      {"uniformBucketLevelAccess": True, "labels": UNKNOWN})  # fmt: skip
    assert check_plan(plan(bucket), CONFIG) == []
    viewer = grant(PROJECT_MEMBER, "v", "user:x@example.com", "roles/viewer")
    viewer["inputs"]["member"] = UNKNOWN
    assert "privileged-roles" not in {v.policy for v in check_plan(plan(viewer), CONFIG)}
