"""Every declaration under a data root, loaded and checked: what builders and commands read."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from infra.declarations.stacks import StackSettings

if TYPE_CHECKING:
    from infra.declarations.estate import Estate

T = TypeVar("T")


@dataclass(frozen=True)
class Declarations:
    """Every declaration under a data root, loaded and checked."""

    root: Path
    estate: Estate
    stacks: Mapping[str, StackSettings]
    models: Mapping[str, object]  # concern name -> its checked model

    def model(self, concern: str, kind: type[T]) -> T | None:
        found = self.models.get(concern)
        return found if isinstance(found, kind) else None
