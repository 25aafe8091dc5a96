"""Domain errors. Each carries the exit code the CLI returns for it.

Exit codes are a stable interface (docs/reference/flags.md lists them): 0 ok, 1 problems found
(or a command that failed), 2 usage error, 3 Pulumi CLI missing or too old, 4 credentials
or state backend missing, 5 drift found (``--expect-no-changes``: the command worked, and
the cloud differs from the declarations).

An error is one line and a hint for a person, plus what it found: problems
(each a ``Problem``, with its position) and a detail (free text, such as a
traceback, shown only when asked for). The CLI's one boundary prints the
problems, the detail, then the line and the hint; nothing else builds lines.
Engines raise these without speaking of flags: only the commands know them
(``infra.cli`` and each concern's ``commands``, under ``infra.console``'s boundary).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from infra.core.problems import Problem

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_PULUMI_CLI = 3
EXIT_CREDENTIALS = 4
EXIT_DRIFT = 5


class K8sInfraError(Exception):
    """An expected failure: printed as one line plus a hint, never as a traceback."""

    exit_code = EXIT_PROBLEMS

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        *,
        problems: Sequence[Problem] = (),
        detail: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.detail = detail

    @property
    def problem_lines(self) -> list[str]:
        return [p.format() for p in self.problems]


class ProblemsFound(K8sInfraError):
    """Declarations failed validation; ``problems`` holds every one found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        errors = sum(1 for p in problems if p.severity == "error")
        super().__init__(f"{errors} error(s) in the declarations", problems=problems)


class UsageError(K8sInfraError):
    exit_code = EXIT_USAGE


class PulumiCliMissing(K8sInfraError):
    exit_code = EXIT_PULUMI_CLI


class CredentialsMissing(K8sInfraError):
    exit_code = EXIT_CREDENTIALS
