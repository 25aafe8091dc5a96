"""``k8s-infra preview`` and ``k8s-infra up``: the real engine, with credentials."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from infra.cli.console import boundary, can_prompt, stderr
from infra.cli.context import cli_context
from infra.core.errors import UsageError
from infra.declarations.stacks import stack_names


def _stream(line: str) -> None:
    sys.stderr.write(line)


def _check_stack(stack: str, known: list[str]) -> None:
    if stack not in known:
        raise UsageError(f"unknown stack `{stack}`", "known stacks: " + ", ".join(known))


REFRESH_HELP = "Read the cloud first, so changes made by hand show up (and get repaired)."


@boundary
def preview(
    ctx: typer.Context,
    stack: Annotated[str, typer.Argument(help="The stack to preview.")],
    refresh: Annotated[bool, typer.Option("--refresh", help=REFRESH_HELP)] = False,
) -> None:
    """Preview a stack with the real Pulumi engine (needs the Pulumi CLI and credentials).

    [b]Examples[/b]

      k8s-infra preview staging

      k8s-infra preview groups --refresh
    """
    from infra import engines

    root = cli_context(ctx).root
    _check_stack(stack, stack_names(root))
    engines.run(root, stack, "preview", _stream, refresh=refresh)


@boundary
def up(
    ctx: typer.Context,
    stack: Annotated[str, typer.Argument(help="The stack to update.")],
    yes: Annotated[bool, typer.Option("--yes", help="Skip the confirmation prompt.")] = False,
    refresh: Annotated[bool, typer.Option("--refresh", help=REFRESH_HELP)] = False,
) -> None:
    """Apply a stack with the real Pulumi engine, after a preview and a confirmation.

    Without a terminal, `--yes` is required: nothing is applied without a person's go.

    [b]Examples[/b]

      k8s-infra up staging

      k8s-infra up groups --yes

      k8s-infra up groups --refresh --yes
    """
    from infra import engines

    root = cli_context(ctx).root
    _check_stack(stack, stack_names(root))
    engines.pulumi_command()  # fail fast, before asking anything
    if not yes:
        if not can_prompt():
            raise UsageError(
                f"`up {stack}` needs a confirmation and there is no terminal",
                "review `k8s-infra preview` first, then pass --yes",
            )
        engines.run(root, stack, "preview", _stream, refresh=refresh)
        if not typer.confirm(f"Apply these changes to stack {stack}?", err=True):
            stderr.print("nothing applied")
            raise typer.Exit(0)
    engines.run(root, stack, "up", _stream, refresh=refresh)
