"""The dynamic provider's CRUD methods against the fake server, and its pickling."""

from __future__ import annotations

import base64
import json

import dill
import pytest
from pulumi.dynamic import Config, ConfigureRequest
from pulumi.dynamic.dynamic import serialize_provider

from infra.core.environment import GOOGLE_API_ENDPOINT_ENV
from infra.core.errors import CredentialsMissing
from infra.groups.provider import GroupProvider, group_from_inputs, group_inputs
from infra.groups.settings_table import desired_settings
from tests.fake_google import FakeGoogle
from tests.groups.engine.helpers import group

G = "sig-test@example.com"
ALICE, BOB, CAROL = "alice@example.com", "bob@example.com", "carol@example.com"


def props(**roles: tuple[str, ...]) -> dict[str, object]:
    declared = group(G, settings={"WhoCanJoin": "ANYONE_CAN_JOIN"}, **roles)  # type: ignore[arg-type]
    return group_inputs(declared, desired_settings(declared.settings))


def test_inputs_round_trip_to_the_same_declaration() -> None:
    declared = group(G, owners=(ALICE,), members=(BOB,), reconcile=True, description="d")
    back = group_from_inputs(group_inputs(declared, desired_settings(declared.settings)))
    assert back.memberships() == declared.memberships()
    assert desired_settings(back.settings) == desired_settings(declared.settings)
    assert (back.email, back.name, back.description, back.reconcile_members) == (
        G,
        "sig-test",
        "d",
        True,
    )


def test_create_makes_a_new_group(fake: FakeGoogle) -> None:
    result = GroupProvider().create(props(owners=(ALICE,), members=(BOB,)))
    live = fake.workspace.by_email(G)
    assert result.id == live.id
    assert result.outs is not None and result.outs["groupId"] == live.id
    assert live.roles() == {ALICE: "OWNER", BOB: "MEMBER"}
    assert live.settings["whoCanJoin"] == "ANYONE_CAN_JOIN"


def test_create_adopts_an_existing_group(fake: FakeGoogle) -> None:
    existing = fake.workspace.add_group(G, "old name", owners=(CAROL,), members=(BOB,))
    result = GroupProvider().create(props(owners=(ALICE,), members=(BOB,)))
    assert result.id == existing.id
    assert len(fake.workspace.groups) == 1
    assert existing.roles() == {ALICE: "OWNER", BOB: "MEMBER"}
    assert existing.name == "sig-test"


def test_update_reconciles_against_live_state_not_old_inputs(fake: FakeGoogle) -> None:
    provider = GroupProvider()
    created = provider.create(props(owners=(ALICE,)))
    fake.workspace.by_email(G).members.clear()  # drift made by hand
    result = provider.update(
        created.id, props(owners=(ALICE,)), props(owners=(ALICE,), managers=(CAROL,))
    )
    assert result.outs is not None and result.outs["managers"] == [CAROL]
    assert fake.workspace.by_email(G).roles() == {ALICE: "OWNER", CAROL: "MANAGER"}


def test_read_shows_the_managed_view_of_the_live_group(fake: FakeGoogle) -> None:
    provider = GroupProvider()
    created = provider.create(props(owners=(ALICE,)))
    live = fake.workspace.by_email(G)
    live.members.append(fake.workspace.new_member(BOB, "MEMBER"))  # joined an open list
    live.members.append(fake.workspace.new_member(CAROL, "MANAGER"))  # made manager by hand
    live.settings["whoCanJoin"] = "INVITED_CAN_JOIN"
    read = provider.read(created.id, created.outs or {})
    assert read.id == live.id
    assert read.outs is not None
    assert (read.outs["owners"], read.outs["managers"], read.outs["members"]) == (
        [ALICE],
        [CAROL],
        [],
    )
    assert read.outs["settings"]["whoCanJoin"] == "INVITED_CAN_JOIN"


def test_read_keeps_an_undeclared_name_and_description_untouched(fake: FakeGoogle) -> None:
    """An empty name or description is not managed: a refresh shows no change for them."""
    provider = GroupProvider()
    inputs = {**props(owners=(ALICE,)), "name": "", "description": ""}
    created = provider.create(inputs)
    live = fake.workspace.by_email(G)
    live.name, live.description = "Set in the console", "Written by hand"
    read = provider.read(created.id, created.outs or {})
    assert read.outs is not None
    assert (read.outs["name"], read.outs["description"]) == ("", "")
    assert provider.diff(created.id, read.outs, inputs).changes is False


