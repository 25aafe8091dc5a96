"""``k8s-infra preview`` and ``k8s-infra up``: the real engine, with credentials.

``all`` runs the stacks in dependency order: the groups first (grants name
them), then what is staged, the mirrors, and the proxy last. Production
stacks are never applied without a person: an interactive confirmation, or
``--yes`` together with ``--allow-prod``, which no script of this project
passes.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from infra.console.output import boundary, can_prompt, emit_json, report_error, stderr
from infra.core.errors import EXIT_DRIFT, K8sInfraError, ProblemsFound, UsageError
from infra.core.problems import Problems
from infra.declarations.application import cli_context
from infra.declarations.stacks import PRODUCTION_KEY, StackSettings, stack_names

if TYPE_CHECKING:
    from infra.engines import EngineRun, PolicyPack, Targets

ALL = "all"
FORMATS = ("text", "markdown")


def stream(line: str) -> None:
    """The engine's own output is for people: stderr, a line at a time."""
    sys.stderr.write(line.rstrip("\n") + "\n")


def readable_stacks(root: Path) -> dict[str, StackSettings]:
    """The stacks whose files can be read (validation reports the others)."""
    from infra.catalog.validation import load_stacks

    return load_stacks(root, Problems())


def production_stacks(
    root: Path, readable: Mapping[str, StackSettings] | None = None
) -> frozenset[str]:
    """The stacks a person applies (``k8s-infra:production: true``), and those whose
    file cannot be read: they may be production."""
    readable = readable_stacks(root) if readable is None else readable
    return frozenset(
        name
        for name in stack_names(root)
        if name not in readable or readable[name].values.get(PRODUCTION_KEY) is True
    )


def in_dependency_order(root: Path, known: Sequence[str]) -> list[str]:
    """``known`` in dependency order: by the first of their components in the catalog's
    order, production after the rest, then by name; stacks building nothing known last."""
    from infra import catalog

    rank = catalog.dependency_rank()
    readable = readable_stacks(root)
    production = production_stacks(root, readable)

    def key(name: str) -> tuple[int, bool, str]:
        settings = readable.get(name)
        components = settings.components if settings is not None else ()
        first = min((rank[c] for c in components if c in rank), default=len(rank))
        return first, name in production, name

    return sorted(known, key=key)


def ordered_stacks(root: Path, stack: str, known: Sequence[str]) -> list[str]:
    """``all`` in dependency order, or the one named."""
    if stack != ALL:
        if stack not in known:
            raise UsageError(
                f"unknown stack `{stack}`", "known stacks: " + ", ".join([*known, ALL])
            )
        return [stack]
    return in_dependency_order(root, known)


@contextmanager
def guard_rails(root: Path) -> Iterator[PolicyPack]:
    """The guard rails' pack, with its config made from the declarations under ``root``.

    The same config ``k8s-infra policy check`` uses, written to a file for
    ``--policy-pack-config`` that lives as long as the runs that read it.
    """
    from infra.engines import POLICY_PACK_DIR, PolicyPack
    from infra.guardrails.settings import policy_config

    problems = Problems()
    config = policy_config(root, problems)
    if problems.has_errors:
        raise ProblemsFound(problems.sorted())
    with tempfile.TemporaryDirectory(prefix="k8s-infra-policy-") as folder:
        target = Path(folder) / "policy-config.json"
        target.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        yield PolicyPack(POLICY_PACK_DIR, target)


REFRESH_HELP = "Read the cloud first, so changes made by hand show up (and get repaired)."


@boundary
def preview(
    ctx: typer.Context,
    stack: Annotated[str, typer.Argument(help="The stack to preview, or `all`.")],
    refresh: Annotated[bool, typer.Option("--refresh", help=REFRESH_HELP)] = False,
    expect_no_changes: Annotated[
        bool,
        typer.Option(
            "--expect-no-changes",
            help="Exit 5 when anything would change (drift detection), after the summary.",
        ),
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the summary of each stack as JSON on stdout.")
    ] = False,
    output_format: Annotated[
        str,
        typer.Option(
            "--format", help="`markdown`: print the summary as a Markdown table on stdout."
        ),
    ] = "text",
) -> None:
    """Preview a stack (or every stack) with the real Pulumi engine and the guard rails.

    Needs the Pulumi CLI and credentials. `all` previews every stack in
    dependency order and goes on past a failing one; the exit code is the
    first failure's. The guard rails' policy pack (policy-pack/, see
    `k8s-infra policy check`) runs on every resource; a violation fails the
    preview.

    [b]Examples[/b]

      k8s-infra preview staging

      k8s-infra preview groups --refresh

      k8s-infra preview all --refresh --expect-no-changes --format markdown > drift.md
    """
    from infra import engines

    if output_format not in FORMATS:
        raise UsageError(f"--format `{output_format}` is not known", "use text or markdown")
    if as_json and output_format != "text":
        raise UsageError("--json and --format markdown both print on stdout", "pick one")
    root = cli_context(ctx).root
    stacks = ordered_stacks(root, stack, stack_names(root))
    command = engines.pulumi_command()
    outcomes: list[tuple[str, EngineRun | K8sInfraError]] = []
    with guard_rails(root) as pack:
        for name in stacks:
            try:
                previewed = engines.run(root, name, "preview", stream, refresh=refresh,
                                        command=command, policy_pack=pack)  # fmt: skip
                outcomes.append((name, previewed))
            except K8sInfraError as error:
                report_error(error)
                outcomes.append((name, error))
    _report_previews(outcomes, as_json=as_json, markdown=output_format == "markdown")
    failures = [o for _, o in outcomes if isinstance(o, K8sInfraError)]
    if failures:
        raise typer.Exit(failures[0].exit_code)
    drifted = [name for name, o in outcomes if not isinstance(o, K8sInfraError) and o.changed]
    if expect_no_changes and drifted:
        stderr.print(
            f"error: changes expected to be none, but {', '.join(drifted)} would change",
            style="bold red",
        )
        raise typer.Exit(EXIT_DRIFT)


