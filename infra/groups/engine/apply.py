"""Writing changes, in batches, in the order that keeps every group usable.

1. groups created and renamed (a group must exist before anything else);
2. settings, one patch per group (Groups Settings API);
3. members added and roles changed;
4. members removed (after additions, as upstream, so a group never loses
   its last owner between two declared ones);
5. unmanaged groups deleted (only with the opt-in).

A failed change never stops the others; only the changes of a group whose
creation failed are skipped.

A write whose error shows that what it asked for already holds is done:
its reply may have been lost after the work (a dropped connection, a 503),
and the retry (ours, or the one httplib2 makes by itself) finds the work
done. A create answered 409 adopts the existing group (one patch sets the
declared name and description and gives its id) and its settings and
members follow; a member add answered 409 is done (the address is in the
group; a role that differs is changed by the next run); a removal or a
deletion answered 404 is done.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from infra.groups.addresses import address_key
from infra.groups.engine.apis import Api, GoogleApis
from infra.groups.engine.batch import DEFAULT_BATCH, Outcome, run_calls
from infra.groups.engine.changes import Change
from infra.groups.engine.failures import Failure
from infra.groups.engine.live import GroupState
from infra.groups.engine.progress import Progress, Silent
from infra.groups.engine.retry import Backoff, describe, status_of


@dataclass(frozen=True)
class ApplyResult:
    applied: tuple[Change, ...]
    failures: tuple[Failure, ...]
    created: Mapping[str, str]  # group address key -> id of a group created by this run


def apply_changes(
    apis: GoogleApis,
    changes: Iterable[Change],
    states: Mapping[str, GroupState],
    backoff: Backoff,
    *,
    size: int = DEFAULT_BATCH,
    progress: Progress | None = None,
) -> ApplyResult:
    """Apply ``changes``; ``states`` gives the ids of existing groups and members."""
    run = _Run(apis, states, backoff, size, progress or Silent())
    by_kind: dict[str, list[Change]] = defaultdict(list)
    for change in changes:
        by_kind[change.kind].append(change)

    run.step("creating and renaming groups", apis.directory, _group_writes(run, by_kind))
    run.step("applying settings", apis.settings, _settings_writes(run, by_kind))
    run.step("adding members and changing roles", apis.directory, _member_writes(run, by_kind))
    run.step("removing members", apis.directory, _member_removals(run, by_kind))
    run.step("deleting unmanaged groups", apis.directory, _group_deletions(run, by_kind))
    return ApplyResult(tuple(run.applied), tuple(run.failures), dict(run.created))


# One write: the request, and the changes it carries (a settings patch carries several).
Write = tuple[Any, tuple[Change, ...]]


class _Run:
    def __init__(
        self,
        apis: GoogleApis,
        states: Mapping[str, GroupState],
        backoff: Backoff,
        size: int,
        progress: Progress,
    ) -> None:
        self.apis = apis
        self.states = states
        self.backoff = backoff
        self.size = size
        self.progress = progress
        self.applied: list[Change] = []
        self.failures: list[Failure] = []
        self.created: dict[str, str] = {}
        self.broken: set[str] = set()  # groups whose creation failed

    def group_key(self, address: str) -> str:
        """What the Directory API is given for a group: its id when known."""
        key = address_key(address)
        state = self.states.get(key)
        return (state.group.id if state else self.created.get(key)) or address

    def member_key(self, group: str, member: str) -> str:
        """A live member's id (upstream's lesson: its address may differ in case)."""
        state = self.states.get(address_key(group))
        for live in state.members if state else ():
            if address_key(live.email) == address_key(member):
                return live.id or live.email
        return member

    def usable(self, change: Change) -> bool:
        if address_key(change.group) not in self.broken:
            return True
        self.failures.append(Failure(change.group, "skipped: the group was not created", change))
        return False

    def step(
        self,
        description: str,
        api: Api,
        writes: Callable[[], list[Write]],
    ) -> None:
        planned = writes()
        if not planned:
            return
        self.progress.phase(description, len(planned))
        calls = dict(enumerate(request for request, _ in planned))

        def settling(index: int, error: BaseException) -> bool:
            # A group created moments ago can answer 404 until it has propagated.
            return status_of(error) == 404 and any(
                address_key(c.group) in self.created for c in planned[index][1]
            )

        outcomes = run_calls(
            api, calls, self.backoff, self.size, self.progress.advance, also_retry=settling
        )
        adopting: list[tuple[Change, ...]] = []
        for index, (_request, carried) in enumerate(planned):
            outcome = outcomes[index]
            if outcome.error is not None and _already_holds(carried, outcome.error):
                if any(c.kind == "create_group" for c in carried):
                    adopting.append(carried)
                    continue
                outcome = Outcome()
            if outcome.error is None:
                self.applied.extend(carried)
                for change in carried:
                    if change.kind == "create_group":
                        body = outcome.response if isinstance(outcome.response, dict) else {}
                        self.created[address_key(change.group)] = str(body.get("id", ""))
                continue
            self.fail(carried, describe(outcome.error))
        if adopting:
            self.adopt(adopting)

    def fail(self, carried: tuple[Change, ...], message: str) -> None:
        for change in carried:
            self.failures.append(Failure(change.group, message, change))
            if change.kind == "create_group":
                self.broken.add(address_key(change.group))

    def adopt(self, creates: list[tuple[Change, ...]]) -> None:
        """Take over groups whose create found them existing: one patch each sets the
        declared name and description and gives the group's id."""
        groups = self.apis.directory.client.groups()
        calls = {}
        for index, carried in enumerate(creates):
            body = {c.field_or_member: c.new for c in carried if c.kind == "update_group"}
            create = next(c for c in carried if c.kind == "create_group")
            if create.new:
                body["name"] = create.new
            calls[index] = groups.patch(groupKey=create.group, body=body)
        outcomes = run_calls(self.apis.directory, calls, self.backoff, self.size)
        for index, carried in enumerate(creates):
            outcome = outcomes[index]
            if outcome.error is not None:
                self.fail(carried, f"exists, and could not be adopted: {describe(outcome.error)}")
                continue
            self.applied.extend(carried)
            body = outcome.response if isinstance(outcome.response, dict) else {}
            self.created[address_key(carried[0].group)] = str(body.get("id", ""))


