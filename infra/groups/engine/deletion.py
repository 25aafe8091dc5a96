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
from infra.groups.addresses import address_key
from infra.groups.engine.changes import Change
from infra.groups.engine.live import LiveGroup
from infra.groups.model import Group


@dataclass(frozen=True)
class DeletionPolicy:
    prefix: str
    max_deletions: int

    def __post_init__(self) -> None:
        if not self.prefix.strip():
            raise UsageError(
                "deleting unmanaged groups needs a non-empty --prefix",
                "name the address prefix of the groups this tree owns, e.g. k8s-infra-",
            )
        if self.max_deletions < 0:
            raise UsageError("--max-deletions must be 0 or more")


class TooManyDeletions(K8sInfraError):
    """More groups would go than the threshold allows: nothing is deleted."""

    def __init__(self, message: str, hint: str, doomed: list[str]) -> None:
        super().__init__(message, hint)
        # The error boundary prints these lines before the message.
        self.problem_lines = [f"would delete {email}" for email in doomed]


def deletions(
    live: Iterable[LiveGroup], declared: Iterable[Group], policy: DeletionPolicy
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
        raise TooManyDeletions(
            f"{len(doomed)} unmanaged group(s) start with `{policy.prefix}`, more than "
            f"--max-deletions {policy.max_deletions}; nothing was deleted",
            "review the groups listed above, then raise --max-deletions "
            "or declare the groups to keep",
            [g.email for g in doomed],
        )
    return tuple(Change(g.email, "delete_group", g.email, old=g.name or None) for g in doomed)
