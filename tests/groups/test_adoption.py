"""The first `up groups` adopts the groups the old reconciler made: none is made twice.

Groups are dynamic resources, which Pulumi cannot import; their create is
create-or-adopt. Here every group the groups stack plans already lives on
the fake server (with the drift a hand or the old job left), and each
planned resource's create runs with the inputs the program gives it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from infra.groups.provider import GroupProvider
from tests.fake_google import FakeGoogle

STRANGER = "stranger@example.com"


def test_the_first_up_adopts_every_live_group_and_creates_none(
    fake: FakeGoogle, repo_plan: Callable[[str], dict[str, Any]]
) -> None:
    planned = [
        r["inputs"] for r in repo_plan("groups")["resources"] if r["type"].startswith("pulumi-")
    ]
    live = {
        p["email"]: fake.workspace.add_group(p["email"], "name set by hand", members=(STRANGER,))
        for p in planned
    }
    undeclared = fake.workspace.add_group("old-team@kubernetes.io", "old", members=(STRANGER,))
    provider = GroupProvider()
    for inputs in planned:
        result = provider.create(inputs)
        assert result.id == live[inputs["email"]].id, inputs["email"]
    # adopted in place: no second group of any address, the undeclared one untouched
    assert len(fake.workspace.groups) == len(planned) + 1
    assert undeclared.roles() == {STRANGER: "MEMBER"}
    for inputs in planned:
        group = live[inputs["email"]]
        declared = {m.lower() for key in ("owners", "managers", "members") for m in inputs[key]}
        if inputs["reconcileMembers"]:
            assert set(group.roles()) == declared, inputs["email"]
        else:  # members are left as they are; owners and managers are the declared ones
            assert declared <= set(group.roles())
        if inputs["name"]:
            assert group.name == inputs["name"]
