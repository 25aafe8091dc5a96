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
    assert leads["email"] == "Leads@Example.org"
    assert leads["members"] == ["a@example.org"]
    assert leads["reconcileMembers"] is True
    assert "__provider" not in leads


def test_no_group_means_no_resource() -> None:
    assert record(lambda: GoogleGroups("groups", GoogleGroupsArgs(()))) == {}
