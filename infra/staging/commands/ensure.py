"""``k8s-infra staging ensure [NAME...]``: bring named staging projects and registries up to date.

The replacement of ``ensure-staging-storage.sh [name...]``: each name's
resources and what they depend on are picked from the offline plan, and a
targeted update of the stack holding them runs through the Automation API.
Names declared nowhere are reported and skipped, as the script did, and make
the command exit 1 at the end.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from infra.console.output import boundary, stderr
from infra.core.errors import EXIT_PROBLEMS, ProblemsFound, UsageError
from infra.core.names import REGISTRY_NAME_MAX, staging_name
from infra.core.problems import Problems
from infra.declarations.application import cli_context

if TYPE_CHECKING:
    from infra.declarations.application import DeclarationsReader, StackOperations
    from infra.staging.commands.selection import PlanIndex, Selection, Unit

# The components whose projects and registries `staging ensure` manages.
STAGING_COMPONENTS = ("staging", "staging-images")


@boundary
def ensure(
    ctx: typer.Context,
    names: Annotated[
        list[str] | None,
        typer.Argument(
            help="`foo` or `k8s-staging-foo` (a staging project), or a registry name; "
            "none: the whole stacks.",
            show_default=False,
        ),
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Apply without the preview and prompt.")] = (
        False
    ),
    preview_only: Annotated[
        bool, typer.Option("--preview-only", help="Stop after the (targeted) preview.")
    ] = False,
    from_diff: Annotated[
        Path | None,
        typer.Option(
            "--from-diff",
            metavar="FILE",
            help="Ensure what a `plan all --base REF --json` diff creates or updates "
            "(the whole stack where it deletes).",
        ),
    ] = None,
) -> None:
    """Create or update named staging projects and registries, and nothing else.

    Picks each name's resources, and everything they depend on, from the
    offline plan, previews a targeted update (Pulumi's --target) of the stack
    holding them, asks, then applies. Needs the Pulumi CLI and credentials.

    [b]Examples[/b]

      k8s-infra staging ensure kwok

      k8s-infra staging ensure k8s-staging-foo bar --preview-only

      k8s-infra staging ensure kueue --yes

      k8s-infra staging ensure --from-diff plan-diff.json --yes
    """
    from infra import engines
    from infra.staging.commands.selection import find_units

    if names and from_diff:
        raise UsageError("give names or --from-diff, not both")
    names = [_checked(name) for name in names or []] or None
    root = cli_context(ctx).root
    ops = cli_context(ctx).operations
    command = engines.pulumi_command()  # fail fast, before the plans
    stacks = _staging_stacks(root, ops, cli_context(ctx).declarations)
    if not preview_only:
        for stack in stacks:
            ops.check_may_apply(root, stack, yes=yes)
    run = _Run(root, ops, command, yes=yes, preview_only=preview_only)
    diffs = _read_diff(from_diff) if from_diff else None
    if not names and diffs is None:
        for stack in stacks:
            run(stack, None)
        return
    indexes = _plan_indexes(root, ops, stacks)
    if diffs is None:
        units, unknown = find_units(indexes, names or [])
        whole: tuple[str, ...] = ()
    else:
        (units, whole), unknown = _changed(indexes, diffs), []
    for name in unknown:
        stderr.print(
            f"error: `{name}` is declared nowhere: no staging project `k8s-staging-{name}` "
            "or registry of that name; skipped",
            style="red",
            markup=False,
        )
    for stack in whole:
        run(stack, None)
    targeted = [u for u in units if u.stack not in whole]
    _ensure_units(indexes, targeted, run)
    if unknown:
        raise typer.Exit(EXIT_PROBLEMS)


def _checked(given: str) -> str:
    """The name rule of `staging new`, with a registry's longer bound."""
    name, problem = staging_name(given, longest=REGISTRY_NAME_MAX)
    if problem is not None:
        raise UsageError(*problem)
    return name


def _staging_stacks(root: Path, ops: StackOperations, reader: DeclarationsReader) -> list[str]:
    """The stacks building staging components, in dependency order; declarations checked."""
    problems = Problems()
    declarations = reader.load(root, problems)
    if problems.has_errors or declarations is None:
        raise ProblemsFound(problems.sorted())
    building = [
        stack
        for stack, settings in declarations.stacks.items()
        if set(settings.components) & set(STAGING_COMPONENTS)
    ]
    return [s for s in ops.in_order(root, sorted(declarations.stacks)) if s in building]


def _read_diff(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise UsageError(
            f"--from-diff: cannot read `{path}`: {error}",
            "give the JSON of `k8s-infra plan all --base REF --json`",
        ) from None
    found = data.get("stacks", [data]) if isinstance(data, dict) else None
    if not isinstance(found, list) or not all(isinstance(d, dict) for d in found):
        raise UsageError(
            f"--from-diff: `{path}` is not a plan diff",
            "give the JSON of `k8s-infra plan all --base REF --json`",
        )
    return found


def _plan_indexes(root: Path, ops: StackOperations, stacks: list[str]) -> list[PlanIndex]:
    from infra.staging.commands.selection import PlanIndex

    stderr.print(f"planning {', '.join(stacks)} offline to pick the targets")
    plans = ops.plan(root, stacks)
    return [PlanIndex(stack, plan) for stack, plan in zip(stacks, plans, strict=True)]


def _changed(
    indexes: list[PlanIndex], diffs: list[dict[str, Any]]
) -> tuple[list[Unit], tuple[str, ...]]:
    """The units a merge changed, and the stacks to ensure whole."""
    from infra.staging.commands.selection import changed_units

    changed = changed_units(indexes, diffs)
    for stack in changed.whole_stacks:
        stderr.print(f"{stack}: the merge deletes resources or changes some outside a project")
    if not changed.units and not changed.whole_stacks:
        stderr.print("the merge changed no staging project or registry")
    return list(changed.units), changed.whole_stacks


def _ensure_units(indexes: list[PlanIndex], units: list[Unit], run: _Run) -> None:
    from infra.staging.commands.selection import select

    for selection in select(indexes, units):
        _describe(selection)
        run(selection.stack, selection)


def _describe(selection: Selection) -> None:
    stderr.print(
        f"{selection.stack}: "
        + "; ".join(u.describe() for u in selection.units)
        + f"; {len(selection.urns)} targets"
        + (" and their dependents" if selection.dependents else ""),
        markup=False,
    )


class _Run:
    """One stack's (targeted) preview, or its update through the engines' operations."""

    def __init__(
        self, root: Path, ops: StackOperations, command: Any, *, yes: bool, preview_only: bool
    ) -> None:
        self.root, self.ops, self.command = root, ops, command
        self.yes, self.preview_only = yes, preview_only

    def __call__(self, stack: str, selection: Selection | None) -> None:
        from infra import engines

        targets = (
            engines.Targets(selection.urns, selection.dependents) if selection is not None else None
        )
        if self.preview_only:
            self.ops.preview(self.root, stack, targets, self.command)
        else:
            self.ops.apply(self.root, stack, targets, self.command, yes=self.yes)
