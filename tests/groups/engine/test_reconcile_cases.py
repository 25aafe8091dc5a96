"""Upstream's reconcile cases, run through google-api-python-client against the fake server.

After each run the fake's groups, (address, role) pairs and settings (defaults
filled in) must equal the declarations, and a second run must find nothing to do.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from infra.groups.engine.apis import GoogleApis
from infra.groups.engine.reconcile import Options, compare_all
from infra.groups.model import Group, GroupsTree
from infra.groups.settings_table import desired_settings
from tests.fake_google import FakeGoogle
from tests.groups.engine.helpers import group, sync

G = "sig-test@example.com"
ALICE, BOB, CAROL, DAVE = (f"{n}@example.com" for n in ("alice", "bob", "carol", "dave"))


def roles_of(declared: Group) -> dict[str, str]:
    return {m.email.lower(): m.role for m in declared.memberships()}


def assert_converged(
    fake: FakeGoogle, apis: GoogleApis, options: Options, *declared: Group
) -> None:
    for wanted in declared:
        live = fake.workspace.by_email(wanted.email)
        assert live.roles() == roles_of(wanted)
        assert live.name == wanted.name
        expected = desired_settings(wanted.settings)
        assert {k: live.settings.get(k) for k in expected} == expected
    again = compare_all(apis, GroupsTree(declared), options)
    assert again.changes == ()


def seed(fake: FakeGoogle, **roles: Any) -> None:
    """The group as it is live, with the settings the declaration implies."""
    fake.workspace.add_group(G, "sig-test", settings=desired_settings({}), **roles)


def test_no_op_changes_nothing(fake: FakeGoogle, apis: GoogleApis, options: Options) -> None:
    seed(fake, owners=(ALICE,), members=(BOB,))
    declared = group(G, owners=(ALICE,), members=(BOB,))
    report = sync(apis, options, declared)
    assert report.compared.changes == ()
    assert [m for m, _ in fake.counters.log if m != "GET"] == []
    assert_converged(fake, apis, options, declared)


def test_add_owner_and_manager(fake: FakeGoogle, apis: GoogleApis, options: Options) -> None:
    seed(fake, members=(BOB,))
    declared = group(G, owners=(ALICE,), managers=(CAROL,), members=(BOB,))
    report = sync(apis, options, declared)
    assert {(c.kind, c.field_or_member, c.role) for c in report.applied} == {
        ("add_member", ALICE, "OWNER"),
        ("add_member", CAROL, "MANAGER"),
    }
    assert_converged(fake, apis, options, declared)


def test_remove_owner_and_manager(fake: FakeGoogle, apis: GoogleApis, options: Options) -> None:
    seed(fake, owners=(ALICE,), managers=(CAROL,), members=(BOB,))
    declared = group(G, members=(BOB,))
    report = sync(apis, options, declared)
    assert {(c.kind, c.field_or_member, c.old) for c in report.applied} == {
        ("remove_member", ALICE, "OWNER"),
        ("remove_member", CAROL, "MANAGER"),
    }
    assert_converged(fake, apis, options, declared)


def test_remove_manager_and_add_member(
    fake: FakeGoogle, apis: GoogleApis, options: Options
) -> None:
    seed(fake, owners=(ALICE,), managers=(CAROL,))
    declared = group(G, owners=(ALICE,), members=(DAVE,))
    sync(apis, options, declared)
    assert_converged(fake, apis, options, declared)


def test_extra_member_removed_when_reconcile_members_is_true(
    fake: FakeGoogle, apis: GoogleApis, options: Options
) -> None:
    seed(fake, owners=(ALICE,), members=(BOB, DAVE))
    declared = group(G, owners=(ALICE,), members=(BOB,), reconcile=True)
    report = sync(apis, options, declared)
    assert [(c.kind, c.field_or_member) for c in report.applied] == [("remove_member", DAVE)]
    assert_converged(fake, apis, options, declared)


def test_extra_member_kept_when_reconcile_members_is_false(
    fake: FakeGoogle, apis: GoogleApis, options: Options
) -> None:
    seed(fake, owners=(ALICE,), members=(BOB, DAVE))
    declared = group(G, owners=(ALICE,), members=(BOB,))
    report = sync(apis, options, declared)
    assert report.applied == ()
    assert fake.workspace.by_email(G).roles() == {
        ALICE: "OWNER",
        BOB: "MEMBER",
        DAVE: "MEMBER",
    }


def test_new_group_with_all_three_roles(
    fake: FakeGoogle, apis: GoogleApis, options: Options
) -> None:
    declared = group(
        G,
        owners=(ALICE,),
        managers=(CAROL,),
        members=(BOB, DAVE),
        settings={"WhoCanJoin": "CAN_REQUEST_TO_JOIN", "WhoCanPostMessage": "ANYONE_CAN_POST"},
        description="Members of the test SIG",
    )
    report = sync(apis, options, declared)
    assert report.failures == ()
    assert report.applied[0].kind == "create_group"
    assert fake.workspace.by_email(G).description == "Members of the test SIG"
    assert_converged(fake, apis, options, declared)


def test_move_member_to_owner_and_owner_to_member(
    fake: FakeGoogle, apis: GoogleApis, options: Options
) -> None:
    seed(fake, owners=(ALICE,), members=(BOB,))
    declared = group(G, owners=(BOB,), members=(ALICE,))
    report = sync(apis, options, declared)
    assert {(c.kind, c.field_or_member, c.old, c.new) for c in report.applied} == {
        ("change_role", BOB, "MEMBER", "OWNER"),
        ("change_role", ALICE, "OWNER", "MEMBER"),
    }
    assert_converged(fake, apis, options, declared)


def test_member_address_in_another_case_is_the_same_member(
    fake: FakeGoogle, apis: GoogleApis, options: Options
) -> None:
    seed(fake, owners=(ALICE,), members=("Bob.Smith@Example.com",))
    declared = group(G, owners=("ALICE@example.com",), members=("bobsmith@example.com",))
    report = sync(
        apis,
        options,
        declared,
    )
    assert report.compared.changes == ()


def test_name_description_and_settings_follow_the_file(
    fake: FakeGoogle, apis: GoogleApis, options: Options
) -> None:
    fake.workspace.add_group(G, "old name", "old description", owners=(ALICE,))
    declared = group(
        G,
        owners=(ALICE,),
        description="new description",
        settings={"WhoCanJoin": "ANYONE_CAN_JOIN"},
    )
    report = sync(apis, options, declared)
    kinds = {(c.kind, c.field_or_member) for c in report.applied}
    assert ("update_group", "name") in kinds
    assert ("update_group", "description") in kinds
    assert ("update_setting", "whoCanJoin") in kinds
    live = fake.workspace.by_email(G)
    assert (live.name, live.description) == ("sig-test", "new description")
    assert live.settings["whoCanJoin"] == "ANYONE_CAN_JOIN"
    # A setting upstream never wrote keeps the group's value when the file leaves it out.
    assert live.settings["allowWebPosting"] == "true"
    assert_converged(fake, apis, options, declared)


def test_addresses_in_any_case_are_written_in_lowercase(
    fake: FakeGoogle, apis: GoogleApis, options: Options
) -> None:
    """As Google stores them: what is written is what a later read returns."""
    seed(fake, members=(BOB,))
    declared = replace(
        group("SIG-Test@Example.com", owners=("Alice@Example.com",), members=("BOB@example.com",)),
        name="sig-test",
    )
    report = sync(apis, options, declared)
    assert {(c.group, c.kind, c.field_or_member) for c in report.applied} == {
        (G, "add_member", ALICE),
    }
    live = fake.workspace.by_email(G)
    assert sorted(m.email for m in live.members) == [ALICE, BOB]
    assert compare_all(apis, GroupsTree((declared,)), options).changes == ()
    created = group("New-Group@Example.com", members=("Carol@Example.com",))
    sync(apis, options, created)
    assert "new-group@example.com" in {g.email for g in fake.workspace.groups.values()}
    assert [m.email for m in fake.workspace.by_email("new-group@example.com").members] == [CAROL]
