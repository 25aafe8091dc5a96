"""What a concern's command may ask of the application: checked declarations,
offline plans and the real engine.

The application provides them through the command context
(``infra.console.context``): the declarations checked through the catalog
(``infra.cli.validate``), and stacks applied as ``k8s-infra up`` applies them,
with guard rails, preview, confirmation and the production rule
(``infra.cli.pulumi_ops``). So a concern's commands import neither the
application nor the catalog, the planner or the guard rails that import the
concerns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

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
