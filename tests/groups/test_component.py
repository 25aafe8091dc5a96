"""The groups component's rules, in this process: one retained resource per group."""

from __future__ import annotations

from infra.groups.component import GoogleGroups, GoogleGroupsArgs
from infra.groups.model import Group
from tests.components import record


def group(email: str, *members: str) -> Group:
    return Group(email, email.split("@", maxsplit=1)[0].lower(), "", {}, True, members=members)


def test_each_group_is_retained_and_keyed_by_its_lowercased_address() -> None:
    groups = (group("Leads@Example.org", "a@example.org"), group("k8s-infra-x@example.org"))
    resources = record(lambda: GoogleGroups("groups", GoogleGroupsArgs(groups)))
    assert set(resources) == {"groups-leads@example.org", "groups-k8s-infra-x@example.org"}
    assert all(r["retain_on_delete"] and not r["protect"] for r in resources.values())
    leads = resources["groups-leads@example.org"]["inputs"]
    assert leads["email"] == "leads@example.org"
    assert leads["members"] == ["a@example.org"]
    assert leads["reconcileMembers"] is True
    assert "__provider" not in leads


def test_no_group_means_no_resource() -> None:
    assert record(lambda: GoogleGroups("groups", GoogleGroupsArgs(()))) == {}


def test_addresses_are_planned_in_lowercase_each_once() -> None:
    """As Google stores them: after adoption, a refresh reads back the same inputs."""
    declared = Group(
        "SIG-X@Example.org",
        "sig-x",
        "",
        {},
        True,
        owners=("Owner@Example.org",),
        managers=("owner@example.org", "Boss@Example.org"),
        members=("A.B@Example.org", "a.b@example.org", "c@example.org"),
    )
    resources = record(lambda: GoogleGroups("groups", GoogleGroupsArgs((declared,))))
    inputs = resources["groups-sig-x@example.org"]["inputs"]
    assert inputs["email"] == "sig-x@example.org"
    assert inputs["owners"] == ["owner@example.org"]
    assert inputs["managers"] == ["boss@example.org"]
    assert inputs["members"] == ["a.b@example.org", "c@example.org"]
