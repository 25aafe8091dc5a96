"""``k8s-infra groups validate``: check the groups files, every problem at once."""

from __future__ import annotations

from typing import Annotated

import typer

from infra.console.output import boundary, report_problems
from infra.core.errors import UsageError
from infra.core.problems import Problems
from infra.declarations.application import cli_context
from infra.declarations.layout import stack_path
from infra.declarations.stacks import StackSettings
from infra.groups.access import estate_expectations
from infra.groups.estate_checks import ESTATE_KEY, EstateExpectations
from infra.groups.loader import GROUPS_COMPONENT, groups_location, load_groups


@boundary
def validate(
    ctx: typer.Context,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the problems as JSON on stdout.")
    ] = False,
    estate_checks: Annotated[
        bool,
        typer.Option(
            "--estate-checks",
            help="Also check what only the whole tree satisfies (required groups, pinned "
            "admin members, shared owner lists, required settings), as the groups stack's "
            f"`k8s-infra:groups` {ESTATE_KEY} expect.",
        ),
    ] = False,
) -> None:
    """Check restrictions.yaml and every groups.yaml file.

    The groups stack is the stack whose `k8s-infra:components` include `groups`.
    The folder is its `k8s-infra:groups` root (default `groups/`), the domain its
    `k8s-infra:domain` (default kubernetes.io); without a groups stack, both defaults apply.
    Problems are printed one per line, `path:line:col: error|warning: message (hint: ...)`.
    Exits 1 when there is an error; warnings do not change the exit code.
    --estate-checks without any expectation in the groups stack exits 2.

    [b]Examples[/b]

      k8s-infra groups validate

      k8s-infra --root ../k8s.io groups validate --estate-checks

      k8s-infra groups validate --json
    """
    root = cli_context(ctx).root
    problems = Problems()
    stack = cli_context(ctx).declarations.stack_building(root, GROUPS_COMPONENT, problems)
    estate = _expectations(stack, problems) if estate_checks else None
    location = groups_location(stack, problems)
    tree = None
    if location is not None:
        groups_dir, domain = location
        tree = load_groups(root, problems, groups_dir, estate=estate, domain=domain)
    count = len(tree.groups) if tree else 0
    report_problems(problems.sorted(), root, as_json=as_json, what=f"{count} group(s), ")


def _expectations(stack: StackSettings | None, problems: Problems) -> EstateExpectations:
    """The groups stack's estate expectations; a usage error when it sets none."""
    before = len(problems)
    found = estate_expectations(stack, problems)
    if found is not None and (found.configured or len(problems) > before):
        return found  # a malformed key is reported with the other problems
    where = stack_path(stack.stack) if stack else "no stack builds groups"
    raise UsageError(
        f"--estate-checks has nothing to check: no `{ESTATE_KEY}` expectation is configured "
        f"in `k8s-infra:groups` ({where})",
        f"set `{ESTATE_KEY}` (required_names, same_owners, pinned_members, required_settings) "
        "in the groups stack's `k8s-infra:groups`, or leave --estate-checks off",
    )
