"""YAML files read with the position of every value, refusing duplicate keys.

PyYAML keeps the last of two equal keys without a word; declarations must
not lose data that way, so files are composed into nodes and built here,
with every problem (duplicate keys, merge keys, syntax, encoding) reported
against its file, line and column.

Declarations may come from anyone who opens a pull request, so reading is
bounded: a file is at most ``MAX_FILE_BYTES``, nests at most ``MAX_DEPTH``
collections deep and holds at most ``MAX_VALUES`` values once its aliases
are expanded (a "billion laughs" file is refused at the alias that crosses
the bound, before anything is built). Nodes are composed here from the
parser's events, which PyYAML produces without recursion, so depth and size
are counted as they grow. Only YAML's core tags are read; any other tag
(``!!python/...``, ``!foo``, ``!!binary``) and any value its tag cannot
build (``2024-13-45``, ``!!int abc``, an integer of thousands of digits) is
a problem at its position, never an exception.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from infra.core.problems import Position, Problems

KeyPath = tuple[str | int, ...]
# The parser's marks: PyYAML's pure and C parsers have one class each.
Mark = Any

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE_TAG = "tag:yaml.org,2002:merge"
_CORE = "tag:yaml.org,2002:"

MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 64
MAX_VALUES = 250_000

# Tags a declaration may carry: YAML's core schema (and dates, which plain
# scalars such as 2024-01-31 resolve to).
_SCALAR_TAGS = frozenset(_CORE + t for t in ("str", "int", "float", "bool", "null", "timestamp"))
_COLLECTION_TAGS = {yaml.MappingNode: _CORE + "map", yaml.SequenceNode: _CORE + "seq"}
_WHAT_TAG_BUILDS = {
    _CORE + "int": "a whole number",
    _CORE + "float": "a number",
    _CORE + "bool": "a boolean",
    _CORE + "timestamp": "a date (YYYY-MM-DD)",
}


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


# -- reading the file -------------------------------------------------------------


def read_text(file: Path, display: str, problems: Problems) -> str | None:
    """The file's text, or None with a problem when it cannot be read as a UTF-8 file.

    Anything but a regular file (a directory, a FIFO, a device, a socket) is
    reported, never skipped and never opened for reading: a FIFO would block
    and a device never end. So is a declaration that is a symbolic link, or
    lies in a linked folder of the data root: a change that only retargets a
    link shows nothing in its diff, so declarations are regular files.
    """
    where = Position(display)
    linked = _linked_part(file, display)
    if linked is not None:
        shown, link = linked
        problems.error(
            where,
            f"`{shown}` is a symbolic link{_link_detail(link)}: "
            "declarations are read from regular files only",
            f"replace the link with the {'file' if link == file else 'folder'} it points to",
        )
        return None
    try:
        info = os.stat(file)
    except OSError as error:
        _unreadable(file, display, error, problems)
        return None
    if not stat.S_ISREG(info.st_mode):
        problems.error(
            where, f"not a regular file: {_kind(info.st_mode)}", f"`{display}` must be a YAML file"
        )
        return None
    raw = _read_bytes(file, display, problems)
    if raw is None:
        return None
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


def _linked_part(file: Path, display: str) -> tuple[str, Path] | None:
    """The first part of ``display`` (a path under the data root ending at ``file``)
    that is a symbolic link, as shown and as a path; None when there is none."""
    parts = Path(display).parts
    if not parts or Path(display).is_absolute() or ".." in parts:
        return (display, file) if os.path.islink(file) else None
    base = file
    for _ in parts:
        base = base.parent
    for depth in range(1, len(parts) + 1):
        link = base.joinpath(*parts[:depth])
        if os.path.islink(link):
            return Path(*parts[:depth]).as_posix(), link
    return None


def _link_detail(link: Path) -> str:
    try:
        target = os.readlink(link)
    except OSError:
        return ""
    if not os.path.exists(link):
        return f" to a missing file or a loop (`{target}`)"
    return f" (to `{target}`)"


def _read_bytes(file: Path, display: str, problems: Problems) -> bytes | None:
    """At most ``MAX_FILE_BYTES`` of a regular file (checked again once open)."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
    flags |= getattr(os, "O_NOFOLLOW", 0)  # made a link since it was looked at: refused
    try:
        handle = os.open(file, flags)
    except OSError as error:
        _unreadable(file, display, error, problems)
        return None
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode):  # replaced since it was looked at
            problems.error(Position(display), f"not a regular file: {_kind(info.st_mode)}")
            return None
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_FILE_BYTES:
            chunk = os.read(handle, 1 << 20)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            size += len(chunk)
    except OSError as error:
        _unreadable(file, display, error, problems)
        return None
    finally:
        os.close(handle)
    problems.error(
        Position(display),
        f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB",
        "declarations are small: split the file, or remove what does not belong in it",
    )
    return None


