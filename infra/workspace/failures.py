"""Failures of a run: collected per group, reported together at the end."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from infra.errors import K8sInfraError
from infra.workspace.changes import Change


@dataclass(frozen=True)
class Failure:
    group: str
    message: str
    change: Change | None = None  # None: the group's state could not be read

    def format(self) -> str:
        what = self.change.describe() if self.change else f"{self.group}: reading live state"
        return f"{what}: {self.message}"


class GroupsFailed(K8sInfraError):
    """Some groups could not be read or changed; the others were."""

    def __init__(self, failures: Sequence[Failure]) -> None:
        groups = len({f.group.lower() for f in failures})
        super().__init__(
            f"{len(failures)} failure(s) in {groups} group(s); every other group was reconciled",
            "run again: a run only changes what still differs",
        )
        self.failures = tuple(failures)
        # The error boundary prints these lines before the message.
        self.problem_lines = [f"failed: {f.format()}" for f in failures]
