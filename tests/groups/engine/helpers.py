"""Declarations and runs for the engine's tests: a group as the loader makes it, a sync."""

from __future__ import annotations

from infra.groups.engine.apis import GoogleApis
from infra.groups.engine.reconcile import Options, Report, apply_change_set, compare_all
from infra.groups.model import Group, GroupsTree


class Sleeps(list[float]):
    """Records the backoff's sleeps instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def group(
    email: str,
    *,
    owners: tuple[str, ...] = (),
    managers: tuple[str, ...] = (),
    members: tuple[str, ...] = (),
    reconcile: bool = False,
    settings: dict[str, str] | None = None,
    description: str = "",
) -> Group:
    """A declaration as the loader would make it (name: the address's local part)."""
    return Group(
        email=email,
        name=email.split("@", maxsplit=1)[0],
        description=description,
        settings=settings or {},
        reconcile_members=reconcile,
        owners=owners,
        managers=managers,
        members=members,
        file="groups/sig-test/groups.yaml",
        line=3,
    )


def sync(apis: GoogleApis, options: Options, *groups: Group) -> Report:
    """ChangeSet and apply, as `groups sync --confirm` does."""
    tree = GroupsTree(tuple(groups))
    return apply_change_set(apis, compare_all(apis, tree, options), options)
