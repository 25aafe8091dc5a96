"""YAML files read with the position of every value, refusing duplicate keys.

PyYAML keeps the last of two equal keys without a word; declarations must
not lose data that way, so files are composed into nodes and built here,
with every problem (duplicate keys, merge keys, syntax, encoding) reported
against its file, line and column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from infra.core.problems import Position, Problems

KeyPath = tuple[str | int, ...]

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass(frozen=True)
class YamlDocument:
    """Plain data (dicts, lists, scalars) plus where each value and key was written."""

    path: str
    data: Any
    values: dict[KeyPath, Position] = field(repr=False)
    keys: dict[KeyPath, Position] = field(repr=False)

    def at(self, *path: str | int) -> Position:
        """Position of the value at ``path``, or of its nearest written ancestor."""
        probe: KeyPath = tuple(path)
        while probe:
            if probe in self.values:
                return self.values[probe]
            probe = probe[:-1]
        return self.values.get((), Position(self.path))

    def key_at(self, *path: str | int) -> Position:
        """Position of the mapping key that ends ``path`` (falls back to ``at``)."""
        return self.keys.get(tuple(path)) or self.at(*path)


def read_text(file: Path, display: str, problems: Problems) -> str | None:
    """The file's text, or None with a problem when it is missing, not a file or not UTF-8."""
    where = Position(display)
    if not file.exists():
        problems.error(where, "file not found", f"create `{display}` or point --root at a checkout")
        return None
    if not file.is_file():
        problems.error(where, "not a regular file", f"`{display}` must be a YAML file")
        return None
    raw = file.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        problems.error(
            Position(display, line, col),
            f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
            "save the file as UTF-8",
        )
        return None
    return text.removeprefix("\ufeff")


def load_yaml(file: Path, display: str, problems: Problems) -> YamlDocument | None:
    """Load one YAML document; None (with problems recorded) when it cannot be used."""
    text = read_text(file, display, problems)
    if text is None:
        return None
    return parse_yaml(text, display, problems)


def parse_yaml(text: str, display: str, problems: Problems) -> YamlDocument | None:
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.composer.ComposerError as exc:
        if exc.problem and "another document" in exc.problem and exc.problem_mark:
            problems.error(
                _position(display, exc.problem_mark),
                "a second YAML document starts here",
                "keep one document per file: remove the `---` and what follows, or merge it",
            )
            return None
        _syntax_error(exc, display, problems)
        return None
    except yaml.MarkedYAMLError as exc:
        _syntax_error(exc, display, problems)
        return None
    except yaml.YAMLError as exc:
        problems.error(Position(display), f"invalid YAML: {exc}", "fix the file's syntax")
        return None
    if node is None:
        problems.error(Position(display), "file is empty", "declare at least the top-level key")
        return None
    builder = _Builder(display, problems)
    data = builder.build(node, ())
    return YamlDocument(display, data, builder.values, builder.keys)


def _syntax_error(exc: yaml.MarkedYAMLError, display: str, problems: Problems) -> None:
    mark = exc.problem_mark or exc.context_mark
    where = _position(display, mark) if mark else Position(display)
    what = exc.problem or exc.context or "invalid YAML"
    problems.error(where, f"invalid YAML: {what}", "fix the syntax at this position")


def _position(display: str, mark: yaml.Mark) -> Position:
    return Position(display, mark.line + 1, mark.column + 1)


class _Builder:
    def __init__(self, display: str, problems: Problems) -> None:
        self.display = display
        self.problems = problems
        self.values: dict[KeyPath, Position] = {}
        self.keys: dict[KeyPath, Position] = {}
        self._scalars = _Loader("")

    def build(self, node: yaml.Node, path: KeyPath) -> Any:
        self.values[path] = _position(self.display, node.start_mark)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self._scalars.construct_object(node, deep=True)

    def _mapping(self, node: yaml.MappingNode, path: KeyPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            where = _position(self.display, key_node.start_mark)
            if key_node.tag == _MERGE_TAG:
                self.problems.error(
                    where, "merge keys (`<<`) are not supported", "write the keys out in full"
                )
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.error(where, "mapping keys must be plain strings")
                continue
            # Keys are names: `on`, `yes` or `null` stay strings (YAML 1.1 would not).
            key = str(key_node.value)
            if key in first_seen:
                line = first_seen[key].start_mark.line + 1
                self.problems.error(
                    where,
                    f"duplicate key `{key}` (first defined on line {line})",
                    "remove or merge one of the two entries; YAML would silently keep the last",
                )
                continue
            first_seen[key] = key_node
            self.keys[(*path, key)] = where
            result[key] = self.build(value_node, (*path, key))
        return result
