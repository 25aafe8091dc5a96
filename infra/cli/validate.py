"""``k8s-infra validate``: check every declaration, report every problem at once."""

from __future__ import annotations

from typing import Annotated

import typer

from infra.cli.console import boundary, emit_json, print_problems, stderr
from infra.cli.context import cli_context
from infra.errors import EXIT_PROBLEMS
from infra.models.declarations import load_declarations
from infra.problems import Problems


@boundary
def validate(
    ctx: typer.Context,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the problems as JSON on stdout.")
    ] = False,
) -> None:
    """Check infra/infra.yaml, the stack files and every other declaration.

    Problems are printed one per line, `path:line:col: error|warning: message (hint: ...)`.
    Exits 1 when there is an error; warnings do not change the exit code.

    [b]Examples[/b]

      k8s-infra validate

      k8s-infra --root ../k8s.io validate --json
    """
    root = cli_context(ctx).root
    problems = Problems()
    load_declarations(root, problems)
    found = problems.sorted()
    if as_json:
        emit_json({"problems": [p.to_json() for p in found]})
    else:
        print_problems(found)
    errors = sum(1 for p in found if p.severity == "error")
    warnings = len(found) - errors
    if errors:
        stderr.print(f"{errors} error(s), {warnings} warning(s) in {root}", style="red")
        raise typer.Exit(EXIT_PROBLEMS)
    stderr.print(f"valid: {warnings} warning(s) in {root}", style="green")
