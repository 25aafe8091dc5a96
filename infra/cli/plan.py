"""``k8s-infra plan``: the offline plan of one stack or all, optionally against a base."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from infra.cli.console import boundary, emit_json, interactive, stderr
from infra.cli.context import cli_context
from infra.core.errors import ProblemsFound, UsageError
from infra.core.problems import Problems
from infra.declarations.stacks import stack_names
from infra.validation import load_declarations

if TYPE_CHECKING:
    from infra.planner.diff import PlanDiff
    from infra.planner.runner import PlanRequest, PlanResult

ALL = "all"


@boundary
def plan(
    ctx: typer.Context,
    stack: Annotated[str, typer.Argument(help="A stack name, or `all` for every stack.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the plan (or the diff) as JSON on stdout.")
    ] = False,
    base: Annotated[
        str | None,
        typer.Option(
            "--base",
            metavar="GIT_REF",
            help="Compare with the plan of the code and declarations at this git ref.",
        ),
    ] = None,
    jobs: Annotated[
        int | None, typer.Option("--jobs", "-j", min=1, help="Plans run at once (default: CPUs).")
    ] = None,
) -> None:
    """Plan a stack offline: run its program under mocks and list every resource.

    Needs no Pulumi CLI and no credentials. Provider-side checks (API validation,
    quotas, existing resources) only happen in a real `pulumi preview`.

    [b]Examples[/b]

      k8s-infra plan staging

      k8s-infra plan all --json > plan.json

      k8s-infra plan staging --base origin/main
    """
    from infra.planner.runner import PlanFailed, PlanRequest

    root = cli_context(ctx).root
    if base is not None:
        # The base is checked before anything else runs, git included.
        from infra.planner.worktree import InvalidBase, check_commitish

        try:
            check_commitish(base)
        except InvalidBase as error:
            raise UsageError(f"--base: {error.message}", error.hint) from None
    known = stack_names(root)
    if stack != ALL and stack not in known:
        raise UsageError(
            f"unknown stack `{stack}`",
            "known stacks: " + ", ".join([*known, ALL]),
        )
    # Invalid declarations are reported here, with their positions, before any
    # program runs (a base commit's own program checks its own declarations).
    problems = Problems()
    load_declarations(root, problems)
    if problems.has_errors:
        raise ProblemsFound(problems.sorted())
    stacks = known if stack == ALL else [stack]
    requests = [PlanRequest(name, root) for name in stacks]
    if base is None:
        results = _run_with_progress(requests, jobs)
        failed = [r for r in results if r.plan is None]
        for result in failed[1:]:
            _print_failure(result)
        if failed:
            raise PlanFailed(failed[0])
        plans = [r.plan for r in results if r.plan is not None]
        if as_json:
            emit_json(plans[0] if stack != ALL else {"stacks": plans})
        else:
            for result in results:
                _print_plan(result)
        return
    diffs = _diff_against(root, base, requests, jobs)
    # The diff is short and what a reviewer reads in a CI log: it goes to stderr
    # in both modes, and the JSON (with --json) to stdout.
    for diff in diffs:
        _print_diff(diff)
    if as_json:
        emit_json(diffs[0].to_json() if stack != ALL else {"stacks": [d.to_json() for d in diffs]})


def _run_with_progress(requests: list[PlanRequest], jobs: int | None) -> list[PlanResult]:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from infra.planner.runner import run_plans

    if not interactive() or len(requests) < 2:
        return run_plans(requests, jobs)
    with Progress(
        TextColumn("planning"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} stacks"),
        TimeElapsedColumn(),
        console=stderr,
        transient=True,
    ) as progress:
        task = progress.add_task("plan", total=len(requests))
        return run_plans(requests, jobs, on_done=lambda _r: progress.advance(task))


def _diff_against(
    root: Path, ref: str, requests: list[PlanRequest], jobs: int | None
) -> list[PlanDiff]:
    from infra.planner.diff import diff_plans
    from infra.planner.runner import PlanFailed, PlanRequest
    from infra.planner.worktree import checkout, resolve_commit

    sha = resolve_commit(root, ref)
    with checkout(root, sha) as tree:
        base_requests = [PlanRequest(r.stack, tree, tree, f"at {sha[:12]}") for r in requests]
        results = _run_with_progress([*requests, *base_requests], jobs)
    heads, bases = results[: len(requests)], results[len(requests) :]
    for result in results:
        if result.plan is None:
            raise PlanFailed(result)
    return [diff_plans(b.plan or {}, h.plan or {}, sha) for b, h in zip(bases, heads, strict=True)]


def _print_failure(result: PlanResult) -> None:
    from infra.cli.console import report_error
    from infra.planner.runner import PlanFailed

    report_error(PlanFailed(result))


def _short_types(type_tokens: set[str]) -> dict[str, str]:
    """Column headers: the class name, or ``module.Class`` where two modules share it."""

    def parts(token: str) -> tuple[str, str]:
        pieces = token.split(":")
        if len(pieces) != 3:
            return "", token
        return pieces[1].split("/")[0], pieces[2]

    classes = Counter(parts(t)[1] for t in type_tokens)
    return {
        t: parts(t)[1] if classes[parts(t)[1]] == 1 else ".".join(parts(t)) for t in type_tokens
    }


def _component_of(resource: dict[str, Any], by_urn: dict[str, dict[str, Any]]) -> str:
    parent = by_urn.get(resource["parent"] or "")
    return parent["name"] if parent else "(top level)"


def _print_plan(result: PlanResult) -> None:
    """One row per component, one column per resource type, counts in the cells."""
    plan = result.plan or {}
    resources = plan.get("resources", [])
    by_urn = {r["urn"]: r for r in resources}
    custom = [r for r in resources if r["custom"]]
    short = _short_types({r["type"] for r in custom})
    counts: Counter[tuple[str, str]] = Counter(
        (_component_of(r, by_urn), short[r["type"]]) for r in custom
    )
    types = sorted({t for _, t in counts})
    components = sorted({c for c, _ in counts})
    read = sum(1 for r in resources if r["mode"] == "read")
    protected = sum(1 for r in custom if r["protect"])
    table = Table(
        title=f"stack {plan.get('stack')}: {len(custom)} resources in {len(components)} "
        f"component(s), {protected} protected, {read} read; planned in {result.seconds:.1f}s",
        title_justify="left",
    )
    table.add_column("component")
    for type_name in types:
        table.add_column(type_name, justify="right")
    table.add_column("total", justify="right")
    for component in components:
        row = [counts.get((component, t), 0) for t in types]
        table.add_row(component, *(str(n) if n else "" for n in row), str(sum(row)))
    totals = [sum(counts.get((c, t), 0) for c in components) for t in types]
    table.add_row("total", *(str(n) for n in totals), str(sum(totals)), style="bold")
    stderr.print(table)


def _print_diff(diff: PlanDiff) -> None:
    stderr.print(f"stack {diff.stack} against {diff.base[:12]}:", style="bold")
    if diff.empty:
        stderr.print("  no changes")
        return
    for urn in diff.create:
        stderr.print(f"  + create  {urn}", style="green", markup=False)
    for update in diff.update:
        note = ""
        if update.protect == (True, False):
            note = "  [protection removed]"
        elif update.protect == (False, True):
            note = "  [protection added]"
        stderr.print(
            f"  ~ update  {update.urn} ({', '.join(update.keys)}){note}",
            style="yellow",
            markup=False,
        )
    for delete in diff.delete:
        note = ""
        if delete.protect:
            note = "  [update will fail: protected]"
        elif delete.retain_on_delete:
            note = "  [kept in the cloud: retain_on_delete]"
        stderr.print(f"  - delete  {delete.urn}{note}", style="red", markup=False)
    stderr.print(
        f"  {len(diff.create)} to create, {len(diff.update)} to update, "
        f"{len(diff.delete)} to delete"
    )
