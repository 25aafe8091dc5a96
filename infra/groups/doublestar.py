"""Path globs with ``**``, matched the way upstream's groups reconciler matches them.

``restrictions.yaml`` paths are doublestar globs (Go's bmatcuk/doublestar),
which neither ``fnmatch`` (its ``*`` crosses ``/``) nor ``PurePath.match``
(its ``**`` is a plain ``*``, and it matches from the right) reproduce.

Pattern and path are split on ``/`` and matched component by component:

    **        a whole component: zero or more components; at the end of the
              pattern, one or more (``a/**`` matches what is under ``a``)
    *         any run of characters within one component (also inside ``**x``)
    ?         one character within a component
    [abc]     one character of a class; ranges ``a-z``; ``[^...]`` or
              ``[!...]`` negates
    {a,b}     one of the alternatives (each may hold the terms above)
    \\c        the character c itself

A pattern is checked when it is compiled, so a malformed one is reported
where it is written rather than when some path happens to reach it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache


class BadPattern(ValueError):
    """A glob that cannot be compiled; the message says what is wrong."""


@dataclass(frozen=True)
class Glob:
    pattern: str
    # One entry per component: a compiled regex, or None for a `**` component.
    parts: tuple[re.Pattern[str] | None, ...] = field(repr=False)

    def matches(self, path: str) -> bool:
        return _match(self.parts, tuple(path.split("/")))


def compile_glob(pattern: str) -> Glob:
    """Compile ``pattern``; raises BadPattern when it is malformed."""
    parts: list[re.Pattern[str] | None] = []
    for component in _split(pattern):
        if component == "**":
            parts.append(None)
            continue
        try:
            parts.append(re.compile(_translate(component), re.DOTALL))
        except re.error as exc:  # e.g. a class range written backwards
            raise BadPattern(f"{exc.msg} in `{component}`") from None
    return Glob(pattern, tuple(parts))


def match(pattern: str, path: str) -> bool:
    """Whether ``path`` (``/``-separated, relative) matches ``pattern``."""
    return compile_glob(pattern).matches(path)


def _match(parts: tuple[re.Pattern[str] | None, ...], names: tuple[str, ...]) -> bool:
    @cache
    def at(i: int, j: int) -> bool:
        if i == len(parts):
            return j == len(names)
        part = parts[i]
        if part is None:
            if i == len(parts) - 1:
                return j < len(names)
            return any(at(i + 1, k) for k in range(j, len(names) + 1))
        return j < len(names) and part.fullmatch(names[j]) is not None and at(i + 1, j + 1)

    return at(0, 0)


def _split(pattern: str) -> list[str]:
    """Split on every ``/`` that is not escaped."""
    components: list[str] = []
    current: list[str] = []
    escaped = False
    for char in pattern:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            current.append(char)
            escaped = True
        elif char == "/":
            components.append("".join(current))
            current = []
        else:
            current.append(char)
    components.append("".join(current))
    return components


def _translate(component: str) -> str:
    """The regex for one component (no ``/`` inside)."""
    out: list[str] = []
    i = 0
    while i < len(component):
        char = component[i]
        if char == "\\":
            if i + 1 == len(component):
                raise BadPattern(f"`{component}` ends with an escaping backslash")
            out.append(re.escape(component[i + 1]))
            i += 2
        elif char == "*":
            out.append(".*")
            i += 1
        elif char == "?":
            out.append(".")
            i += 1
        elif char == "[":
            end = _closing(component, i, "[", "]")
            out.append(_char_class(component, component[i + 1 : end]))
            i = end + 1
        elif char == "{":
            end = _closing(component, i, "{", "}")
            options = _split_options(component[i + 1 : end])
            out.append("(?:" + "|".join(_translate(o) for o in options) + ")")
            i = end + 1
        else:
            out.append(re.escape(char))
            i += 1
    return "".join(out)


def _closing(component: str, start: int, opening: str, closing: str) -> int:
    """Index of the bracket closing the one at ``start`` (braces nest, classes do not)."""
    depth = 0
    i = start
    while i < len(component):
        char = component[i]
        if char == "\\":
            i += 2
            continue
        if char == opening and opening == "{":
            depth += 1
        elif char == closing:
            if opening == "[" or depth == 1:
                return i
            depth -= 1
        i += 1
    raise BadPattern(f"`{opening}` without a closing `{closing}` in `{component}`")


def _split_options(body: str) -> list[str]:
    """Split ``{a,b}``'s body on its top-level, unescaped commas."""
    options: list[str] = []
    current: list[str] = []
    depth = 0
    i = 0
    while i < len(body):
        char = body[i]
        if char == "\\":
            current.append(body[i : i + 2])
            i += 2
            continue
        if char == "," and depth == 0:
            options.append("".join(current))
            current = []
        else:
            depth += {"{": 1, "}": -1}.get(char, 0)
            current.append(char)
        i += 1
    options.append("".join(current))
    return options


def _char_class(component: str, body: str) -> str:
    negate = body[:1] in ("^", "!")
    chars = body[1:] if negate else body
    if not chars:
        raise BadPattern(f"empty character class in `{component}`")
    items: list[str] = []
    i = 0

    def take() -> str:
        nonlocal i
        char = chars[i]
        if char == "\\":
            if i + 1 == len(chars):
                raise BadPattern(f"character class ends with a backslash in `{component}`")
            i += 2
            return chars[i - 1]
        if char == "-":
            raise BadPattern(f"`-` without a start of range in `{component}`")
        i += 1
        return char

    while i < len(chars):
        low = take()
        if i < len(chars) and chars[i] == "-":
            i += 1
            if i == len(chars):
                raise BadPattern(f"range without an end in `{component}`")
            high = take()
            items.append(f"{re.escape(low)}-{re.escape(high)}")
        else:
            items.append(re.escape(low))
    return "[" + ("^" if negate else "") + "".join(items) + "]"