def _unreadable(file: Path, display: str, error: OSError, problems: Problems) -> None:
    where = Position(display)
    if error.errno == errno.ENOENT and os.path.islink(file):
        problems.error(
            where,
            f"symlink to a missing file (`{os.readlink(file)}`)",
            "point the link at a file, or replace it with the file",
        )
    elif error.errno in (errno.ENOENT, errno.ENOTDIR):
        problems.error(where, "file not found", f"create `{display}` or point --root at a checkout")
    elif error.errno == errno.ELOOP:
        problems.error(where, "symlink loop", f"replace `{display}` with the file itself")
    elif error.errno in (errno.EACCES, errno.EPERM):
        problems.error(
            where, "permission denied", f"make `{display}` readable by the user running this"
        )
    else:
        problems.error(where, f"cannot read the file: {error.strerror or error}")


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


def load_yaml(file: Path, display: str, problems: Problems) -> YamlDocument | None:
    """Load one YAML document; None (with problems recorded) when it cannot be used."""
    text = read_text(file, display, problems)
    if text is None:
        return None
    return parse_yaml(text, display, problems)


# -- parsing ------------------------------------------------------------------------


class _Refused(Exception):
    """The file goes past a bound or breaks a rule: reported at ``mark``, nothing built."""

    def __init__(self, mark: Mark | None, message: str, hint: str) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message
        self.hint = hint


def parse_yaml(text: str, display: str, problems: Problems) -> YamlDocument | None:
    try:
        node = _Composer().compose(yaml.parse(text, Loader=_Loader))
    except _Refused as refused:
        where = _position(display, refused.mark) if refused.mark else Position(display)
        problems.error(where, refused.message, refused.hint)
        return None
    except yaml.MarkedYAMLError as exc:
        _syntax_error(exc, display, problems)
        return None
    except yaml.reader.ReaderError as exc:
        problems.error(
            _offset_position(display, text, exc.position),
            f"invalid YAML: character {_codepoint(exc.character)} is not allowed",
            "remove it, or write it as an escape inside a double-quoted string",
        )
        return None
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        problems.error(Position(display), f"invalid YAML: {first}", "fix the file's syntax")
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


def _position(display: str, mark: Mark) -> Position:
    return Position(display, mark.line + 1, mark.column + 1)


def _offset_position(display: str, text: str, offset: int) -> Position:
    before = text[: max(0, offset)]
    return Position(display, before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1)


def _codepoint(character: Any) -> str:
    code = character if isinstance(character, int) else ord(str(character)[:1] or "\0")
    return f"U+{code:04X}"


@dataclass
class _Open:
    """A collection being composed: its start, children so far and their sizes."""

    kind: Any  # yaml.MappingNode or yaml.SequenceNode
    tag: str
    start: Mark
    anchor: str | None
    flow_style: bool | None
    children: list[yaml.Node] = field(default_factory=list)
    size: int = 1  # values once aliases are expanded, itself included
    height: int = 1  # collections from here to the deepest leaf, itself included


@dataclass(frozen=True)
class _Anchored:
    node: yaml.Node
    size: int
    height: int