def test_read_shows_drift_of_a_declared_name_and_description(fake: FakeGoogle) -> None:
    provider = GroupProvider()
    inputs = {**props(owners=(ALICE,)), "description": "d"}
    created = provider.create(inputs)
    live = fake.workspace.by_email(G)
    assert (live.name, live.description) == ("sig-test", "d")
    live.name, live.description = "renamed", "changed by hand"
    read = provider.read(created.id, created.outs or {})
    assert read.outs is not None
    assert (read.outs["name"], read.outs["description"]) == ("renamed", "changed by hand")
    diff = provider.diff(created.id, read.outs, inputs)
    assert diff.changes is True and diff.replaces == []


def test_read_of_a_deleted_group_drops_it(fake: FakeGoogle) -> None:
    provider = GroupProvider()
    created = provider.create(props(owners=(ALICE,)))
    fake.workspace.groups.clear()
    assert provider.read(created.id, created.outs or {}).id is None


def test_delete_never_deletes_the_group(fake: FakeGoogle) -> None:
    provider = GroupProvider()
    created = provider.create(props(owners=(ALICE,)))
    provider.delete(created.id, created.outs or {})
    assert fake.workspace.find(G) is not None
    assert all(method != "DELETE" for method, _ in fake.counters.log)


def test_diff_ignores_order_and_case_of_members() -> None:
    provider = GroupProvider()
    old = props(members=(ALICE, BOB))
    same = props(members=("BOB@example.com", ALICE))
    assert provider.diff("id", old, same).changes is False
    more = props(members=(ALICE, BOB, CAROL))
    assert provider.diff("id", old, more).changes is True
    moved = {**old, "email": "other@example.com"}
    assert provider.diff("id", old, moved).replaces == ["email"]


def test_a_mixed_case_declaration_adopted_shows_no_difference(fake: FakeGoogle) -> None:
    """Google holds the group and its members in lowercase; the file may not.

    The inputs are planned in lowercase, so the state an import reads back
    equals them: no difference at adoption, and none on later refreshes.
    """
    live = fake.workspace.add_group(
        G,
        "sig-test",
        settings=desired_settings({"WhoCanJoin": "ANYONE_CAN_JOIN"}),
        owners=(ALICE,),
        members=(BOB,),
    )
    declared = group(
        "SIG-Test@Example.com",
        settings={"WhoCanJoin": "ANYONE_CAN_JOIN"},
        owners=("Alice@Example.com",),
        members=("BOB@example.com",),
    )
    inputs = {**group_inputs(declared, desired_settings(declared.settings)), "name": "sig-test"}
    assert (inputs["email"], inputs["owners"], inputs["members"]) == (G, [ALICE], [BOB])
    provider = GroupProvider()
    read = provider.read(live.id, inputs)
    assert read.outs is not None
    assert provider.diff(live.id, read.outs, inputs).changes is False
    assert (
        provider.diff(live.id, {**read.outs, "email": "Sig-Test@example.com"}, inputs).changes
        is False
    )


def test_check_reports_bad_inputs() -> None:
    result = GroupProvider().check({}, {"email": "nobody", "owners": "alice@example.com"})
    assert {f.property for f in result.failures} == {"email", "owners"}


def test_configure_reads_the_groups_stack_config() -> None:
    provider = GroupProvider()
    value = {
        "root": "groups",
        "service_account": "groups-sync@k8s-gsuite.iam.gserviceaccount.com",
        "admin_subject": "admin-bot@kubernetes.io",
        "customer": "C0abc1234",
    }
    provider.configure(ConfigureRequest(Config({"k8s-infra:groups": json.dumps(value)}, "x")))
    apis_options = provider._access
    assert apis_options.customer == "C0abc1234"
    assert apis_options.admin_subject == "admin-bot@kubernetes.io"
    with pytest.raises(ValueError, match="service_account"):
        provider.configure(
            ConfigureRequest(Config({"k8s-infra:groups": '{"service_account": "x"}'}, "x"))
        )


def test_without_config_or_override_there_are_no_credentials(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(GOOGLE_API_ENDPOINT_ENV, raising=False)
    with pytest.raises(CredentialsMissing):
        GroupProvider().create(props(owners=(ALICE,)))


def test_the_provider_is_pickled_by_reference_and_carries_nothing() -> None:
    serialized = serialize_provider(GroupProvider())
    blob = base64.b64decode(serialized)
    # A reference to the class (module path and name), not its code or any client.
    assert b"infra.groups.provider" in blob
    assert b"GroupProvider" in blob
    assert len(serialized) < 400
    assert isinstance(dill.loads(blob), GroupProvider)
