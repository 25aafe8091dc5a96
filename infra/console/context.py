"""What the root command hands every subcommand: the data root and the engines' operations."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from infra.core.errors import UsageError

if TYPE_CHECKING:
    from infra.console.operations import DeclarationsReader, StackOperations

PROJECT_FILE = "Pulumi.yaml"
ESTATE_FILE = Path("infra") / "infra.yaml"
# What any checkout holds, ours or kubernetes/k8s.io's (whose estate is infra/gcp/infra.yaml)
CHECKOUT_MARKS = (PROJECT_FILE, str(ESTATE_FILE), "infra/gcp/infra.yaml", "groups", "stacks")


@dataclass(frozen=True)
class CliContext:
    """``--root`` as given; resolved inside each command, under the error boundary."""

    given_root: Path | None
    operations: StackOperations
    declarations: DeclarationsReader

    @property
    def root(self) -> Path:
        return resolve_root(self.given_root)


def find_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` that holds a checkout's declarations."""
    for folder in (start, *start.parents):
        if (folder / PROJECT_FILE).is_file() and (folder / ESTATE_FILE).is_file():
            return folder
    return None


def resolve_root(given: Path | None) -> Path:
    if given is not None:
        root = given.expanduser().resolve()
        if not root.is_dir():
            raise UsageError(f"--root `{given}` is not a folder", "point it at a checkout")
        if not any((root / name).exists() for name in CHECKOUT_MARKS):
            raise UsageError(
                f"--root `{given}` is no checkout: it has none of "
                + ", ".join(str(name) for name in CHECKOUT_MARKS),
                "point --root (or K8S_INFRA_ROOT) at a checkout of this repository "
                "or of kubernetes/k8s.io",
            )
        return root
    found = find_root(Path.cwd().resolve())
    if found is None:
        raise UsageError(
            "no checkout found here (no Pulumi.yaml with infra/infra.yaml above this folder)",
            "run inside a checkout, or pass --root DIR (or set K8S_INFRA_ROOT)",
        )
    return found


def cli_context(ctx: typer.Context) -> CliContext:
    obj = ctx.find_root().obj
    if not isinstance(obj, CliContext):
        raise UsageError("internal: the root command did not run")
    return obj
