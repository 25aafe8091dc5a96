"""Every changed leaf of a value, with its path and both values, and how each is shown.

``template.containers[0].image: …@sha256:f5e8… → …@sha256:1111…``: objects are
walked key by key, lists of the same length item by item; a list of plain
values whose length changes is shown as the items it gains and loses (``+``,
``-``), as a multiset, so reordering alone is one line. Sentinels
(``$unknown``, ``$secret``, ``$resource``) are leaves.

A long string is never cut before its difference: ``pair`` shows a window
around each part that differs and says how long the string is.

A hand-written walk, not a library: plan values are JSON (objects, lists,
scalars), and the walk is the few lines below. ``scripts/bench_leaves.py``
measures it against DeepDiff on the estate's own plans: the same changed
leaves on every resource of the estate, in a twentieth of the time
(docs/design/benchmarks.md).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from infra.planner.diff import minus
from infra.review.escape import one_line

ADDED, REMOVED, CHANGED = "+", "-", "~"
# Longest value shown whole on one line.
LONGEST = 160
# Longest value shown on its own line (an input of a new resource, an item added).
WHOLE = 2_000
# Characters of context shown around each differing part of a long string.
CONTEXT = 24
# Differing parts closer than this are shown as one.
JOIN = 12
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_SENTINELS = frozenset({"$secret", "$unknown", "$resource"})
ABSENT: Any = object()


@dataclass(frozen=True)
class Leaf:
    path: str  # `key.inner[0].leaf`, "" for the value itself
    before: Any  # ABSENT when added
    after: Any  # ABSENT when removed
    mark: str  # CHANGED, or ADDED / REMOVED for a list item (path: the list)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"path": self.path, "mark": self.mark}
        if self.before is not ABSENT:
            data["before"] = self.before
        if self.after is not ABSENT:
            data["after"] = self.after
        return data


def is_sentinel(value: Any) -> bool:
    return isinstance(value, dict) and bool(_SENTINELS & set(value))


def join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    step = key if _IDENTIFIER.fullmatch(key) else json.dumps(key, ensure_ascii=False)
    return f"{path}.{step}" if path else step


def leaves(path: str, before: Any, after: Any) -> Iterator[Leaf]:
    """Every leaf that differs between two values (ABSENT: the value is not there)."""
    if before is not ABSENT and after is not ABSENT and _same(before, after):
        return
    if _is_map(before) and _is_map(after):
        for key in sorted(set(before) | set(after), key=str):
            yield from leaves(join(path, key), before.get(key, ABSENT), after.get(key, ABSENT))
    elif isinstance(before, list) and isinstance(after, list):
        yield from _list_leaves(path, before, after)
    elif before is ABSENT and _is_map(after) and after:
        for key in sorted(after, key=str):
            yield from leaves(join(path, key), ABSENT, after[key])
    elif after is ABSENT and _is_map(before) and before:
        for key in sorted(before, key=str):
            yield from leaves(join(path, key), before[key], ABSENT)
    else:
        yield Leaf(path, before, after, CHANGED)


def all_leaves(inputs: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    """Every leaf of a resource's inputs with its path (a list of plain values is one leaf)."""
    for key in sorted(inputs, key=str):
        yield from _flat(join("", key), inputs[key])


def _flat(path: str, value: Any) -> Iterator[tuple[str, Any]]:
    if _is_map(value) and value:
        for key in sorted(value, key=str):
            yield from _flat(join(path, key), value[key])
    elif isinstance(value, list) and any(_is_map(v) or isinstance(v, list) for v in value):
        for index, item in enumerate(value):
            yield from _flat(join(path, index), item)
    else:
        yield path, value


def _list_leaves(path: str, before: list[Any], after: list[Any]) -> Iterator[Leaf]:
    nested = any(_is_map(v) or isinstance(v, list) for v in [*before, *after])
    if nested and len(before) == len(after):
        for index, (old, new) in enumerate(zip(before, after, strict=True)):
            yield from leaves(join(path, index), old, new)
        return
    removed, added = minus(before, after), minus(after, before)
    if not removed and not added:
        yield Leaf(path, before, after, CHANGED)  # the same items, in a new order
        return
    for item in removed:
        yield Leaf(path, item, ABSENT, REMOVED)
    for item in added:
        yield Leaf(path, ABSENT, item, ADDED)


