"""``k8s-infra staging``: staging projects and registries, one module per command."""

from __future__ import annotations

import typer

from infra.staging.commands.ensure import ensure
from infra.staging.commands.new import new

staging_app = typer.Typer(
    help="Staging projects and registries: ensure (apply by name) and new (onboarding)",
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=True,
)

staging_app.command("ensure")(ensure)
staging_app.command("new")(new)
