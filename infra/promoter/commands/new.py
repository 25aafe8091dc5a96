"""``k8s-infra promoter new NAME``: the files a subproject adds to the promoter's tree."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from infra.console.output import boundary, stderr
from infra.core import names, safe_write
from infra.core.errors import UsageError
from infra.declarations.application import cli_context
from infra.promoter.commands.common import load_estate

if TYPE_CHECKING:
    from infra.declarations.application import DeclarationsReader
    from infra.promoter.manifests import Owners


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
    approvers: Annotated[
        list[str] | None,
        typer.Option(
            "--approvers",
            metavar="HANDLE",
            help="An approver in OWNERS (repeat; default: the writer group's members).",
        ),
    ] = None,
) -> None:
    """Print (or write) a subproject's promoter manifest, images file and OWNERS.

    The destinations are the serving regions of the mirrors data, written by
    the promoter's account; the source must be a declared staging registry.
    OWNERS lists the approvers and the label of the community group whose
    folder declares the writer group.

    [b]Examples[/b]

      k8s-infra promoter new kueue-viz --approvers alice

      k8s-infra promoter new kueue-viz --out ../k8s.io/registry.k8s.io
    """
    from infra.promoter.manifests import default_source, render

    short, problem = names.staging_name(name, longest=names.REGISTRY_NAME_MAX)
    if problem is not None:
        raise UsageError(*problem)
    for approver in approvers or []:
        if not _HANDLE_CHARS.issuperset(approver) or not approver:
            raise UsageError(
                f"`{names.shown(approver)}` is not a GitHub handle or address",
                "letters, digits, `-`, `_`, `.` and `@`",
            )
    root = cli_context(ctx).root
    estate, domain = load_estate(root, cli_context(ctx).declarations)
    chosen = source or default_source(short)
    if chosen not in estate.sources:
        raise UsageError(
            f"source `{names.shown(chosen)}` is not a declared staging registry or project",
            "declare the registry first (`k8s-infra staging new NAME`), or pass --source",
        )
    owners = _owners(root, cli_context(ctx).declarations, short, domain, approvers or [])
    files = render(short, estate, chosen, domain, owners)
    if out is None:
        for path, text in files.items():
            typer.echo(f"--- {path}")
            typer.echo(text, nl=False)
        return
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out `{out}` is not a folder", "point at registry.k8s.io/")
    # the lock is on the nearest folder that exists; the edit makes the others
    held = next(folder for folder in (out, *out.absolute().parents) if folder.is_dir())
    with safe_write.editing(held, waiting=lambda line: stderr.print(line, markup=False)) as edit:
        existing = [path for path in files if (out / path).exists()]
        if existing:
            raise UsageError(
                f"`{out / existing[0]}` already exists; nothing was written",
                "check it with `k8s-infra promoter validate DIR`",
            )
        written = edit.commit({out / path: text for path, text in files.items()})
    for written_path in written:
        stderr.print(f"wrote {written_path}", markup=False)
    if not owners.approvers:
        stderr.print("fill in OWNERS' approvers, then add the first image's digest to images.yaml")
    else:
        stderr.print("add the first image's digest to images.yaml")


_HANDLE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.@")


def _owners(
    root: Path, reader: DeclarationsReader, short: str, domain: str, approvers: list[str]
) -> Owners:
    """The approvers given, else the writer group's members; the label of its folder."""
    from infra.core.problems import Problems
    from infra.groups.loader import GROUPS_COMPONENT, groups_location, load_groups
    from infra.promoter.manifests import Owners, community_label

    problems = Problems()
    location = groups_location(reader.stack_building(root, GROUPS_COMPONENT, problems), problems)
    groups_dir = location[0] if location else "groups"
    tree = load_groups(root, Problems(), groups_dir, domain=domain)
    address = names.staging_writer_group(short, domain)
    group = next((g for g in tree.groups if g.email.lower() == address), None) if tree else None
    label = community_label(Path(group.file).parent.name) if group else None
    chosen = tuple(approvers) or (tuple(group.members) if group else ())
    return Owners(chosen, label)
