"""Problems found in declarations, in the one-line format other tools parse.

``path:line:col: error|warning: message (hint: ...)``, 1-based, the path
relative to the data root. Warnings never change an exit code.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Position:
    """Where a value sits in a file: 1-based line and column."""

    path: str
    line: int = 1
    col: int = 1


@dataclass(frozen=True)
class Problem:
    position: Position
    severity: Severity
    message: str
    hint: str | None = None

    def sort_key(self) -> tuple[str, int, int, int, str]:
        p = self.position
        return (p.path, p.line, p.col, 0 if self.severity == "error" else 1, self.message)

    def format(self) -> str:
        """The problem on one line, whatever its path, message or hint hold."""
        p = self.position
        text = f"{one_line(p.path)}:{p.line}:{p.col}: {self.severity}: {one_line(self.message)}"
        return f"{text} (hint: {one_line(self.hint)})" if self.hint else text

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Problem:
        """Back from ``to_json`` (a plan made in another process reports its problems so)."""
        severity: Severity = "warning" if data.get("severity") == "warning" else "error"
        hint = data.get("hint")
        return cls(
            Position(str(data["path"]), int(str(data["line"])), int(str(data["col"]))),
            severity,
            str(data["message"]),
            str(hint) if hint is not None else None,
        )

    def to_json(self) -> dict[str, object]:
        p = self.position
        return {
            "path": p.path,
            "line": p.line,
            "col": p.col,
            "severity": self.severity,
            "message": self.message,
            "hint": self.hint,
        }


class Problems:
    """Collects every problem of a run, so one run reports them all."""

    def __init__(self) -> None:
        self._items: list[Problem] = []

    def error(self, where: Position, message: str, hint: str | None = None) -> None:
        self._items.append(Problem(where, "error", message, hint))

    def warning(self, where: Position, message: str, hint: str | None = None) -> None:
        self._items.append(Problem(where, "warning", message, hint))

    def extend(self, problems: Iterable[Problem]) -> None:
        self._items.extend(problems)

    @property
    def has_errors(self) -> bool:
        return any(p.severity == "error" for p in self._items)

    def sorted(self) -> list[Problem]:
        return sorted(set(self._items), key=Problem.sort_key)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.sorted())

    def __len__(self) -> int:
        return len(self._items)


def one_line(text: str) -> str:
    """``text`` with every character that is not printable (newlines, NUL, other
    control characters, line and paragraph separators) written as its escape.

    Printable text, already escaped text included, comes back unchanged, so
    escaping twice changes nothing and no value can start a line of its own.
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else _escape(c) for c in text)


def _escape(char: str) -> str:
    code = ord(char)
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char)
    if named:
        return named
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A hint naming the closest allowed word, or listing them when none is close."""
    options = sorted(choices)
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if close:
        return f"did you mean `{close[0]}`?"
    if not options:
        return None
    return "allowed here: " + ", ".join(f"`{o}`" for o in options)
