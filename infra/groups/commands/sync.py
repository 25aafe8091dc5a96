"""``k8s-infra groups sync``: reconcile the Workspace with the declarations, without Pulumi.

For adopting an existing Workspace and for break-glass runs; the groups
stack does the same through Pulumi. A dry run unless ``--confirm``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from infra.console.output import boundary, emit_json, stderr
from infra.core.errors import UsageError
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

if TYPE_CHECKING:
    from infra.groups.engine.deletion import DeletionPolicy


@boundary
def sync(
    ctx: typer.Context,
    confirm: Annotated[
        bool, typer.Option("--confirm", help="Apply the changes (default: a dry run).")
    ] = False,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Print the changes as a JSON list on stdout: found in a dry run, "
            "applied with --confirm.",
        ),
    ] = False,
    delete_unmanaged: Annotated[
        bool,
        typer.Option(
            "--delete-unmanaged",
            help="Also delete groups whose address starts with --prefix and that no "
            "declaration names. Needs --prefix and --max-deletions.",
        ),
    ] = False,
    prefix: Annotated[
        str | None,
        typer.Option("--prefix", metavar="PREFIX", help="Address prefix of deletable groups."),
    ] = None,
    max_deletions: Annotated[
        int | None,
        typer.Option(
            "--max-deletions",
            metavar="N",
            min=0,
            help="Refuse to delete anything when more than N groups would go.",
        ),
    ] = None,
    call_timeout: CallTimeout = CALL_SECONDS,
    deadline: RunDeadline = RUN_SECONDS,
) -> None:
    """Create, update and adopt the declared groups; set their settings and members.

    Without --confirm, prints each change and writes nothing. Groups the
    declarations do not name are never touched, unless --delete-unmanaged
    is given with --prefix and --max-deletions. Every group is reconciled
    even when another fails; failures are listed at the end (exit 1).

    [b]Examples[/b]

      k8s-infra groups sync

      k8s-infra groups sync --confirm

      k8s-infra groups sync --delete-unmanaged --prefix k8s-infra- --max-deletions 3
    """
    from infra.groups.engine.apis import connect
    from infra.groups.engine.deadline import Deadline
    from infra.groups.engine.deletion import TooManyDeletions
    from infra.groups.engine.failures import GroupsFailed
    from infra.groups.engine.reconcile import Options, apply_change_set, compare_all

    policy = _deletion_policy(delete_unmanaged, prefix, max_deletions)
    context = cli_context(ctx)
    inputs = load_inputs(context.root, context.declarations)
    apis = connect(inputs.access, call_timeout)
    options = Options(customer=inputs.access.customer, deadline=Deadline(deadline))
    try:
        with progress_bar() as bar:
            compared = compare_all(apis, inputs.tree, options, policy, bar)
    except TooManyDeletions as error:
        error.hint = (
            "review the groups listed above, then raise --max-deletions "
            "or declare the groups to keep"
        )
        raise
    if not confirm:
        if as_json:
            emit_json(changes_json(compared.changes))
        print_changes(compared.changes, title="dry run: changes a sync would make")
        if compared.failures:
            raise GroupsFailed(compared.failures, inputs.tree, done="compared")
        if compared.changes:
            stderr.print("dry run: nothing was changed; pass --confirm to apply", style="bold")
        else:
            stderr.print("no changes: the Workspace matches the declarations", style="green")
        return
    with progress_bar() as bar:
        report = apply_change_set(apis, compared, options, bar)
    if as_json:
        emit_json(changes_json(report.applied))
    print_changes(report.applied, title="applied changes")
    if report.failures:
        raise GroupsFailed(report.failures, inputs.tree)


def _deletion_policy(
    delete_unmanaged: bool, prefix: str | None, max_deletions: int | None
) -> DeletionPolicy | None:
    from infra.groups.engine.deletion import DeletionPolicy

    if not delete_unmanaged:
        if prefix is not None or max_deletions is not None:
            raise UsageError(
                "--prefix and --max-deletions only apply with --delete-unmanaged",
                "add --delete-unmanaged, or drop them",
            )
        return None
    if prefix is None:
        raise UsageError(
            "--delete-unmanaged needs --prefix",
            "name the address prefix of the groups the declarations own, e.g. k8s-infra-",
        )
    if max_deletions is None:
        raise UsageError(
            "--delete-unmanaged needs --max-deletions",
            "the largest number of groups this run may delete, e.g. --max-deletions 3",
        )
    return DeletionPolicy(prefix, max_deletions)