def _report_previews(
    outcomes: list[tuple[str, EngineRun | K8sInfraError]], *, as_json: bool, markdown: bool
) -> None:
    for _, outcome in outcomes:
        if not isinstance(outcome, K8sInfraError):  # failures were reported as they came
            stderr.print(outcome.summary())
    if as_json:
        emit_json({"stacks": [_outcome_json(name, o) for name, o in outcomes]})
    if markdown:
        sys.stdout.write(markdown_summary(outcomes))


def _outcome_json(name: str, outcome: EngineRun | K8sInfraError) -> dict[str, Any]:
    if isinstance(outcome, K8sInfraError):
        return {"stack": name, "error": outcome.message, "exit_code": outcome.exit_code}
    return outcome.to_json()


def markdown_summary(outcomes: list[tuple[str, EngineRun | K8sInfraError]]) -> str:
    """A table a job posts: one row per stack, what would change or why it failed."""
    changed = [n for n, o in outcomes if not isinstance(o, K8sInfraError) and o.changed]
    failed = [n for n, o in outcomes if isinstance(o, K8sInfraError)]
    title = (
        f"{len(changed)} of {len(outcomes)} stack(s) would change"
        + (f", {len(failed)} could not be previewed" if failed else "")
        if changed or failed
        else f"no changes in {len(outcomes)} stack(s)"
    )
    rows = ["| stack | changes |", "| --- | --- |"]
    for name, outcome in outcomes:
        if isinstance(outcome, K8sInfraError):
            cell = f"**failed**: {outcome.message}"
        else:
            cell = outcome.summary().split(": ", 1)[1]
        escaped = cell.replace("|", "\\|")
        rows.append(f"| `{name}` | {escaped} |")
    return "\n".join([f"### Preview: {title}", "", *rows, ""]) + "\n"


@boundary
def up(
    ctx: typer.Context,
    stack: Annotated[str, typer.Argument(help="The stack to update, or `all`.")],
    yes: Annotated[bool, typer.Option("--yes", help="Skip the confirmation prompt.")] = False,
    allow_prod: Annotated[
        bool,
        typer.Option(
            "--allow-prod",
            help="With --yes, also apply production stacks (registry-prod) without a prompt.",
        ),
    ] = False,
    refresh: Annotated[bool, typer.Option("--refresh", help=REFRESH_HELP)] = False,
) -> None:
    """Apply a stack (or every stack, in order) after a preview and a confirmation.

    Without a terminal, `--yes` is required. registry-prod is applied only
    after a person types its name, or with `--yes --allow-prod`.

    [b]Examples[/b]

      k8s-infra up staging

      k8s-infra up groups --yes

      k8s-infra up all
    """
    from infra import engines

    root = cli_context(ctx).root
    stacks = ordered_stacks(root, stack, stack_names(root))
    command = engines.pulumi_command()  # fail fast, before asking anything
    production = production_stacks(root)
    for name in stacks:
        check_may_apply(name, yes=yes, allow_prod=allow_prod, production=name in production)
    with guard_rails(root) as pack:
        for name in stacks:
            apply_stack(root, name, yes=yes, refresh=refresh, command=command, policy_pack=pack,
                        production=name in production)  # fmt: skip