class _Composer:
    """Nodes from parser events, as PyYAML composes them, with depth and size bounded."""

    def __init__(self) -> None:
        self._resolver = _Loader("")
        self._stack: list[_Open] = []
        self._anchors: dict[str, _Anchored] = {}
        self._opening: set[str] = set()
        self._total = 0
        self._root: yaml.Node | None = None

    def compose(self, events: Iterable[yaml.Event]) -> yaml.Node | None:
        documents = 0
        for event in events:
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise _Refused(
                        event.start_mark,
                        "a second YAML document starts here",
                        "keep one document per file: remove the `---` and what follows, "
                        "or merge it",
                    )
            elif isinstance(event, yaml.ScalarEvent):
                self._scalar(event)
            elif isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
                self._open(event)
            elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
                self._close(event)
            elif isinstance(event, yaml.AliasEvent):
                self._alias(event)
        return self._root

    def _resolve(self, kind: type[yaml.Node], value: str | None, implicit: Any) -> str:
        tag: str = self._resolver.resolve(kind, value, implicit)  # type: ignore[no-untyped-call]
        return tag

    def _scalar(self, event: yaml.ScalarEvent) -> None:
        tag = event.tag
        if tag is None or tag == "!":
            tag = self._resolve(yaml.ScalarNode, event.value, event.implicit)
        marks: tuple[Mark, Mark] = (event.start_mark, event.end_mark)
        node = yaml.ScalarNode(tag, event.value, *marks, event.style)
        self._anchor(event.anchor, node, 1, 0)
        self._add(node, 1, 0, 1)

    def _open(self, event: yaml.CollectionStartEvent) -> None:
        if len(self._stack) + 1 > MAX_DEPTH:
            raise _too_deep(event.start_mark)
        kind: Any = (
            yaml.MappingNode if isinstance(event, yaml.MappingStartEvent) else yaml.SequenceNode
        )
        tag = event.tag
        if tag is None or tag == "!":
            tag = self._resolve(kind, None, event.implicit)
        if event.anchor is not None:
            self._opening.add(event.anchor)
        self._stack.append(_Open(kind, tag, event.start_mark, event.anchor, event.flow_style))

    def _close(self, event: yaml.Event) -> None:
        done = self._stack.pop()
        if done.kind is yaml.MappingNode:
            items = done.children
            value: Any = list(zip(items[0::2], items[1::2], strict=True))
        else:
            value = done.children
        node = done.kind(done.tag, value, done.start, event.end_mark, done.flow_style)
        if done.anchor is not None:
            self._opening.discard(done.anchor)
            self._anchor(done.anchor, node, done.size, done.height)
        self._add(node, done.size, done.height, 1)

    def _alias(self, event: yaml.AliasEvent) -> None:
        name = str(event.anchor)
        if name in self._opening:
            raise _Refused(
                event.start_mark,
                f"alias `*{name}` refers to the value that contains it",
                "a recursive alias never ends: write the value out",
            )
        anchored = self._anchors.get(name)
        if anchored is None:
            raise _Refused(
                event.start_mark,
                f"alias `*{name}` names no anchor written before it",
                f"define `&{name}` on a value above, or write the value out",
            )
        if len(self._stack) + anchored.height > MAX_DEPTH:
            raise _too_deep(event.start_mark)
        self._add(anchored.node, anchored.size, anchored.height, anchored.size, event.start_mark)

    def _anchor(self, name: str | None, node: yaml.Node, size: int, height: int) -> None:
        if name is not None:
            self._anchors[name] = _Anchored(node, size, height)

    def _add(
        self, node: yaml.Node, size: int, height: int, counted: int, mark: Mark = None
    ) -> None:
        """Attach a finished node to its parent; ``counted``: values it adds to the file
        (``mark``: where, when not at the node: an alias)."""
        self._total += counted
        if self._total > MAX_VALUES:
            raise _Refused(
                mark or node.start_mark,
                f"the file holds more than {MAX_VALUES:,} values once aliases are expanded",
                "declarations are small: write values out instead of repeating aliases, "
                "or split the file",
            )
        if not self._stack:
            self._root = node
            return
        parent = self._stack[-1]
        parent.children.append(node)
        parent.size += size
        parent.height = max(parent.height, height + 1)


def _too_deep(mark: Mark) -> _Refused:
    return _Refused(
        mark,
        f"values nest more than {MAX_DEPTH} levels deep",
        "declarations are shallow: flatten the structure",
    )


# -- building plain data --------------------------------------------------------------


class _Builder:
    def __init__(self, display: str, problems: Problems) -> None:
        self.display = display
        self.problems = problems
        self.values: dict[KeyPath, Position] = {}
        self.keys: dict[KeyPath, Position] = {}
        self._scalars = _Loader("")

    def build(self, node: yaml.Node, path: KeyPath) -> Any:
        where = _position(self.display, node.start_mark)
        self.values[path] = where
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode):
            if node.tag != _COLLECTION_TAGS[type(node)]:
                self._unsupported_tag(node.tag, where)
                return None
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path)
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self._scalar(node, where)

    def _scalar(self, node: yaml.Node, where: Position) -> Any:
        if node.tag not in _SCALAR_TAGS:
            self._unsupported_tag(node.tag, where)
            return None
        try:
            return self._scalars.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, ArithmeticError, LookupError, TypeError) as error:
            self.problems.error(where, *_unbuildable(node, error))
            return None

    def _unsupported_tag(self, tag: str, where: Position) -> None:
        shown = "!!" + tag.removeprefix(_CORE) if tag.startswith(_CORE) else tag
        self.problems.error(
            where,
            f"YAML tag `{shown}` is not supported",
            "remove the tag: declarations hold only strings, numbers, booleans, "
            "null, lists and mappings",
        )

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


def _unbuildable(node: yaml.Node, error: BaseException) -> tuple[str, str]:
    """Message and hint for a scalar its tag cannot build."""
    text = str(node.value)
    shown = text if len(text) <= 40 else f"{text[:20]}...{text[-8:]} ({len(text)} characters)"
    what = _WHAT_TAG_BUILDS.get(node.tag, "a value")
    if node.tag == _CORE + "int" and isinstance(error, ValueError) and "digits" in str(error):
        return (
            f"`{shown}` has too many digits for a number",
            "no declared number is that large: write the intended value",
        )
    return (
        f"`{shown}` is not {what}",
        f'write a valid {what.removeprefix("a ").removeprefix("an ")}, or quote it ("...") '
        "to keep it as text",
    )
