"""What the root command hands every subcommand: the data root and the engines' operations."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from infra.core.environment import ROOT_ENV
from infra.core.errors import UsageError
from infra.core.paths import INFRA_YAML, PROJECT_FILE, find_root
from infra.declarations.layout import STACKS_DIR, UPSTREAM_INFRA_YAML

if TYPE_CHECKING:
    from infra.console.operations import DeclarationsReader, StackOperations

# What any checkout holds, ours or kubernetes/k8s.io's (whose estate is infra/gcp/infra.yaml)
CHECKOUT_MARKS = (PROJECT_FILE, INFRA_YAML, UPSTREAM_INFRA_YAML, "groups", STACKS_DIR)


@dataclass(frozen=True)
class CliContext:
    """``--root`` as given; resolved inside each command, under the error boundary."""

    given_root: Path | None
    operations: StackOperations
    declarations: DeclarationsReader

    @property
    def root(self) -> Path:
        return resolve_root(self.given_root)


def resolve_root(given: Path | None) -> Path:
    if given is not None:
        root = given.expanduser().resolve()
        if not root.is_dir():
            raise UsageError(f"--root `{given}` is not a folder", "point it at a checkout")
        if not any((root / name).exists() for name in CHECKOUT_MARKS):
            raise UsageError(
                f"--root `{given}` is no checkout: it has none of "
                + ", ".join(str(name) for name in CHECKOUT_MARKS),
                f"point --root (or {ROOT_ENV}) at a checkout of this repository "
                "or of kubernetes/k8s.io",
            )
        return root
    found = find_root(Path.cwd().resolve())
    if found is None:
        raise UsageError(
            "no checkout found here (no Pulumi.yaml with infra/infra.yaml above this folder)",
            f"run inside a checkout, or pass --root DIR (or set {ROOT_ENV})",
        )
    return found


def cli_context(ctx: typer.Context) -> CliContext:
    obj = ctx.find_root().obj
    if not isinstance(obj, CliContext):
        raise UsageError("internal: the root command did not run")
    return obj
