"""Member replies the engine cannot trust fail their group; roles match whatever their case.

The real client library talks to the fake server; the fault replaces the
server's member list with the body written here, as a server could send it.
"""

from __future__ import annotations

import json

import pytest

from infra.groups.engine.apis import GoogleApis
from infra.groups.engine.reconcile import Options
from tests.fake_google import FakeGoogle
from tests.groups.engine.helpers import group, sync

ALICE, BOB, CAROL = "alice@example.com", "bob@example.com", "carol@example.com"


def members_reply(*members: dict[str, object]) -> bytes:
    return json.dumps({"kind": "admin#directory#members", "members": list(members)}).encode()


@pytest.mark.parametrize(
    "bad",
    [{"role": "MEMBER", "type": "USER", "id": "1"},  # no email at all
     {"email": 12345, "role": "MEMBER", "type": "USER"},  # a number
     {"email": None, "role": "MEMBER"},
     {"email": "", "role": "MEMBER"},
     {"email": {"address": BOB}, "role": "MEMBER"},
     {"email": BOB, "role": "SUPERUSER"}],
)  # fmt: skip
def test_a_member_without_an_address_fails_its_group_and_nothing_is_removed(
    fake: FakeGoogle, apis: GoogleApis, options: Options, bad: dict[str, object]
) -> None:
    fake.workspace.add_group("a@example.com", "a", owners=(ALICE,), members=(BOB, CAROL))
    fake.workspace.add_group("b@example.com", "b", owners=(ALICE,), members=(BOB,))
    a = fake.workspace.by_email("a@example.com")
    reply = members_reply({"email": ALICE, "role": "OWNER", "type": "USER", "id": "9"}, bad)
    fake.fail(200, times=None, method="GET", path=f"/groups/{a.id}/members", effect="body",
              payload=reply)  # fmt: skip
    # a reconciles members: every live member not declared would be removed
    report = sync(
        apis,
        options,
        group("a@example.com", owners=(ALICE,), reconcile=True),
        group("b@example.com", owners=(ALICE,), reconcile=True),
    )
    failed = [(f.group, f.change) for f in report.failures]
    assert failed == [("a@example.com", None)]
    assert "a member has no address" in report.failures[0].message or "has the role" in (
        report.failures[0].message
    )
    # nothing deleted in the failed group; the other one reconciled
    assert a.roles() == {ALICE: "OWNER", BOB: "MEMBER", CAROL: "MEMBER"}
    assert fake.workspace.by_email("b@example.com").roles() == {ALICE: "OWNER"}


def test_roles_in_lower_case_are_the_same_roles(
    fake: FakeGoogle, apis: GoogleApis, options: Options
) -> None:
    fake.workspace.add_group("a@example.com", "a", owners=(ALICE,), members=(BOB,))
    a = fake.workspace.by_email("a@example.com")
    reply = members_reply(
        {"email": ALICE, "role": "owner", "type": "USER", "id": "1"},
        {"email": BOB, "role": "Member", "type": "USER", "id": "2"},
    )
    fake.fail(200, times=None, method="GET", path=f"/groups/{a.id}/members", effect="body",
              payload=reply)  # fmt: skip
    report = sync(apis, options, group("a@example.com", owners=(ALICE,), members=(BOB,)))
    assert report.failures == ()
    assert [c for c in report.compared.changes if c.kind != "update_setting"] == []
