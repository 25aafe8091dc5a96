"""Domain errors. Each carries the exit code the CLI returns for it.

Exit codes are a stable interface (DESIGN.md): 0 ok, 1 problems found,
2 usage error, 3 Pulumi CLI missing or too old, 4 credentials or state backend missing.
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


class K8sInfraError(Exception):
    """An expected failure: printed as one line plus a hint, never as a traceback."""

    exit_code = EXIT_PROBLEMS

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class ProblemsFound(K8sInfraError):
    """Declarations failed validation; ``problems`` holds every one found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        errors = sum(1 for p in problems if p.severity == "error")
        super().__init__(f"{errors} error(s) in the declarations")
        self.problems = list(problems)


class UsageError(K8sInfraError):
    exit_code = EXIT_USAGE


class PulumiCliMissing(K8sInfraError):
    exit_code = EXIT_PULUMI_CLI


class CredentialsMissing(K8sInfraError):
    exit_code = EXIT_CREDENTIALS
