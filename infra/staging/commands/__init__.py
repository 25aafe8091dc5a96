"""The staging concerns' commands: `staging ensure` and `staging new`."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import typer


def commands() -> tuple[str, typer.Typer]:
    """`k8s-infra staging ...`: imported only when the application is built."""
    from infra.staging.commands.app import staging_app

    return "staging", staging_app