def _is_map(value: Any) -> bool:
    return isinstance(value, dict) and not is_sentinel(value)


def _same(before: Any, after: Any) -> bool:
    # 1 == True in Python; a plan's JSON tells them apart
    return type(before) is type(after) and before == after


# --- how values are shown ----------------------------------------------------------


def show(value: Any, longest: int = LONGEST) -> str:
    """A value on one line: strings bare (quoted when they hold control characters),
    sentinels in words, the rest as JSON; a long value is cut with its length."""
    text = plain(value)
    if len(text) > longest:
        return f"{text[: longest - 1]}… ({len(text)} characters)"
    return text


def plain(value: Any) -> str:
    if value is ABSENT or value is None:
        return "(none)"
    if isinstance(value, str):
        return one_line(value)
    if isinstance(value, dict):
        if value.get("$secret"):
            return "[secret]"
        if "$unknown" in value:
            return "(known after apply)"
        if "$resource" in value:
            return f"(resource {one_line(str(value['$resource']))})"
    return one_line(json.dumps(value, sort_keys=True, separators=(", ", ": "), ensure_ascii=False))


def pair(before: Any, after: Any) -> tuple[str, str]:
    """Both values of a change, each on one line; when they are long, a window around
    every part that differs (never cut before a difference)."""
    old, new = plain(before), plain(after)
    if len(old) <= LONGEST and len(new) <= LONGEST:
        return old, new
    return _windowed(old, new)


def _windowed(old: str, new: str) -> tuple[str, str]:
    spans = _differing(old, new)
    if not spans:
        return old, new
    old_parts: list[tuple[int, int]] = []
    new_parts: list[tuple[int, int]] = []
    for a1, a2, b1, b2 in spans:
        old_parts += _window(len(old), a1, a2)
        new_parts += _window(len(new), b1, b2)
    return _cut(old, old_parts), _cut(new, new_parts)


def _differing(old: str, new: str) -> list[list[int]]:
    """The differing parts as [old start, old end, new start, new end], close ones joined."""
    prefix = 0
    while prefix < min(len(old), len(new)) and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while (suffix < min(len(old), len(new)) - prefix
           and old[-1 - suffix] == new[-1 - suffix]):  # fmt: skip
        suffix += 1
    middle = (old[prefix : len(old) - suffix], new[prefix : len(new) - suffix])
    if len(middle[0]) * len(middle[1]) > 4_000_000:  # too long to align: one part
        return [[prefix, len(old) - suffix, prefix, len(new) - suffix]]
    spans: list[list[int]] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, *middle, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        a1, a2, b1, b2 = i1 + prefix, i2 + prefix, j1 + prefix, j2 + prefix
        if spans and a1 - spans[-1][1] <= JOIN and b1 - spans[-1][3] <= JOIN:
            spans[-1][1], spans[-1][3] = a2, b2
        else:
            spans.append([a1, a2, b1, b2])
    return spans


def _window(size: int, start: int, end: int) -> list[tuple[int, int]]:
    """What is shown of a string around its differing part [start, end): the context on
    each side, and of a long part its beginning and its end."""
    if end - start > 2 * LONGEST:
        return [
            (max(0, start - CONTEXT), start + LONGEST),
            (end - CONTEXT, min(size, end + CONTEXT)),
        ]
    return [(max(0, start - CONTEXT), min(size, end + CONTEXT))]


def _cut(text: str, parts: list[tuple[int, int]]) -> str:
    shown, last = [], 0
    for begin, end in parts:
        start = max(begin, last)
        if start > last:
            shown.append("…")
        shown.append(text[start:end])
        last = max(last, end)
    if last < len(text):
        shown.append("…")
    return "".join(shown) + f" ({len(text)} characters)"
