"""How the engine tells a caller how far it got (the CLI draws a bar from it)."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def phase(self, description: str, total: int) -> None:
        """A new step begins, made of ``total`` calls."""

    def advance(self, count: int) -> None:
        """``count`` more calls of the current step have their final answer."""


class Silent:
    def phase(self, description: str, total: int) -> None:
        pass

    def advance(self, count: int) -> None:
        pass
