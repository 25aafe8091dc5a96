"""What the application hands a concern's commands: the data root, the checked
declarations and the engines' operations.

The application provides them through the command context: the declarations
checked through the catalog (``infra.cli.validate``), and stacks applied as
``k8s-infra up`` applies them, with guard rails, preview, confirmation and the
production rule (``infra.cli.pulumi_ops``). So a concern's commands import
neither the application nor the catalog, the planner or the guard rails that
import the concerns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import typer

from infra.core.environment import ROOT_ENV
from infra.core.errors import UsageError
from infra.core.paths import INFRA_YAML, PROJECT_FILE, find_root
from infra.declarations.layout import STACKS_DIR, UPSTREAM_INFRA_YAML

if TYPE_CHECKING:
    from infra.core.problems import Problems
    from infra.declarations.loaded import Declarations
    from infra.declarations.stacks import StackSettings


class DeclarationsReader(Protocol):
    def load(self, root: Path, problems: Problems) -> Declarations | None:
        """Every declaration under ``root``, loaded and checked; problems reported."""
        ...

    def stack_building(
        self, root: Path, component: str, problems: Problems
    ) -> StackSettings | None:
        """The stack whose ``components`` include ``component``; its file's problems reported."""
        ...


class StackOperations(Protocol):
    def in_order(self, root: Path, stacks: Sequence[str]) -> list[str]:
        """``stacks`` in dependency order, the order ``up all`` applies them in."""
        ...

    def check_may_apply(self, root: Path, stack: str, *, yes: bool) -> None:
        """Refuse, before anything runs, what would need a person who is not there."""
        ...

    def plan(self, root: Path, stacks: Sequence[str]) -> list[Mapping[str, Any]]:
        """The offline plan of each stack, in order; a failed plan stops here."""
        ...

    def preview(self, root: Path, stack: str, targets: Any, command: Any) -> None:
        """A preview with the guard rails, its changes listed; nothing applied."""
        ...

    def apply(self, root: Path, stack: str, targets: Any, command: Any, *, yes: bool) -> None:
        """Preview, ask and update (at once with ``yes``), with the guard rails."""
        ...


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