def check_may_apply(
    stack: str, *, yes: bool, allow_prod: bool, production: bool, verb: str = "up"
) -> None:
    """Refuse, before anything runs, what would need a person who is not there.

    ``production``: the stack is one a person applies (see ``production_stacks``).
    ``verb`` is the command asking (`up`, `adopt`...), named in the message.
    """
    if production and yes and not allow_prod:
        raise UsageError(
            f"`{stack}` is a production stack: --yes alone does not apply it",
            "run it at a terminal and confirm, or add --allow-prod (never in a script)",
        )
    if not yes and not can_prompt():
        raise UsageError(
            f"`{verb} {stack}` needs a confirmation and there is no terminal",
            "review `k8s-infra preview` first, then pass --yes",
        )


def apply_stack(
    root: Path,
    stack: str,
    *,
    yes: bool,
    production: bool,
    refresh: bool = False,
    targets: Targets | None = None,
    command: Any = None,
    policy_pack: PolicyPack | None = None,
) -> EngineRun | None:
    """Preview, ask, update; with ``yes`` (checked by ``check_may_apply``), update at once.

    Returns the update's summary, or None when nothing was applied.
    """
    from infra import engines

    options: dict[str, Any] = {
        "refresh": refresh, "targets": targets, "command": command, "policy_pack": policy_pack,
    }  # fmt: skip
    if not yes:
        previewed = engines.run(root, stack, "preview", stream, **options)
        stderr.print(previewed.summary())
        if not previewed.changed:
            stderr.print(f"nothing to apply to stack {stack}")
            return None
        serious = show_changes(previewed)
        if not confirm_apply(stack, serious=bool(serious), production=production):
            stderr.print(f"nothing applied to stack {stack}")
            return None
    updated = engines.run(root, stack, "up", stream, **options)
    stderr.print(updated.summary(), style="green")
    return updated


def show_changes(previewed: EngineRun) -> list[Any]:
    """Each resource the preview changes, replaces or deletes, input by input (live → program).

    The same listing adopt prints. Returns the replacements and deletions of
    live objects the adoption table imports: never routine.
    """
    from infra.adoption.steps import changing, classify, not_routine, report_lines

    verdicts = classify(previewed.steps)
    changed = changing(verdicts)
    if changed:
        stderr.print(f"{len(changed)} resource(s) of stack {previewed.stack} change:")
        for line in report_lines(changed):
            stderr.print(line, markup=False)
    serious = not_routine(verdicts)
    if serious:
        stderr.print(
            f"warning: {len(serious)} live resource(s) would be replaced or deleted: "
            + ", ".join(v.name for v in serious),
            style="bold yellow",
            markup=False,
        )
    return serious


def confirm_apply(stack: str, *, production: bool, serious: bool = False) -> bool:
    """y/N; the stack's name typed for production, or for a replacement or deletion."""
    if production or serious:
        question = (
            f"{stack} is a production stack. Type its name to apply these changes"
            if production
            else f"These changes replace or delete live resources. Type {stack} to apply them"
        )
        typed = typer.prompt(
            question,
            default="",
            show_default=False,
            err=True,
        )
        return bool(typed.strip() == stack)
    return typer.confirm(f"Apply these changes to stack {stack}?", err=True)


class PulumiOperations:
    """The engines' operations a concern's command asks for (``declarations.application``):
    the same guard rails, prompts and production rule as ``up``."""

    def in_order(self, root: Path, stacks: Sequence[str]) -> list[str]:
        return in_dependency_order(root, stacks)

    def check_may_apply(self, root: Path, stack: str, *, yes: bool) -> None:
        production = stack in production_stacks(root)
        check_may_apply(stack, yes=yes, allow_prod=False, production=production)

    def plan(self, root: Path, stacks: Sequence[str]) -> list[Mapping[str, Any]]:
        from infra.cli.plan_cache import open_plan_cache
        from infra.console.progress import plan_progress
        from infra.planner.cache import run_cached
        from infra.planner.runner import PlanFailed, PlanRequest

        # the plan `plan` shows: answered from the same cache, under the same checks
        requests = [PlanRequest(stack, root) for stack in stacks]
        plan_cache = open_plan_cache(root)
        with plan_progress(None, len(stacks)) as (on_done, on_progress):
            results = run_cached(requests, plan_cache, None, on_done, on_progress)
        for result in results:
            if result.plan is None:
                raise PlanFailed(result)
        return [result.plan or {} for result in results]

    def preview(self, root: Path, stack: str, targets: Targets | None, command: Any) -> None:
        from infra import engines

        with guard_rails(root) as pack:
            previewed = engines.run(root, stack, "preview", stream, targets=targets,
                                    command=command, policy_pack=pack)  # fmt: skip
            stderr.print(previewed.summary())
            show_changes(previewed)

    def apply(
        self, root: Path, stack: str, targets: Targets | None, command: Any, *, yes: bool
    ) -> None:
        production = stack in production_stacks(root)
        with guard_rails(root) as pack:
            apply_stack(root, stack, yes=yes, production=production, targets=targets,
                        command=command, policy_pack=pack)  # fmt: skip
