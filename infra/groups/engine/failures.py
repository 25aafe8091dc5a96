"""Failures of a run: collected per group, reported together at the end."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from infra.core.errors import CredentialsMissing, K8sInfraError
from infra.core.problems import Position, Problems
from infra.groups.engine.changes import Change
from infra.groups.engine.retry import RATE_LIMIT_REASONS, describe, reasons_of, status_of
from infra.groups.model import GroupsTree


@dataclass(frozen=True)
class Failure:
    group: str
    message: str
    change: Change | None = None  # None: the group's state could not be read

    def format(self) -> str:
        what = self.change.describe() if self.change else f"{self.group}: reading live state"
        return f"{what}: {self.message}"


class GroupsFailed(K8sInfraError):
    """Some groups could not be read or changed; the others were.

    Each failure is a problem at the declaration of its group (an undeclared
    group, being swept, at the groups folder).
    """

    def __init__(
        self, failures: Sequence[Failure], tree: GroupsTree, done: str = "reconciled"
    ) -> None:
        groups = len({f.group.lower() for f in failures})
        declared = tree.by_email()
        problems = Problems()
        for failure in failures:
            group = declared.get(failure.group.lower())
            where = (
                Position(group.file, group.line) if group and group.file else Position(tree.root)
            )
            problems.error(where, f"failed: {failure.format()}")
        super().__init__(
            f"{len(failures)} failure(s) in {groups} group(s); every other group was {done}",
            "run again: a run only changes what still differs",
            problems=problems.sorted(),
        )
        self.failures = tuple(failures)


class GroupsUnreadable(K8sInfraError):
    """The list of groups could not be read: nothing can be compared."""


def unreadable(error: BaseException) -> K8sInfraError:
    """The domain error for a failed first read: refused credentials, or the API."""
    from google.auth.exceptions import RefreshError

    status = status_of(error)
    refused = status == 401 or (status == 403 and not reasons_of(error) & RATE_LIMIT_REASONS)
    if isinstance(error, RefreshError) or refused:
        return CredentialsMissing(
            f"Google refused the groups credentials ({describe(error)})",
            "check that the service account has domain-wide delegation of the four group "
            "scopes and that the admin subject is a Workspace admin",
        )
    return GroupsUnreadable(
        f"could not list the groups of the Workspace ({describe(error)})",
        "nothing was changed; run again later",
    )
