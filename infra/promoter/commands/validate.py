"""``k8s-infra promoter validate DIR``: a promoter tree against the declared estate."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from infra.console.output import boundary, report_problems
from infra.core.errors import UsageError
from infra.core.problems import Problems
from infra.declarations.application import cli_context
from infra.promoter.commands.common import load_estate


@boundary
def validate(
    ctx: typer.Context,
    tree: Annotated[
        Path,
        typer.Argument(
            metavar="PATH",
            help="The promoter's tree (the folder holding manifests/ and images/), "
            "or one manifest's folder (manifests/k8s-staging-NAME).",
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the problems as JSON.")] = False,
) -> None:
    """Check promoter manifests and images files against the declared estate.

    Each manifest: exactly one source, a declared staging registry or project;
    destinations in every serving region and no other, written by the promoter
    account, under its own subproject's folder; `imagesPath` a path inside the
    tree. Each images file: parses, image names valid, digests well formed, each
    tag on one digest, no `latest`. Every broken manifest is reported.

    [b]Examples[/b]

      k8s-infra promoter validate ../k8s.io/registry.k8s.io

      k8s-infra promoter validate ../k8s.io/registry.k8s.io/manifests/k8s-staging-foo
    """
    from infra.promoter.manifests import check_tree

    context = cli_context(ctx)
    estate, _ = load_estate(context.root, context.declarations)
    if not tree.is_dir() and not tree.is_file():
        raise UsageError(
            f"`{tree}` is not a folder",
            "point at registry.k8s.io/ of kubernetes/k8s.io, or one manifest's folder",
        )
    problems = Problems()
    count = check_tree(tree, estate, problems)
    report_problems(problems.sorted(), tree, as_json=as_json, what=f"{count} manifest(s), ")
