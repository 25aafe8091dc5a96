"""``k8s-infra promoter new NAME``: the files a subproject adds to the promoter's tree."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from infra.cli.console import boundary, stderr
from infra.cli.context import cli_context
from infra.cli.promoter.common import load_estate
from infra.core.errors import UsageError


@boundary
def new(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The subproject (`foo` or `k8s-staging-foo`).")],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="DIR",
            help="Write the files under DIR (the promoter's tree, registry.k8s.io/) "
            "instead of printing them.",
        ),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            help="The staging registry to promote from "
            "(default: us-central1-docker.pkg.dev/k8s-staging-images/NAME).",
        ),
    ] = None,
) -> None:
    """Print (or write) a subproject's promoter manifest, images file and OWNERS.

    The destinations are the serving regions of the mirrors data, written by
    the promoter's account; the source must be a declared staging registry.

    [b]Examples[/b]

      k8s-infra promoter new kueue-viz

      k8s-infra promoter new kueue-viz --out ../k8s.io/registry.k8s.io
    """
    from infra.promoter.manifests import default_source, render

    estate, domain = load_estate(cli_context(ctx).root)
    chosen = source or default_source(name)
    if chosen not in estate.sources:
        raise UsageError(
            f"source `{chosen}` is not a declared staging registry or project",
            "declare the registry first (`k8s-infra staging new NAME`), or pass --source",
        )
    files = render(name, estate, chosen, domain)
    if out is None:
        for path, text in files.items():
            typer.echo(f"--- {path}")
            typer.echo(text, nl=False)
        return
    existing = [path for path in files if (out / path).exists()]
    if existing:
        raise UsageError(
            f"`{out / existing[0]}` already exists; nothing was written",
            "check it with `k8s-infra promoter validate DIR`",
        )
    for path, text in files.items():
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        (out / path).write_text(text, encoding="utf-8")
        stderr.print(f"wrote {out / path}", markup=False)
    stderr.print("fill in OWNERS, then add the first image's digest to images.yaml")
