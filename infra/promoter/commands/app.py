"""``k8s-infra promoter``: the image promoter's files, one module per command."""

from __future__ import annotations

import typer

from infra.promoter.commands.new import new
from infra.promoter.commands.validate import validate

promoter_app = typer.Typer(
    help="The image promoter's manifests: new (for a subproject) and validate (a tree)",
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=True,
)

promoter_app.command("new")(new)
promoter_app.command("validate")(validate)
