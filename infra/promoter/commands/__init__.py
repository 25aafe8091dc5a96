"""The image promoter's commands: `promoter new` and `promoter validate`."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import typer


def commands() -> tuple[str, typer.Typer]:
    """`k8s-infra promoter ...`: imported only when the application is built."""
    from infra.promoter.commands.app import promoter_app

    return "promoter", promoter_app
