"""``k8s-infra groups``: Google Groups commands, one module each."""

from __future__ import annotations

import typer

from infra.groups.commands.diff import diff
from infra.groups.commands.sync import sync
from infra.groups.commands.validate import validate

groups_app = typer.Typer(
    help="Google Groups: validate, diff and sync",
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=True,
)

groups_app.command("validate")(validate)
groups_app.command("diff")(diff)
groups_app.command("sync")(sync)
