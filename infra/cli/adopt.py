"""``k8s-infra adopt STACK``: the first ``up`` of a stack whose resources already live.

Steps, each with the real engine: plan offline and derive every imported
resource's id (``infra.adoption.ids``); write the id map
``stacks/imports/<stack>.json`` under the data root; an import preview,
whose every step is read (``infra.adoption.steps``): an update, replacement
or deletion, or an import the engine follows with an update, stops adopt
before the update, listing each differing input, unless the reviewed file
``stacks/accepted-differences.yaml`` accepts exactly those
(``infra.adoption.accepted``); a confirmation; the update, with the map; a
preview without the map, which must show no changes. The map is removed at
the end, whatever happened: it is derived from the declarations and written
afresh by every run, and the program reads it only when adopt names it (a
rerun after a failed update is safe: a resource already in the state under
its id is not imported again).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer

from infra.cli.pulumi_ops import (
    check_may_apply,
    confirm_apply,
    guard_rails,
    in_dependency_order,
    production_stacks,
    stream,
)
from infra.console.output import boundary, stderr
from infra.core.environment import IMPORTS_ENV
from infra.core.errors import EXIT_PROBLEMS, K8sInfraError, ProblemsFound, UsageError
from infra.declarations.application import cli_context
from infra.declarations.stacks import UnreadableStackFile, stack_config, stack_names


@boundary
def adopt(
    ctx: typer.Context,
    stack: Annotated[str, typer.Argument(help="The stack to adopt (one at a time).")],
    names: Annotated[
        list[str] | None,
        typer.Argument(
            help="Only these staging projects or registries (`foo`, `k8s-staging-foo`), "
            "a targeted run as `staging ensure` makes; none: the whole stack.",
            show_default=False,
        ),
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", help="Skip the confirmation after the import preview.")
    ] = False,
    allow_prod: Annotated[
        bool,
        typer.Option("--allow-prod", help="With --yes, also adopt registry-prod without a prompt."),
    ] = False,
    live_ids: Annotated[
        list[str] | None,
        typer.Option(
            "--id",
            help="NAME=ID: the id a service generated for a resource (alert policies, "
            "notification channels, uptime checks, quota overrides); adopt says which.",
        ),
    ] = None,
) -> None:
    """Take over a live stack: import preview, confirmation, update, a preview without changes.

    Needs the Pulumi CLI and credentials. Every step of the import preview
    is read: an update, replacement or deletion (an import the engine
    follows with an update included) stops adopt before anything is
    applied, even with --yes, and prints each differing input, live value
    → program value. Only differences accepted in
    stacks/accepted-differences.yaml let it go on. Values no offline check
    can confirm are listed first. The groups stack is adopted by its first
    `up` instead.

    [b]Examples[/b]

      k8s-infra adopt staging-images

      k8s-infra adopt staging kwok zeitgeist

      k8s-infra adopt registry-prod --id registry-proxy-monitoring-email=1533
    """
    from infra import engines
    from infra.adoption.ids import adoption_steps
    from infra.adoption.imports import map_path, remove_map, write_map
    from infra.adoption.unchecked import unchecked_values

    root = cli_context(ctx).root
    _check_adoptable(root, stack)
    given = _parse_ids(live_ids or [])
    production = stack in production_stacks(root)
    check_may_apply(stack, yes=yes, allow_prod=allow_prod, production=production, verb="adopt")
    command = engines.pulumi_command()  # fail fast, before the plan
    behaviour = engines.import_behaviour(command.version)
    stderr.print(behaviour.describe(), markup=False)
    for warning in behaviour.warnings:
        stderr.print(f"warning: {warning}", style="yellow", markup=False)
    accepted = _read_accepted(root)

    plan = _offline_plan(root, stack)
    targets = _targets(stack, plan, names or [])
    targeted = set(targets.urns) if targets is not None else None
    resources = [r for r in plan["resources"] if targeted is None or r["urn"] in targeted]
    steps = adoption_steps(resources, _target(root, stack), given)
    ids = {s.urn: s.id for s in steps if s.action == "import" and s.id}
    _report_steps(stack, steps)
    _report_unchecked(unchecked_values(resources, steps))

    path = map_path(root, stack)
    created = write_map(path, ids)
    stderr.print(f"wrote {len(ids)} import ids to {path}")
    env = {IMPORTS_ENV: str(path)}
    # The guard rails judge what adoption takes over, as they judge every preview and up.
    with guard_rails(root) as pack:
        options: dict[str, Any] = {"command": command, "targets": targets, "policy_pack": pack}
        try:
            previewed = engines.run(root, stack, "preview", stream, env=env, **options)
            stderr.print(f"import {previewed.summary()}")
            _review_steps(stack, previewed, accepted)
            if not yes and not confirm_apply(stack, production=production):
                stderr.print(f"nothing adopted in stack {stack}")
                return
            updated = engines.run(root, stack, "up", stream, env=env, **options)
            stderr.print(updated.summary(), style="green")
        finally:
            remove_map(path, created)
            stderr.print(f"removed {path}")
        final = engines.run(root, stack, "preview", stream, **options)
    stderr.print(final.summary())
    if final.changed:
        stderr.print(
            f"error: stack {stack} still differs from the program after adoption "
            "(hint: the preview above shows what; fix the declarations, then `k8s-infra up`)",
            style="bold red",
        )
        raise typer.Exit(EXIT_PROBLEMS)
    stderr.print(f"stack {stack} adopted: {len(ids)} imported, no changes left", style="green")


def _read_accepted(root: Path) -> list[Any]:
    """The reviewed accepted differences; a problem in the file stops adopt before anything."""
    from infra.adoption.accepted import accepted_path, read_accepted
    from infra.core.problems import Problems

    path = accepted_path(root)
    problems = Problems()
    try:
        display = str(path.relative_to(root))
    except ValueError:
        display = str(path)
    found = read_accepted(path, display, problems)
    if problems.has_errors:
        raise ProblemsFound(problems.sorted())
    return found


def _review_steps(stack: str, previewed: Any, accepted: list[Any]) -> None:
    """Stop (exit 1) unless every step is fine or an accepted difference; say what was read."""
    from infra.adoption.accepted import judge
    from infra.adoption.steps import classify, counts, report_lines

    verdicts = classify(previewed.steps)
    tally = counts(verdicts)
    stderr.print(
        f"import preview of {stack}: {len(previewed.steps)} steps read, "
        f"{len(verdicts)} resources: {tally.get('fine', 0)} imported, created idempotently "
        f"or unchanged, {tally.get('difference', 0)} updated, {tally.get('refused', 0)} "
        "replaced, deleted or created in place of an import",
        markup=False,
    )
    unexplained = _unexplained_changes(previewed, verdicts)
    judgement = judge(stack, verdicts, accepted)
    if judgement.accepted:
        stderr.print(f"accepted differences ({len(judgement.accepted)} resources):")
        for line in report_lines(judgement.accepted):
            stderr.print(line, markup=False)
    for urn, prop in judgement.not_occurred:
        stderr.print(f"  accepted, did not occur: {urn} {prop}", markup=False)
    if judgement.may_proceed and not unexplained:
        return
    if judgement.unaccepted:
        stderr.print(
            f"error: adopting {stack} would change {len(judgement.unaccepted)} live "
            "resource(s); nothing was applied:",
            style="bold red",
        )
        for line in report_lines(judgement.unaccepted):
            stderr.print(line, markup=False)
    if unexplained:
        stderr.print(
            f"error: the preview counted {unexplained} but sent no such step; nothing was applied",
            style="bold red",
            markup=False,
        )
    stderr.print(
        "hint: fix the declarations (or stack config) until the import preview has no "
        "differences, or accept a difference the review wants in "
        "stacks/accepted-differences.yaml (URN, properties, reason); then run adopt again",
        markup=False,
    )
    raise typer.Exit(EXIT_PROBLEMS)


def _unexplained_changes(previewed: Any, verdicts: list[Any]) -> str:
    """Changes the summary counts that no step read shows: a preview never taken on trust."""
    from infra.adoption.steps import FINE_OPS

    seen = {op for v in verdicts for op in v.ops}
    missing = [
        f"{n} {op}"
        for op, n in sorted(previewed.changes.items())
        if n and op not in FINE_OPS and op not in seen
    ]
    return ", ".join(missing)


def _adopted_by_create(root: Path, stack: str) -> bool:
    """Whether every resource type the stack's concerns declare is adopted by its own
    create (a dynamic resource, such as a Google Group, cannot be imported). A stack
    file with errors stops here, its problems named, before any engine runs."""
    from infra import catalog
    from infra.core.problems import Problems
    from infra.declarations.resources import Created
    from infra.declarations.stacks import load_stack_settings

    problems = Problems()
    settings = load_stack_settings(root, stack, problems, catalog.stack_schema())
    if settings is None or problems.has_errors:
        raise ProblemsFound(problems.sorted())  # before any engine: the file named, at its line
    facts = [f for c in catalog.CONCERNS if c.name in settings.components for f in c.resources]
    return bool(facts) and all(isinstance(f.adoption, Created) for f in facts)


def _targets(stack: str, plan: dict[str, Any], names: list[str]) -> Any:
    """The targeted run over the named parts (projects, registries...), as the concern
    that picks parts of plans picks them for its own commands."""
    if not names:
        return None
    from infra import catalog, engines

    pickers = [c.picks for c in catalog.CONCERNS if c.picks is not None]
    if not pickers:
        raise UsageError(
            "no concern picks named parts of a stack",
            f"run `k8s-infra adopt {stack}` without names",
        )
    found = [pick(stack, plan, names) for pick in pickers]
    picked = next((p for p in found if not p.unknown), found[0])
    if picked.unknown:
        raise K8sInfraError(
            f"not in stack {stack}: " + ", ".join(f"`{n}`" for n in picked.unknown), picked.hint
        )
    stderr.print(f"{stack}: {picked.described}; {len(picked.urns)} targets", markup=False)
    return engines.Targets(picked.urns, picked.dependents)


def _check_adoptable(root: Path, stack: str) -> None:
    known = stack_names(root)
    if stack in known and _adopted_by_create(root, stack):
        raise UsageError(
            f"the {stack} stack is not adopted by import",
            f"review `k8s-infra plan {stack}`, then run `k8s-infra up {stack}`: creating "
            "one of its resources that exists adopts it (see docs/approver/adoption.md)",
        )
    if stack not in known:
        raise UsageError(
            f"unknown stack `{stack}`",
            "adopt one stack at a time, in this order: "
            + ", ".join(in_dependency_order(root, known)),
        )


def _parse_ids(values: list[str]) -> dict[str, str]:
    parsed: dict[str, str] = {}
    for value in values:
        name, sep, live = value.partition("=")
        if not sep or not name or not live:
            raise UsageError(f"--id `{value}` is not NAME=ID", "for example --id uptime-alert=123")
        parsed[name] = live.rsplit("/", 1)[-1]  # a full resource name gives its last part
    return parsed


def _offline_plan(root: Path, stack: str) -> dict[str, Any]:
    """The stack's offline plan, from the plan cache `plan` shares when it holds it."""
    from infra.cli.plan_cache import open_plan_cache
    from infra.planner.cache import run_cached
    from infra.planner.runner import PlanFailed, PlanRequest

    (result,) = run_cached([PlanRequest(stack, root)], open_plan_cache(root))
    if result.plan is None:
        raise PlanFailed(result)
    return result.plan


