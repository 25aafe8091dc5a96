"""Output discipline and the one error boundary of the CLI.

Data (``--json``, plans) goes to stdout; everything for people (tables,
progress, problems, warnings) to stderr. Expected failures are one line plus
a hint and a documented exit code (see docs/reference/flags.md), never a traceback.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable, Iterable
from typing import Any, ParamSpec, TypeVar

import typer
from rich.console import Console

from infra.core.errors import EXIT_PROBLEMS, K8sInfraError
from infra.core.problems import Problem, one_line

P = ParamSpec("P")
R = TypeVar("R")


def _flags_as_flags() -> None:
    """Show a boolean flag in ``--help`` as a bare flag: typer's rich help prints
    ``<bool>`` after it, which reads as if ``--project true`` were the way to write it."""
    from typer.core import TyperOption

    shown = TyperOption.display_type_rich
    if getattr(shown, "_k8s_infra", False):
        return

    def display_type_rich(self: TyperOption, ctx: Any) -> str | None:
        if self.is_flag and not self.metavar:
            return None
        return shown(self, ctx)

    display_type_rich._k8s_infra = True  # type: ignore[attr-defined]
    TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]


_flags_as_flags()

# NO_COLOR and FORCE_COLOR are honoured by rich itself.
stderr = Console(stderr=True, soft_wrap=True, highlight=False)
if not stderr.is_terminal and "COLUMNS" not in os.environ:
    stderr.width = 200  # logs of CI jobs are wide; keep tables whole


def running_in_ci() -> bool:
    return bool(os.environ.get("CI"))


def interactive() -> bool:
    """Spinners, progress bars and prompts only for a person at a terminal."""
    return stderr.is_terminal and not running_in_ci()


def can_prompt() -> bool:
    """A question needs a person at both ends: a terminal on stdin and on stderr."""
    return interactive() and sys.stdin.isatty()


def emit_json(data: Any) -> None:
    """Machine output: stable (sorted keys), on stdout."""
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=True) + "\n")
    sys.stdout.flush()


def print_problems(problems: Iterable[Problem]) -> None:
    for problem in problems:
        stderr.print(problem.format(), markup=False, style=_STYLES[problem.severity])


def report_problems(
    problems: list[Problem], root: object, *, as_json: bool, what: str = ""
) -> None:
    """Print problems (lines on stderr, or JSON on stdout), then a summary; exit 1 on errors."""
    if as_json:
        emit_json({"problems": [p.to_json() for p in problems]})
    else:
        print_problems(problems)
    errors = sum(1 for p in problems if p.severity == "error")
    warnings = len(problems) - errors
    if errors:
        stderr.print(f"{errors} error(s), {warnings} warning(s) in {root}", style="red")
        raise typer.Exit(EXIT_PROBLEMS)
    stderr.print(f"valid: {what}{warnings} warning(s) in {root}", style="green")


_STYLES = {"error": "red", "warning": "yellow"}


def fail(error: K8sInfraError) -> None:
    # One line each, like problems: the message may quote a server's reply or a value.
    stderr.print(f"error: {one_line(error.message)}", style="bold red", markup=False)
    if error.hint:
        stderr.print(f"hint: {one_line(error.hint)}", style="dim", markup=False)


def report_error(error: K8sInfraError) -> None:
    """What an error found (problems, then its detail), then its line and hint."""
    print_problems(error.problems)
    if error.detail:
        stderr.print(error.detail.rstrip(), markup=False, style="dim")
    fail(error)


def boundary(command: Callable[P, R]) -> Callable[P, R]:
    """Turn domain errors into one line and their exit code (typer.Exit passes through)."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except K8sInfraError as error:
            report_error(error)
            raise typer.Exit(error.exit_code) from None

    return wrapper
