"""Failures the real APIs produce, and what a run does about them."""

from __future__ import annotations

import pytest

from infra.core.errors import EXIT_CREDENTIALS, CredentialsMissing
from infra.groups.engine.apis import GoogleApis
from infra.groups.engine.failures import GroupsUnreadable
from infra.groups.engine.reconcile import Options, compare_all
from infra.groups.model import GroupsTree
from tests.fake_google import FakeGoogle
from tests.groups.engine.helpers import Sleeps, group, sync

ALICE, BOB = "alice@example.com", "bob@example.com"


def test_a_429_storm_is_waited_out(
    fake: FakeGoogle, apis: GoogleApis, options: Options, sleeps: Sleeps
) -> None:
    fake.workspace.add_group("a@example.com", "a", owners=(ALICE,))
    storm = fake.fail(429, times=4, where="top")
    report = sync(apis, options, group("a@example.com", owners=(ALICE,), members=(BOB,)))
    assert report.failures == ()
    assert storm.hits == 4
    assert fake.workspace.by_email("a@example.com").roles() == {ALICE: "OWNER", BOB: "MEMBER"}
    # Exponential, with jitter at its midpoint (random() == 0.5): 0.75 * 2**n.
    assert sleeps == [0.75, 1.5, 3.0, 6.0]


def test_a_429_on_a_whole_batch_is_resubmitted(
    fake: FakeGoogle, apis: GoogleApis, options: Options, sleeps: Sleeps
) -> None:
    fake.workspace.add_group("a@example.com", "a", owners=(ALICE,))
    storm = fake.fail(429, times=2, path="/batch", where="top")
    report = sync(apis, options, group("a@example.com", owners=(ALICE,), members=(BOB,)))
    assert report.failures == ()
    assert storm.hits == 2
    assert len(sleeps) == 2
    assert BOB in fake.workspace.by_email("a@example.com").roles()


def test_a_429_inside_a_batch_response_is_retried_alone(
    fake: FakeGoogle, apis: GoogleApis, options: Options, sleeps: Sleeps
) -> None:
    for name in ("a", "b", "c"):
        fake.workspace.add_group(f"{name}@example.com", name)
    target = fake.workspace.by_email("b@example.com")
    fault = fake.fail(429, method="POST", path=f"/groups/{target.id}/members", where="part")
    declared = [group(f"{n}@example.com", owners=(ALICE,)) for n in ("a", "b", "c")]
    report = sync(apis, options, *declared)
    assert report.failures == ()
    assert fault.hits == 1
    assert len(sleeps) == 1
    inserts = [p for m, p in fake.counters.log if m == "POST" and p.endswith("/members")]
    # Three inserts in the first batch, then only the failed one again.
    assert len(inserts) == 4
    assert inserts[-1].endswith(f"/groups/{target.id}/members")
    assert all(g.roles() == {ALICE: "OWNER"} for g in fake.workspace.groups.values())


def test_a_rate_limit_403_is_retried_but_a_plain_403_is_not(
    fake: FakeGoogle, apis: GoogleApis, options: Options
) -> None:
    fake.workspace.add_group("a@example.com", "a")
    fake.workspace.add_group("b@example.com", "b")
    a, b = fake.workspace.by_email("a@example.com"), fake.workspace.by_email("b@example.com")
    fake.fail(403, reason="userRateLimitExceeded", method="POST", path=f"/groups/{a.id}/members")
    fake.fail(403, reason="forbidden", method="POST", path=f"/groups/{b.id}/members")
    report = sync(
        apis,
        options,
        group("a@example.com", owners=(ALICE,)),
        group("b@example.com", owners=(ALICE,)),
    )
    assert a.roles() == {ALICE: "OWNER"}
    assert b.roles() == {}
    assert [(f.group, f.change.kind if f.change else None) for f in report.failures] == [
        ("b@example.com", "add_member")
    ]
    assert "HTTP 403" in report.failures[0].message


def test_a_500_on_one_group_leaves_the_others_reconciled(
    fake: FakeGoogle, apis: GoogleApis, options: Options, sleeps: Sleeps
) -> None:
    for name in ("a", "b", "c"):
        fake.workspace.add_group(f"{name}@example.com", name)
    fake.fail(500, times=None, path="/groups/v1/groups/b@example.com")
    declared = [group(f"{n}@example.com", owners=(ALICE,)) for n in ("a", "b", "c")]
    report = sync(apis, options, *declared)
    assert [(f.group, f.change) for f in report.failures] == [("b@example.com", None)]
    assert "HTTP 500" in report.failures[0].message
    assert fake.workspace.by_email("a@example.com").roles() == {ALICE: "OWNER"}
    assert fake.workspace.by_email("c@example.com").roles() == {ALICE: "OWNER"}
    assert fake.workspace.by_email("b@example.com").roles() == {}
    # Every attempt was used on b's settings, and nothing else waited.
    assert len(sleeps) == options.backoff.attempts - 1


