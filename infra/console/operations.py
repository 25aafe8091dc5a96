"""What a concern's command may ask of the planner and the real engine.

The application (``infra.cli.pulumi_ops``) provides them through the command
context, so a concern's commands apply stacks as ``k8s-infra up`` does (guard
rails, preview, confirmation, production rule) without importing the
application, the planner or the guard rails that read the catalog.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol


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
