"""The groups concern's commands: `groups validate`, `diff` and `sync`."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import typer


def commands() -> tuple[str, typer.Typer]:
    """`k8s-infra groups ...`: imported only when the application is built."""
    from infra.groups.commands.app import groups_app

    return "groups", groups_app