def test_a_failed_creation_skips_that_group_only(
    fake: FakeGoogle, apis: GoogleApis, options: Options
) -> None:
    fake.fail(500, times=None, method="POST", path="/admin/directory/v1/groups", where="part")
    report = sync(
        apis,
        options,
        group("new@example.com", owners=(ALICE,), settings={"WhoCanJoin": "ANYONE_CAN_JOIN"}),
    )
    assert fake.workspace.find("new@example.com") is None
    kinds = [f.change.kind for f in report.failures if f.change]
    assert kinds[0] == "create_group"
    assert "add_member" in kinds
    assert "update_setting" in kinds
    assert all(f.message.startswith("skipped") for f in report.failures[1:])


def test_member_pages_are_read_to_the_end(
    fake: FakeGoogle, apis: GoogleApis, options: Options
) -> None:
    people = tuple(f"user{n:03d}@example.com" for n in range(401))
    for size in (200, 201, 401):
        fake.workspace.add_group(f"g{size}@example.com", f"g{size}", members=people[:size])
    declared = [
        group(f"g{size}@example.com", members=people[:size], reconcile=True)
        for size in (200, 201, 401)
    ]
    fake.reset_counters()
    report = sync(apis, options, *declared)
    assert [c for c in report.compared.changes if c.kind != "update_setting"] == []
    member_lists = [p for m, p in fake.counters.log if m == "GET" and p.endswith("/members")]
    assert len(member_lists) == 1 + 2 + 3  # pages of 200


def test_the_member_on_the_second_page_is_seen(
    fake: FakeGoogle, apis: GoogleApis, options: Options
) -> None:
    people = tuple(f"user{n:03d}@example.com" for n in range(201))
    fake.workspace.add_group("g@example.com", "g", members=people)
    report = sync(apis, options, group("g@example.com", members=people[:200], reconcile=True))
    removed = [c.field_or_member for c in report.applied if c.kind == "remove_member"]
    assert removed == ["user200@example.com"]
    assert len(fake.workspace.by_email("g@example.com").members) == 200


def test_a_group_list_that_keeps_failing_stops_the_run_before_any_change(
    fake: FakeGoogle, apis: GoogleApis, options: Options
) -> None:
    fake.fail(503, times=None, path="/admin/directory/v1/groups", method="GET")
    with pytest.raises(GroupsUnreadable, match="HTTP 503"):
        compare_all(apis, GroupsTree((group("a@example.com", owners=(ALICE,)),)), options)
    assert len(fake.counters.log) == options.backoff.attempts


def test_refused_credentials_are_reported_as_such(
    fake: FakeGoogle, apis: GoogleApis, options: Options
) -> None:
    fake.fail(403, times=None, reason="forbidden")
    with pytest.raises(CredentialsMissing) as raised:
        compare_all(apis, GroupsTree(()), options)
    assert raised.value.exit_code == EXIT_CREDENTIALS
    assert len(fake.counters.log) == 1  # a plain 403 is not retried


def test_a_new_group_not_yet_visible_is_waited_for(
    fake: FakeGoogle, apis: GoogleApis, options: Options, sleeps: Sleeps
) -> None:
    fake.workspace.add_group("old@example.com", "old")
    path = "/groups/v1/groups/{}@example.com"
    fresh = fake.fail(404, times=2, method="PATCH", path=path.format("new"), where="part")
    gone = fake.fail(404, times=1, method="PATCH", path=path.format("old"), where="part")
    settings = {"WhoCanJoin": "ANYONE_CAN_JOIN"}
    report = sync(
        apis,
        options,
        group("new@example.com", owners=(ALICE,), settings=settings),
        group("old@example.com", owners=(ALICE,), settings=settings),
    )
    assert (fresh.hits, gone.hits) == (2, 1)
    assert fake.workspace.by_email("new@example.com").settings["whoCanJoin"] == "ANYONE_CAN_JOIN"
    # A 404 on a group that existed before the run is an answer, not a delay.
    assert {f.group for f in report.failures} == {"old@example.com"}
    assert len(sleeps) == 2
