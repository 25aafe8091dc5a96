"""``k8s-infra groups diff``: what a sync would change, read-only."""

from __future__ import annotations

from typing import Annotated

import typer

from infra.console.output import boundary, emit_json, stderr
from infra.core.errors import EXIT_DRIFT
from infra.declarations.application import cli_context
from infra.groups.commands.run import (
    CALL_SECONDS,
    RUN_SECONDS,
    CallTimeout,
    RunDeadline,
    changes_json,
    load_inputs,
    print_changes,
    progress_bar,
)


@boundary
def diff(
    ctx: typer.Context,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the changes as a JSON list on stdout.")
    ] = False,
    expect_no_changes: Annotated[
        bool,
        typer.Option("--expect-no-changes", help="Exit 1 when anything differs (drift detection)."),
    ] = False,
    call_timeout: CallTimeout = CALL_SECONDS,
    deadline: RunDeadline = RUN_SECONDS,
) -> None:
    """Compare the live groups of the Workspace with the declarations; change nothing.

    Reads every declared group's name, description, settings and members
    (every page), and prints what `groups sync --confirm` would change.
    Unmanaged groups are never listed for deletion here; see `groups sync`.
    Exits 1 when a group could not be read (the others are still compared).

    [b]Examples[/b]

      k8s-infra groups diff

      k8s-infra groups diff --expect-no-changes

      k8s-infra groups diff --json | jq '.[] | select(.kind == "remove_member")'
    """
    from infra.groups.engine.apis import connect
    from infra.groups.engine.deadline import Deadline
    from infra.groups.engine.failures import GroupsFailed
    from infra.groups.engine.reconcile import Options, compare_all

    context = cli_context(ctx)
    inputs = load_inputs(context.root, context.declarations)
    apis = connect(inputs.access, call_timeout)
    options = Options(customer=inputs.access.customer, deadline=Deadline(deadline))
    with progress_bar() as bar:
        compared = compare_all(apis, inputs.tree, options, None, bar)
    if as_json:
        emit_json(changes_json(compared.changes))
    print_changes(compared.changes, title=f"{len(inputs.tree.groups)} declared group(s)")
    if compared.failures:
        raise GroupsFailed(compared.failures, inputs.tree, done="compared")
    if not compared.changes:
        stderr.print("no changes: the Workspace matches the declarations", style="green")
    elif expect_no_changes:
        stderr.print(
            f"error: changes expected to be none, but {len(compared.changes)} would be made",
            style="bold red",
        )
        raise typer.Exit(EXIT_DRIFT)
