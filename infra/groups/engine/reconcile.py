"""A whole run: read live state, compute the changes, apply them.

``compare_all``/``compare_one`` only read; ``apply_change_set`` writes. Reading is
batched across groups: a no-op run over N groups costs the group list
pages, plus N/batch settings requests and N/batch member requests, plus
one batch per further round of member pages.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from infra.groups.access import DEFAULT_CUSTOMER
from infra.groups.addresses import address_key
from infra.groups.engine.apis import GoogleApis
from infra.groups.engine.apply import apply_changes
from infra.groups.engine.batch import DEFAULT_BATCH
from infra.groups.engine.changes import Change, group_changes, sort_key
from infra.groups.engine.deadline import Deadline
from infra.groups.engine.deletion import DeletionPolicy, deletions
from infra.groups.engine.failures import Failure, unreadable
from infra.groups.engine.guard import refuse_reserved
from infra.groups.engine.live import (
    GroupState,
    LiveGroup,
    get_group,
    list_groups,
    read_state,
    read_states,
)
from infra.groups.engine.progress import Progress, Silent
from infra.groups.engine.retry import Backoff, describe, is_api_error
from infra.groups.model import Group, GroupsTree


@dataclass(frozen=True)
class Options:
    customer: str = DEFAULT_CUSTOMER
    batch_size: int = DEFAULT_BATCH
    backoff: Backoff = field(default_factory=Backoff)
    # the end of the whole run (reads and writes), counted from when the options are made
    deadline: Deadline = field(default_factory=Deadline)

    @property
    def bounded(self) -> Backoff:
        """The backoff, stopping at the run's deadline."""
        return replace(self.backoff, deadline=self.deadline)


@dataclass(frozen=True)
class ChangeSet:
    """The changes a run would make, and what it could not read."""

    groups: tuple[Group, ...]  # the declarations compared
    changes: tuple[Change, ...]
    states: Mapping[str, GroupState]  # by address key of the declared address
    failures: tuple[Failure, ...]


@dataclass(frozen=True)
class Report:
    compared: ChangeSet
    applied: tuple[Change, ...]
    failures: tuple[Failure, ...]  # the read failures, then the write failures
    created: Mapping[str, str] = field(default_factory=dict)  # address key -> new group id


def compare_all(
    apis: GoogleApis,
    tree: GroupsTree,
    options: Options,
    deletion: DeletionPolicy | None = None,
    progress: Progress | None = None,
) -> ChangeSet:
    """Every change from the customer's live groups to ``tree``."""
    progress = progress or Silent()
    progress.phase("listing groups", 1)
    try:
        live = list_groups(apis, options.customer, options.bounded)
    except Exception as error:
        if not is_api_error(error):
            raise
        raise unreadable(error) from error
    progress.advance(1)
    index: dict[str, LiveGroup] = {}
    for group in live:
        for key in group.match_keys():
            index.setdefault(key, group)
    matched = {
        address_key(g.email): index[address_key(g.email)]
        for g in tree.groups
        if address_key(g.email) in index
    }
    read = read_states(apis, set(matched.values()), options.bounded, options.batch_size, progress)
    changes: list[Change] = []
    states: dict[str, GroupState] = {}
    failures: list[Failure] = []
    for declared in tree.groups:
        key = address_key(declared.email)
        live_group = matched.get(key)
        if live_group is None:
            changes.extend(group_changes(declared, None))
            continue
        primary = address_key(live_group.email)
        read_error = read.errors.get(primary)
        if read_error is not None:
            failures.append(Failure(declared.email, describe(read_error)))
            continue
        states[key] = read.states[primary]
        changes.extend(group_changes(declared, states[key]))
    if deletion is not None:
        changes.extend(deletions(live, tree.groups, deletion, tree.root))
    return ChangeSet(tree.groups, tuple(sorted(changes, key=sort_key)), states, tuple(failures))


def compare_one(apis: GoogleApis, group: Group, options: Options) -> ChangeSet:
    """The changes for one group (create-or-adopt: an existing group is taken over)."""
    try:
        live = get_group(apis, group.email, options.bounded)
    except Exception as error:
        if not is_api_error(error):
            raise
        raise unreadable(error) from error
    states: dict[str, GroupState] = {}
    if live is not None:
        states[address_key(group.email)] = read_state(apis, live, options.bounded)
    changes = group_changes(group, states.get(address_key(group.email)))
    return ChangeSet((group,), changes, states, ())


def apply_change_set(
    apis: GoogleApis, compared: ChangeSet, options: Options, progress: Progress | None = None
) -> Report:
    """Write the changes a comparison found.

    Against the real APIs, sample addresses stop the run before any write.
    """
    if apis.real:
        refuse_reserved(compared.groups)
    result = apply_changes(
        apis,
        compared.changes,
        compared.states,
        options.bounded,
        size=options.batch_size,
        progress=progress,
    )
    return Report(compared, result.applied, (*compared.failures, *result.failures), result.created)
