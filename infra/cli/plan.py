"""``k8s-infra plan``: the offline plan of one stack or all, optionally against a base."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich import box
from rich.table import Table

from infra.console.output import boundary, emit_json, print_problems, stderr
from infra.console.progress import plan_progress
from infra.core.errors import EXIT_PROBLEMS, K8sInfraError, ProblemsFound, UsageError
from infra.core.problems import Position, Problem, Problems
from infra.declarations.application import cli_context
from infra.declarations.layout import stack_path
from infra.declarations.stacks import PRODUCTION_KEY, SERVES_PRODUCTION_KEY, stack_names

if TYPE_CHECKING:
    from infra.declarations.allowances import Allowance
    from infra.planner.cache import PlanCache
    from infra.planner.compare import Compared
    from infra.planner.diff import PlanDiff
    from infra.planner.runner import PlanRequest, PlanResult
    from infra.review.dangers import Danger

ALL = "all"
# The most the "who gains what" section may take of the first page.
ACCESS_ROOM = 20_000
STYLES = {"+": "green", "~": "yellow", "-/+": "magenta", "-": "red", "": ""}


class Format(StrEnum):
    text = "text"
    markdown = "markdown"


class StrictCheckFailed(K8sInfraError):
    """``--strict`` found changes that cannot or should not be applied as written."""

    exit_code = EXIT_PROBLEMS


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
    output_format: Annotated[
        Format,
        typer.Option("--format", help="With --base: `markdown` prints the PR summary on stdout."),
    ] = Format.text,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="With --base: exit 1 on deleting or replacing a protected resource, replacing "
            "one that holds data or identity (project, bucket, repository, service account, "
            "address, certificate), removing protection or a new public grant, unless "
            "infra/allowed-changes.yaml allows it.",
        ),
    ] = False,
    jobs: Annotated[
        int | None, typer.Option("--jobs", "-j", min=1, help="Plans run at once (default: CPUs).")
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Plan every stack again; neither read nor store.")
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="DIR",
            help="With --format markdown: write the summary as comments of at most 65,536 "
            "characters, DIR/summary.md then summary-2.md..., instead of printing it.",
        ),
    ] = None,
    guardrails: Annotated[
        Path | None,
        typer.Option(
            "--guardrails",
            metavar="FILE",
            help="With --format markdown: the output of `policy check all --json`, whose "
            "violations head the summary's list of dangers.",
        ),
    ] = None,
) -> None:
    """Plan a stack offline: run its program under mocks and list every resource.

    Needs no Pulumi CLI and no credentials. Provider-side checks (API validation,
    quotas, existing resources) only happen in a real `pulumi preview`. Plans are
    kept in the user's cache folder (K8S_INFRA_CACHE) by the content of the files
    they are made from: unchanged inputs answer at once.

    [b]Examples[/b]

      k8s-infra plan staging

      k8s-infra plan all --json > plan.json

      k8s-infra plan staging --base origin/main

      k8s-infra plan all --base origin/main --format markdown > summary.md

      k8s-infra plan all --base origin/main --format markdown --out artifacts/

      k8s-infra plan all --base origin/main --json --strict > plan-diff.json
    """
    root = cli_context(ctx).root
    _check_options(base, as_json, output_format, strict)
    if (out is not None or guardrails is not None) and output_format is not Format.markdown:
        raise UsageError("--out and --guardrails shape the summary", "add --format markdown")
    known = stack_names(root)
    if stack != ALL and stack not in known:
        raise UsageError(
            f"unknown stack `{stack}`",
            "known stacks: " + ", ".join([*known, ALL]),
        )
    from infra.cli.plan_cache import open_plan_cache
    from infra.planner.runner import PlanRequest

    plan_cache = None if no_cache else open_plan_cache(root)
    names = known if stack == ALL else [stack]
    # Invalid declarations are reported here, with their positions, before any
    # program runs (a base commit's own program checks its own declarations).
    # Each stack plans from its own files: an error elsewhere does not hide it.
    found_in_allowances = Problems()
    allowances = _allowances(root, found_in_allowances) if base is not None else []
    problems, planned = _checked(root, names, plan_cache, found_in_allowances)
    requests = [PlanRequest(name, root) for name in planned]
    if base is None:
        if not problems.has_errors:
            print_problems(problems.sorted())
        _plan_only(requests, plan_cache, jobs, as_json=as_json, single=stack != ALL)
    else:
        markdown_to = _MarkdownTo(out, guardrails) if output_format is Format.markdown else None
        _plan_against(root, base, requests, plan_cache, jobs, allowances, problems.sorted(),
                      as_json=as_json, markdown_to=markdown_to, strict=strict,
                      single=stack != ALL)  # fmt: skip
    if problems.has_errors:
        _fail_after_plans(problems, names, planned, printed=base is not None)


def _checked(
    root: Path, names: list[str], plan_cache: PlanCache | None, found_in_allowances: Problems
) -> tuple[Problems, list[str]]:
    """Every problem of the declarations (and of the allow file, found before), and the
    stacks whose own files have no error.

    A stack not planned is named by an error at its stack file; when no stack
    can be planned, the command stops here with every problem.
    """
    from infra.planner.checked import blocked_stacks, check_declarations

    check = check_declarations(root, plan_cache)
    problems = Problems()
    problems.extend(check.problems)
    problems.extend(found_in_allowances)
    found = problems.sorted()
    blocked = blocked_stacks(root, names, found, check.across)
    planned = [name for name in names if not blocked[name]]
    if not planned:
        raise ProblemsFound(found)
    for name in names:
        if blocked[name]:
            problems.error(
                Position(stack_path(name)),
                f"stack `{name}` is not planned: {len(blocked[name])} error(s) in the files it "
                "reads",
                "fix the errors listed for its files; the other stacks' plans are shown",
            )
    return problems, planned


def _fail_after_plans(
    problems: Problems, names: list[str], planned: list[str], *, printed: bool
) -> None:
    """Exit 1 once the plans that could be made are shown, naming what stopped the rest."""
    if not printed:
        print_problems(problems.sorted())
    errors = sum(1 for p in problems if p.severity == "error")
    left = [name for name in names if name not in planned]
    raise K8sInfraError(
        f"{errors} error(s) in the declarations"
        + (
            f"; not planned: {', '.join(left)}" if left else "; the stacks planned do not read them"
        ),
        "run `k8s-infra validate` for every problem with its position",
    )


def _check_options(base: str | None, as_json: bool, output_format: Format, strict: bool) -> None:
    if base is not None:
        # The base is checked before anything else runs, git included.
        from infra.planner.worktree import InvalidBase, check_commitish

        try:
            check_commitish(base)
        except InvalidBase as error:
            raise UsageError(f"--base: {error.message}", error.hint) from None
    if base is None and (output_format is Format.markdown or strict):
        flag = "--strict" if strict else "--format markdown"
        raise UsageError(
            f"{flag} compares with a base", f"add --base, e.g. {flag} --base origin/main"
        )
    if as_json and output_format is Format.markdown:
        raise UsageError(
            "--json and --format markdown both print on stdout",
            "run twice: the second run answers from the plan cache",
        )


@dataclass(frozen=True)
class _MarkdownTo:
    out: Path | None  # a folder for the pages, None: stdout
    guardrails: Path | None  # policy check's JSON


def _allowances(root: Path, problems: Problems) -> list[Allowance]:
    from infra.declarations.allowances import load_allowances

    return load_allowances(root, problems)


# --- one plan per stack ----------------------------------------------------------


def _plan_only(
    requests: list[PlanRequest],
    plan_cache: PlanCache | None,
    jobs: int | None,
    *,
    as_json: bool,
    single: bool,
) -> None:
    from infra.planner.cache import run_cached
    from infra.planner.runner import PlanFailed

    with plan_progress(plan_cache, len(requests)) as (on_done, on_progress):
        results = run_cached(requests, plan_cache, jobs, on_done, on_progress)
    failed = [r for r in results if r.plan is None]
    for result in failed[1:]:
        _print_failure(result)
    if failed:
        raise PlanFailed(failed[0])
    plans = [r.plan for r in results if r.plan is not None]
    if as_json:
        emit_json(plans[0] if single else {"stacks": plans})
        return
    for result in results:
        _print_plan(result)


def _print_failure(result: PlanResult) -> None:
    from infra.console.output import report_error
    from infra.planner.runner import PlanFailed

    report_error(PlanFailed(result))


def _module(token: str) -> str:
    """``gcp:artifactregistry/repository:Repository`` -> ``gcp/artifactregistry``."""
    pieces = token.split(":")
    return f"{pieces[0]}/{pieces[1].split('/')[0]}" if len(pieces) == 3 else token


def _print_plan(result: PlanResult) -> None:
    """A line of totals, the components by kind, and a row per resource type (80 columns)."""
    plan = result.plan or {}
    resources = plan.get("resources", [])
    custom = [r for r in resources if r["custom"]]
    components = Counter(r["type"].rsplit(":", 1)[-1] for r in resources
                         if not r["custom"] and r["parent"] is None)  # fmt: skip
    when = (
        "from the cache: inputs unchanged" if result.cached else f"planned in {result.seconds:.1f}s"
    )
    protected = sum(1 for r in custom if r["protect"])
    read = sum(1 for r in resources if r["mode"] == "read")
    stderr.print(
        f"stack {plan.get('stack')}: {len(custom):,} resources, {protected} protected, "
        f"{read} read ({when})",
        style="bold",
        markup=False,
    )
    if components:
        shown = ", ".join(f"{n} {kind}" for kind, n in sorted(components.items()))
        stderr.print(f"components: {shown}", markup=False)
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for header, justify in (("type", "left"), ("provider/module", "left"), ("count", "right"),
                            ("protected", "right"), ("kept", "right")):  # fmt: skip
        table.add_column(header, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    rows: Counter[str] = Counter(r["type"] for r in custom)
    for token in sorted(rows, key=lambda t: (_module(t), t)):
        of_type = [r for r in custom if r["type"] == token]
        table.add_row(
            token.rsplit(":", 1)[-1], _module(token), f"{rows[token]:,}",
            str(sum(1 for r in of_type if r["protect"])),
            str(sum(1 for r in of_type if r["retain_on_delete"])),
        )  # fmt: skip
    table.add_row("total", "", f"{len(custom):,}", str(protected),
                  str(sum(1 for r in custom if r["retain_on_delete"])), style="bold")  # fmt: skip
    stderr.print(table)


# --- against a base ----------------------------------------------------------------


def _plan_against(
    root: Path,
    ref: str,
    requests: list[PlanRequest],
    plan_cache: PlanCache | None,
    jobs: int | None,
    allowances: list[Allowance],
    problems: list[Problem],
    *,
    as_json: bool,
    markdown_to: _MarkdownTo | None,
    strict: bool,
    single: bool,
) -> None:
    from infra.planner.compare import compare
    from infra.planner.worktree import checkout, resolve_commit
    from infra.review.dangers import apply_allowances, find_dangers

    sha = resolve_commit(root, ref)
    with checkout(root, sha) as tree, plan_progress(plan_cache) as (on_done, on_progress):
        compared = compare(requests, tree, sha, plan_cache, jobs, on_done, on_progress)
    diffs = [c.diff for c in compared]
    dangers = apply_allowances([d for diff in diffs for d in find_dangers(diff)], allowances)
    if markdown_to is not None:
        _emit_markdown(root, sha, compared, dangers, problems, markdown_to)
    else:
        # The diff is what a reviewer reads in a CI log: it goes to stderr in both
        # modes, and the JSON (with --json) to stdout.
        print_problems(problems)
        _print_diffs(diffs, dangers)
    if as_json:
        documents = [_diff_json(diff, dangers) for diff in diffs]
        emit_json(documents[0] if single else {"stacks": documents})
    refused = [d for d in dangers if d.refused]
    if strict and refused:
        for danger in refused:
            stderr.print(f"error: {danger.line()}", style="red", markup=False)
        raise StrictCheckFailed(
            f"--strict: {len(refused)} change(s) cannot or should not be applied as written",
            "if a change is meant, allow it in infra/allowed-changes.yaml "
            "(stack, resource, change, reason; docs/reviewer.md)",
        )


def _diff_json(diff: PlanDiff, dangers: list[Danger]) -> dict[str, Any]:
    from infra.review.report import leaves_json

    document = diff.to_json()
    for entry, update in zip(document["update"], diff.update, strict=True):
        entry["leaves"] = leaves_json(update)
    document["dangers"] = [d.to_json() for d in dangers if d.stack == diff.stack]
    return document


def _emit_markdown(
    root: Path,
    sha: str,
    compared: list[Compared],
    dangers: list[Danger],
    problems: list[Problem],
    to: _MarkdownTo,
) -> None:
    import sys

    from infra.planner.worktree import head_commit
    from infra.review.graphs import StackChanges, changes_picture
    from infra.review.summary import SummaryInput, page_name, pages

    changed = [
        StackChanges(c.diff, c.head.plan or {}, (c.base.plan if c.base else None) or {})
        for c in compared
        if not c.diff.empty
    ]
    picture = changes_picture(changed) if changed else None
    head, dirty = head_commit(root)
    checked = _guardrails(to.guardrails)
    from infra.access.section import access_section

    access = access_section(compared, limit=ACCESS_ROOM, production=production_access(root))
    summary = SummaryInput(sha, [c.diff for c in compared], dangers, picture, problems, head,
                           dirty, *checked, access=access)  # fmt: skip
    written = pages(summary)
    if to.out is None:
        sys.stdout.write("\n".join(written))
        sys.stdout.flush()
        return
    to.out.mkdir(parents=True, exist_ok=True)
    for stale in to.out.glob("summary-*.md"):
        stale.unlink()
    for number, text in enumerate(written, start=1):
        (to.out / page_name(number)).write_text(text, encoding="utf-8")
    stderr.print(f"summary: {len(written)} page(s) in {to.out}", markup=False)


def production_access(root: Path) -> frozenset[str]:
    """The stacks where new access counts as a danger: the production stacks and those
    holding the production images (their files say so)."""
    from infra.cli.pulumi_ops import readable_stacks

    return frozenset(
        name
        for name, settings in readable_stacks(root).items()
        if settings.values.get(PRODUCTION_KEY) is True
        or settings.values.get(SERVES_PRODUCTION_KEY) is True
    )


def _guardrails(file: Path | None) -> tuple[Any, int, int]:
    """(violations, policies, resources) from ``policy check --json``'s file; (None, 0, 0)
    without one."""
    import json

    if file is None:
        return None, 0, 0
    from infra.guardrails.checks import policies
    from infra.review.summary import findings

    try:
        document = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise UsageError(f"--guardrails: cannot read {file}: {error}", None) from None
    violations, resources = findings(document)
    return violations, len(policies()), resources


def _print_diffs(diffs: list[PlanDiff], dangers: list[Danger]) -> None:
    from infra.review.report import change_lines, counts_text

    if dangers:
        stderr.print("dangerous changes:", style="bold red")
        for danger in dangers:
            style = "red" if danger.refused else "yellow"
            stderr.print(f"  {danger.line()}", style=style, markup=False)
    for diff in diffs:
        stderr.print(f"stack {diff.stack} against {diff.base[:12]}: {counts_text(diff)}",
                     style="bold", markup=False)  # fmt: skip
        for line in change_lines(diff):
            stderr.print(f"  {line.text}", style=STYLES[line.mark], markup=False)
    if len(diffs) > 1:
        stderr.print(_counts_table(diffs))


def _counts_table(diffs: list[PlanDiff]) -> Table:
    """A row per stack: counts per kind of change (80 columns)."""
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("stack", no_wrap=True)
    for kind in ("create", "update", "replace", "delete"):
        table.add_column(kind, justify="right", no_wrap=True)
    table.add_column("", no_wrap=True)
    for diff in diffs:
        counts = diff.counts()
        table.add_row(diff.stack, *(str(counts[k]) for k in counts), _quiet_note(diff))
    return table


def _quiet_note(diff: PlanDiff) -> str:
    if not diff.empty:
        return ""
    return "inputs unchanged" if diff.inputs_unchanged else "no changes"
