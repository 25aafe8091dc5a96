"""``k8s-infra validate``: check every declaration, report every problem at once."""

from __future__ import annotations

from typing import Annotated

import typer

from infra.adoption.accepted import check_accepted
from infra.cli.console import boundary, report_problems
from infra.cli.context import cli_context
from infra.core.problems import Problems
from infra.declarations.stacks import stack_names
from infra.planner.allowances import check_allowances
from infra.validation import load_declarations


@boundary
def validate(
    ctx: typer.Context,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the problems as JSON on stdout.")
    ] = False,
) -> None:
    """Check infra/infra.yaml, the stack files, every other declaration and the allow files.

    Problems are printed one per line, `path:line:col: error|warning: message (hint: ...)`.
    Exits 1 when there is an error; warnings do not change the exit code.

    [b]Examples[/b]

      k8s-infra validate

      k8s-infra --root ../k8s.io validate --json
    """
    root = cli_context(ctx).root
    problems = Problems()
    load_declarations(root, problems)
    check_allowances(root, stack_names(root), problems)
    check_accepted(root, stack_names(root), problems)
    report_problems(problems.sorted(), root, as_json=as_json)