def _already_holds(carried: tuple[Change, ...], error: BaseException) -> bool:
    """Whether ``error`` shows that the changes of a write are in effect already."""
    kinds = {change.kind for change in carried}
    status = status_of(error)
    if status == 409:
        return "create_group" in kinds or kinds == {"add_member"}
    return status == 404 and kinds <= {"remove_member", "delete_group"}


def _group_writes(run: _Run, by_kind: Mapping[str, list[Change]]) -> Callable[[], list[Write]]:
    def build() -> list[Write]:
        groups = run.apis.directory.client.groups()
        fields: dict[str, list[Change]] = defaultdict(list)
        for change in by_kind.get("update_group", ()):
            fields[address_key(change.group)].append(change)
        writes: list[Write] = []
        for change in by_kind.get("create_group", ()):
            # A new group's name and description travel in its insert.
            carried = fields.pop(address_key(change.group), [])
            body = {"email": change.group, **{c.field_or_member: c.new for c in carried}}
            if change.new:
                body["name"] = change.new
            writes.append((groups.insert(body=body), (change, *carried)))
        for carried in fields.values():
            group = carried[0].group
            body = {c.field_or_member: c.new for c in carried}
            writes.append((groups.patch(groupKey=run.group_key(group), body=body), tuple(carried)))
        return writes

    return build


def _settings_writes(run: _Run, by_kind: Mapping[str, list[Change]]) -> Callable[[], list[Write]]:
    def build() -> list[Write]:
        groups = run.apis.settings.client.groups()
        per_group: dict[str, list[Change]] = defaultdict(list)
        for change in by_kind.get("update_setting", ()):
            if run.usable(change):
                per_group[change.group].append(change)
        return [
            (
                groups.patch(groupUniqueId=group, body={c.field_or_member: c.new for c in carried}),
                tuple(carried),
            )
            for group, carried in per_group.items()
        ]

    return build


def _member_writes(run: _Run, by_kind: Mapping[str, list[Change]]) -> Callable[[], list[Write]]:
    def build() -> list[Write]:
        members = run.apis.directory.client.members()
        writes: list[Write] = []
        for change in by_kind.get("add_member", ()):
            if run.usable(change):
                body = {"email": change.field_or_member, "role": change.role}
                request = members.insert(groupKey=run.group_key(change.group), body=body)
                writes.append((request, (change,)))
        for change in by_kind.get("change_role", ()):
            if run.usable(change):
                request = members.patch(
                    groupKey=run.group_key(change.group),
                    memberKey=run.member_key(change.group, change.field_or_member),
                    body={"role": change.new},
                )
                writes.append((request, (change,)))
        return writes

    return build


def _member_removals(run: _Run, by_kind: Mapping[str, list[Change]]) -> Callable[[], list[Write]]:
    def build() -> list[Write]:
        members = run.apis.directory.client.members()
        return [
            (
                members.delete(
                    groupKey=run.group_key(change.group),
                    memberKey=run.member_key(change.group, change.field_or_member),
                ),
                (change,),
            )
            for change in by_kind.get("remove_member", ())
            if run.usable(change)
        ]

    return build


def _group_deletions(run: _Run, by_kind: Mapping[str, list[Change]]) -> Callable[[], list[Write]]:
    def build() -> list[Write]:
        groups = run.apis.directory.client.groups()
        return [
            (groups.delete(groupKey=run.group_key(change.group)), (change,))
            for change in by_kind.get("delete_group", ())
        ]

    return build
