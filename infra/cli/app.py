"""The root of ``k8s-infra``: global options and the command tree.

Each command lives in its own module and imports what is heavy (the
planner, Pulumi, the Google API client) only when it runs, so
``k8s-infra --help`` starts fast. The concerns' command groups (and the
tools' that are no concern) come from the catalog: this module names none.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from infra import __version__, catalog
from infra.cli import adopt, graph, plan, pulumi_ops, schema, validate
from infra.cli.access import access_app
from infra.cli.global_options import GlobalOptionsGroup, quiet_libraries
from infra.cli.policy import policy_app
from infra.cli.pulumi_ops import PulumiOperations
from infra.cli.validate import CatalogDeclarations
from infra.core.environment import ROOT_ENV
from infra.declarations.application import CliContext


def _version(value: bool) -> None:
    if value:
        typer.echo(f"k8s-infra {__version__}")
        raise typer.Exit()


def root(
    ctx: typer.Context,
    root_dir: Annotated[
        Path | None,
        typer.Option(
            "--root",
            envvar=ROOT_ENV,
            help="Checkout whose declarations to use (env: K8S_INFRA_ROOT). "
            "Default: the nearest folder above the current one holding Pulumi.yaml.",
            show_default=False,
        ),
    ] = None,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose",
            "-v",
            help="Show the warnings of the libraries underneath (hidden by default).",
        ),
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    quiet_libraries(verbose)
    ctx.obj = CliContext(root_dir, PulumiOperations(), CatalogDeclarations())


def build_app() -> typer.Typer:
    """The command tree, with the command groups the catalog lists now."""
    app = typer.Typer(
        name="k8s-infra",
        cls=GlobalOptionsGroup,
        help=(
            "Manage the registry.k8s.io estate: staging projects and registries, Google Groups, "
            "mirrors and the registry proxy, as Pulumi programs.\n\n"
            "Exit codes: 0 ok, 1 problems found or a command failed, 2 usage error, 3 Pulumi CLI "
            "missing or too old, 4 credentials or state backend missing, 5 drift found "
            "(--expect-no-changes).\n\n"
            "Global options (--root, -v) may be written before or after the command."
        ),
        rich_markup_mode="rich",
        context_settings={"help_option_names": ["-h", "--help"]},
        no_args_is_help=True,
        pretty_exceptions_enable=False,
    )
    app.callback()(root)
    app.command("validate")(validate.validate)
    app.command("plan")(plan.plan)
    app.command("graph")(graph.graph)
    app.command("preview")(pulumi_ops.preview)
    app.command("up")(pulumi_ops.up)
    app.command("adopt")(adopt.adopt)
    app.command("schema")(schema.schema)
    for commands in catalog.command_groups():
        name, sub_app = commands()
        app.add_typer(sub_app, name=name)
    app.add_typer(policy_app, name="policy")
    app.add_typer(access_app, name="access")
    return app


app = build_app()


def main() -> None:
    app()