def _target(root: Path, stack: str) -> Any:
    """The stack's AWS region and account, from its file (ids outside it are qualified)."""
    from infra.adoption.ids import Target

    try:
        config = stack_config(root, stack)
    except UnreadableStackFile as exc:
        raise K8sInfraError(f"the stack file of `{stack}` cannot be read: {exc}") from None
    accounts = config.get("aws:allowedAccountIds") or [None]
    return Target(
        aws_region=config.get("aws:region"),
        aws_account=str(accounts[0]) if accounts[0] is not None else None,
    )


# More values than this, compared by the import preview anyway, are counted, not listed.
LISTED_COMPARED = 20


def _report_unchecked(values: list[Any]) -> None:
    compared = [v for v in values if v.compared]
    if len(compared) > LISTED_COMPARED:
        counts = Counter(v.key for v in compared)
        stderr.print(
            "  unchecked offline, compared by the import preview: "
            + ", ".join(f"{n} {key}" for key, n in sorted(counts.items()))
        )
        values = [v for v in values if not v.compared]
    for value in values:
        stderr.print(f"  unchecked offline: {value.line()}", markup=False)


def _report_steps(stack: str, steps: list[Any]) -> None:
    imported = Counter(s.type for s in steps if s.action == "import")
    created = sum(1 for s in steps if s.action == "create")
    stderr.print(
        f"adopt {stack}: {sum(imported.values())} to import, {created} to create idempotently"
    )
    for type_, count in sorted(imported.items()):
        stderr.print(f"  import {count:>4} {type_}")
