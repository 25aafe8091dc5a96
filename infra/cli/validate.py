"""``k8s-infra validate``: check every declaration, report every problem at once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from infra.adoption.accepted import check_accepted
from infra.catalog.validation import find_stack_building, load_declarations
from infra.console.output import boundary, report_problems
from infra.core.problems import Problems
from infra.declarations.allowances import check_allowances
from infra.declarations.application import cli_context
from infra.declarations.loaded import Declarations
from infra.declarations.stacks import StackSettings, stack_names


@boundary
def validate(
    ctx: typer.Context,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the problems as JSON on stdout.")
    ] = False,
) -> None:
    """Check infra/infra.yaml, the stack files, every other declaration and the allow files.

    A one-off entry of the allow file that names no resource of its stack's
    plan (a typo, or a change already applied) is a warning; the stacks such
    entries name are planned for it.

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
    if not problems.has_errors:
        _stale_allowances(root, problems)
    report_problems(problems.sorted(), root, as_json=as_json)


def _stale_allowances(root: Path, problems: Problems) -> None:
    """Warn about one-off allowances that name no resource of their stack's plan.

    Only the stacks such entries name are planned (from the plan cache when
    their inputs are unchanged); a stack whose plan fails is not judged.
    """
    from infra.declarations.allowances import load_allowances, matching_nothing

    one_off = [a for a in load_allowances(root, Problems()) if not a.standing]
    if not one_off:
        return
    from infra.planner.cache import PlanCache, run_cached
    from infra.planner.runner import PlanRequest

    stacks = sorted({a.stack for a in one_off})
    results = run_cached([PlanRequest(s, root) for s in stacks], PlanCache.for_root(root))
    plans = {r.request.stack: r.plan for r in results if r.plan is not None}
    for allowance in matching_nothing(one_off, plans):
        problems.warning(
            allowance.where,
            f"allows `{allowance.change}` of `{allowance.resource}` in {allowance.stack}, which "
            "names no resource the stack plans: a typo, or a change already applied",
            "remove it once its change is applied; an entry for the estate's design is marked "
            "`standing: true`",
        )


class CatalogDeclarations:
    """The declarations checked through the catalog, for the concerns' commands
    (``infra.declarations.application.DeclarationsReader``)."""

    def load(self, root: Path, problems: Problems) -> Declarations | None:
        return load_declarations(root, problems)

    def stack_building(
        self, root: Path, component: str, problems: Problems
    ) -> StackSettings | None:
        return find_stack_building(root, component, problems)
