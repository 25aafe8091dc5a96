"""The opt-in sweep of groups no declaration names.

Upstream deleted every group of the domain missing from the files, with no
filter and no limit. Here nothing is deleted unless asked, only groups
whose address starts with a given prefix are candidates, and the whole
sweep is refused when it would delete more than a given number.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from infra.core.errors import K8sInfraError, UsageError
from infra.core.problems import Position, Problems
from infra.groups.addresses import address_key
from infra.groups.engine.changes import Change
from infra.groups.engine.live import LiveGroup
from infra.groups.model import Group


class InvalidDeletionPolicy(UsageError):
    """A sweep without a prefix, or with a negative limit: refused before any read."""


@dataclass(frozen=True)
class DeletionPolicy:
    prefix: str
    max_deletions: int

    def __post_init__(self) -> None:
        if not self.prefix.strip():
            raise InvalidDeletionPolicy(
                "deleting unmanaged groups needs a non-empty address prefix",
                "name the address prefix of the groups this tree owns, e.g. k8s-infra-",
            )
        if self.max_deletions < 0:
            raise InvalidDeletionPolicy("the most groups a sweep may delete is 0 or more")


class TooManyDeletions(K8sInfraError):
    """More groups would go than the limit allows: nothing is deleted."""

    def __init__(self, policy: DeletionPolicy, doomed: list[str], groups_root: str) -> None:
        problems = Problems()
        for email in doomed:
            problems.error(
                Position(groups_root),
                f"would delete `{email}`: it starts with `{policy.prefix}` and no "
                "declaration names it",
            )
        super().__init__(
            f"{len(doomed)} unmanaged group(s) start with `{policy.prefix}`, more than the "
            f"limit of {policy.max_deletions}; nothing was deleted",
            "review the groups listed above, then raise the limit or declare the groups to keep",
            problems=problems.sorted(),
        )
        self.policy = policy


def deletions(
    live: Iterable[LiveGroup],
    declared: Iterable[Group],
    policy: DeletionPolicy,
    groups_root: str,
) -> tuple[Change, ...]:
    """A ``delete_group`` change per undeclared live group under the prefix.

    Raises ``TooManyDeletions`` when there are more than the policy allows.
    """
    names = {address_key(g.email) for g in declared}
    prefix = policy.prefix.lower()
    doomed = sorted(
        (
            g
            for g in live
            if g.email.lower().startswith(prefix) and not names.intersection(g.match_keys())
        ),
        key=lambda g: g.email.lower(),
    )
    if len(doomed) > policy.max_deletions:
        raise TooManyDeletions(policy, [g.email for g in doomed], groups_root)
    return tuple(Change(g.email, "delete_group", g.email, old=g.name or None) for g in doomed)
