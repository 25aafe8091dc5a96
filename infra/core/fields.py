"""Typed reads of plain YAML data, each problem reported where the value was written.

A model reads nested mappings through one ``Fields`` object: it checks the
type of each value, refuses unknown keys with a did-you-mean hint, and finds
positions through a locator, so the same model code reads a YAML file (with
exact lines and columns) or the JSON strings ``pulumi.Config`` hands over
(where only the stack file itself can be named).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from typing import Any

from infra.core.located_yaml import YamlDocument
from infra.core.problems import Position, Problems, did_you_mean
from infra.declarations.estate import yaml_type_name

FieldPath = tuple[str | int, ...]
# (path, of the key rather than the value) -> where it was written
Locate = Callable[[FieldPath, bool], Position]


def locate_in(document: YamlDocument, *base: str | int) -> Locate:
    """Positions inside ``document``, below the value at ``base``."""

    def locate(path: FieldPath, key: bool) -> Position:
        full = (*base, *path)
        return document.key_at(*full) if key else document.at(*full)

    return locate


def locate_file(display: str) -> Locate:
    """Every position is the file itself (for values that did not come from YAML)."""
    return lambda _path, _key: Position(display)


class Fields:
    def __init__(self, locate: Locate, problems: Problems) -> None:
        self.locate = locate
        self.problems = problems

    def at(self, path: FieldPath) -> Position:
        return self.locate(path, False)

    def key_at(self, path: FieldPath) -> Position:
        return self.locate(path, True)

    def error(self, path: FieldPath, message: str, hint: str | None = None) -> None:
        self.problems.error(self.at(path), message, hint)

    def type_error(self, path: FieldPath, value: Any, expected: str) -> None:
        self.error(
            path, f"{_name(path)} must be {expected}, found {yaml_type_name(value)}", "fix the type"
        )

    def mapping(
        self,
        value: Any,
        path: FieldPath,
        allowed: Collection[str] | None = None,
        required: Iterable[str] = (),
        what: str | None = None,
    ) -> dict[str, Any] | None:
        """A mapping with only ``allowed`` keys (any when None) and every ``required`` one."""
        if not isinstance(value, dict):
            self.type_error(path, value, "a mapping")
            return None
        if allowed is not None:
            for key in value:
                if key not in allowed:
                    self.problems.error(
                        self.key_at((*path, key)),
                        f"unknown key `{key}` in {what or _name(path)}",
                        did_you_mean(key, allowed),
                    )
        for key in required:
            if key not in value:
                self.error(path, f"{what or _name(path)} needs the key `{key}`")
        return value

    def text(
        self,
        value: Any,
        path: FieldPath,
        pattern: re.Pattern[str] | None = None,
        expected: str = "",
    ) -> str | None:
        """A non-empty string, matching ``pattern`` when one is given."""
        if not isinstance(value, str) or not value:
            self.type_error(path, value, "a non-empty string")
            return None
        if pattern is not None and not pattern.fullmatch(value):
            # A mapping key is its own path's end: naming it twice says nothing more.
            where = "" if path and path[-1] == value else f"{_name(path)}: "
            self.error(path, f"{where}`{value}` is not {expected}", f"write {expected}")
            return None
        return value

    def texts(
        self,
        value: Any,
        path: FieldPath,
        pattern: re.Pattern[str] | None = None,
        expected: str = "",
    ) -> tuple[str, ...]:
        """A list of strings without repeats; bad items are reported and left out."""
        if not isinstance(value, list):
            self.type_error(path, value, "a list of strings")
            return ()
        found: list[str] = []
        for index, item in enumerate(value):
            text = self.text(item, (*path, index), pattern, expected)
            if text is None:
                continue
            if text in found:
                self.error(
                    (*path, index),
                    f"`{text}` is listed twice in {_name(path)}",
                    "remove the repeated entry",
                )
                continue
            found.append(text)
        return tuple(found)

    def integer(
        self, value: Any, path: FieldPath, low: int | None = None, high: int | None = None
    ) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.type_error(path, value, "a whole number")
            return None
        if (low is not None and value < low) or (high is not None and value > high):
            bounds = f"from {low} to {high}" if high is not None else f"at least {low}"
            self.error(path, f"{_name(path)} is {value}; allowed: {bounds}")
            return None
        return value

    def boolean(self, value: Any, path: FieldPath) -> bool | None:
        if not isinstance(value, bool):
            self.type_error(path, value, "true or false")
            return None
        return value


def _name(path: FieldPath) -> str:
    keys = [str(p) for p in path if isinstance(p, str)]
    return f"`{keys[-1]}`" if keys else "the file"
