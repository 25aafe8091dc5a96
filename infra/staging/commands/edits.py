"""Comment-preserving edits of declaration files (written by ``infra.core.safe_write``).

Reading for checks goes through the project's positional loader; writing
goes through ruamel.yaml's round trip, which keeps comments, quotes, flow
styles and order, so an edit shows in review as the lines it adds. A new
entry goes before the first one that sorts after it, and takes over the
blank line or comment that separated its neighbours, so that comment stays
above the entry it describes.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.tokens import CommentToken


def round_trip() -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096  # never rewrap a long line
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def load(text: str) -> Any:
    return round_trip().load(text)


def dump(data: Any) -> str:
    out = io.StringIO()
    round_trip().dump(data, out)
    return out.getvalue()


def flow(value: Any) -> Any:
    """A mapping or list written on one line, as ``{writers: [group:...]}``."""
    node: CommentedMap | CommentedSeq
    if isinstance(value, Mapping):
        node = CommentedMap((k, flow(v)) for k, v in value.items())
    elif isinstance(value, list):
        node = CommentedSeq(flow(v) for v in value)
    else:
        return value
    node.fa.set_flow_style()
    return node


def sorted_index(keys: list[str], new: str) -> int:
    """Before the first entry that sorts after ``new``; at the end when none does."""
    return next((i for i, key in enumerate(keys) if key > new), len(keys))


def insert_key(mapping: CommentedMap, key: str, value: Any) -> None:
    index = sorted_index([str(k) for k in mapping], key)
    mapping.insert(index, key, value)
    if index > 0:
        _hand_over(_last_slot(mapping, list(mapping)[index - 1]), _last_slot(mapping, key))


def insert_item(sequence: CommentedSeq, sort_key: str, item: Any, key_of: Any) -> None:
    """Insert ``item`` in a list sorted by ``key_of(item)``."""
    index = sorted_index([key_of(existing) for existing in sequence], sort_key)
    sequence.insert(index, item)
    if index == 0:
        if len(sequence) > 1:  # separated from the next one as that one is from its own
            _write(_last_slot(sequence, 0), _read(_last_slot(sequence, 1)) or "")
        return
    previous = _last_slot(sequence, index - 1)
    if index == len(sequence) - 1 and index >= 2 and not _read(previous).strip("\n"):
        # appended: the old last entry takes the separator the others have
        separator = _read(_last_slot(sequence, index - 2))
        if not separator.strip():
            _write(previous, separator)
            return
    _hand_over(previous, _last_slot(sequence, index))


Slot = tuple[Any, Any, int]  # (node whose comments hold it, key or index, position)


def _last_slot(container: Any, key: Any) -> Slot:
    """Where the comment after the last line of ``container[key]`` is kept."""
    value = container[key]
    if isinstance(value, CommentedMap) and len(value) and not value.fa.flow_style():
        return _last_slot(value, list(value)[-1])
    if isinstance(value, CommentedSeq) and len(value) and not value.fa.flow_style():
        return _last_slot(value, len(value) - 1)
    if isinstance(container, CommentedSeq):
        return container, key, 0
    return container, key, 3 if value is None else 2


def _tokens(slot: Slot) -> list[CommentToken]:
    node, key, position = slot
    entry = node.ca.items.get(key)
    found = entry[position] if entry else None
    if found is None:
        return []
    return found if isinstance(found, list) else [found]


def _read(slot: Slot) -> str:
    return "".join(token.value for token in _tokens(slot))


def _write(slot: Slot, text: str, column: int = 0) -> None:
    node, key, position = slot
    entry = node.ca.items.setdefault(key, [None, None, None, None])
    if not text.strip(" \n") and text.count("\n") < 2:
        entry[position] = None  # nothing but the end of the line
        return
    token = CommentToken(text, CommentMark(column))
    entry[position] = [token] if position == 3 else token


def _hand_over(previous: Slot, new: Slot) -> None:
    """The new entry takes what stood between its neighbours: a comment moves down
    with the entry it describes, blank lines stay on both sides, and a comment on
    the previous entry's own line stays there."""
    tokens = _tokens(previous)
    column = tokens[0].start_mark.column if tokens else 0
    own, _, rest = _read(previous).partition("\n")
    blank = rest[: len(rest) - len(rest.lstrip("\n"))]
    _write(previous, own + "\n" + blank, column)
    _write(new, "\n" + rest)
