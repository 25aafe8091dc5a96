"""Lines for people: an access diff (text or Markdown) and the answers of `access of/on`.

Changes alike are collapsed: a principal gaining one role on several
targets of one kind, through the same paths, is one line
(``roles/artifactregistry.writer on 3 repositories: foo, bar, baz``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from infra.access.diff import AccessDiff, Change, PrincipalChanges
from infra.access.extractors import GROUP
from infra.access.grant import Target, is_public
from infra.access.model import Access

# Names listed on a collapsed line before "and N more".
SHOWN = 6


@dataclass(frozen=True)
class Line:
    """One change line: ``+`` gained, ``-`` lost; ``public`` when anyone gains it."""

    mark: str
    principal: str
    text: str  # what follows the principal (plain text)
    public: bool
    parts: tuple[tuple[str, bool], ...]  # the text as (piece, is_value) for Markdown
    stacks: frozenset[str] = frozenset()  # the stacks whose plans grant it

    def dangerous(self, production: frozenset[str]) -> bool:
        """New public access, or new access granted by a production stack's plan."""
        return self.mark == "+" and (self.public or bool(self.stacks & production))

    def plain(self) -> str:
        return f"{self.mark} {self.principal}: {self.text}"


def plural(kind: str, count: int) -> str:
    if count == 1:
        return kind
    return kind[:-1] + "ies" if kind.endswith("y") else kind + "s"


def through_parts(access: Access) -> list[tuple[str, bool]]:
    """How a path gives it: ``through group:a@ → group:b@`` or ``directly``, plus the note,
    as (piece, is_value) pieces."""
    parts: list[tuple[str, bool]] = []
    if access.via:
        parts.append(("through ", False))
        for index, group in enumerate(access.via):
            parts += [(" → " if index else "", False), (group, True)]
    else:
        parts.append(("directly", False))
    if access.grant.note:
        parts += [(" (", False), (access.grant.note, True), (")", False)]
    return [(piece, value) for piece, value in parts if piece]


def through(access: Access) -> str:
    return "".join(piece for piece, _ in through_parts(access))


def _targets(targets: Sequence[Target]) -> list[str]:
    """Short names when they are unique, else the full ones."""
    shorts = [t.short for t in targets]
    return shorts if len(set(shorts)) == len(shorts) else [t.name for t in targets]


def change_lines(diff: AccessDiff) -> list[Line]:
    lines: list[Line] = []
    for principal in diff.changes:
        lines += _principal_lines(principal)
    return lines


def _principal_lines(changes: PrincipalChanges) -> list[Line]:
    """One line per kind of change (gained, lost) and way it comes: every role on every
    target it gives, alike targets collapsed. Lines of group membership come last."""
    lines = []
    spelled: dict[str, list[tuple[str, bool]]] = {}
    for mark, group in (("+", changes.gained), ("-", changes.lost)):
        by_way: dict[tuple[str, ...], list[Change]] = defaultdict(list)
        for change in group:
            ways = tuple(sorted({through(a) for a in change.paths}))
            for a in change.paths:
                spelled.setdefault(through(a), through_parts(a))
            by_way[ways].append(change)
        for ways, found in sorted(by_way.items(), key=lambda item: (_membership(item[1]), item[0])):
            parts = _holdings_parts(found)
            for index, way in enumerate(ways):
                parts.append((", or " if index else ", ", False))
                parts += spelled[way]
            public = any(c.public for c in found) or is_public(changes.principal)
            text = "".join(piece for piece, _ in parts)
            stacks = frozenset(s for c in found for s in c.stacks)
            lines.append(Line(mark, changes.principal, text, public, tuple(parts), stacks))
    return lines


def _membership(changes: Sequence[Change]) -> bool:
    return all(c.holding.target.kind == GROUP for c in changes)


def _holdings_parts(changes: Sequence[Change]) -> list[tuple[str, bool]]:
    """``ROLE on KIND NAME; ROLE on N KINDs: A, B, C``."""
    alike: dict[tuple[str, str], list[Target]] = defaultdict(list)
    for change in changes:
        alike[(change.holding.role, change.holding.target.kind)].append(change.holding.target)
    parts: list[tuple[str, bool]] = []
    for index, ((role, kind), found) in enumerate(sorted(alike.items())):
        targets = sorted(found)
        parts += [("; " if index else "", False), (role, True), (" on ", False)]
        if len(targets) == 1:
            parts += [(kind + " ", False), (targets[0].name, True)]
            continue
        names = _targets(targets)
        parts.append((f"{len(targets)} {plural(kind, len(targets))}: ", False))
        for position, name in enumerate(names[:SHOWN]):
            parts += [(", " if position else "", False), (name, True)]
        if len(names) > SHOWN:
            parts.append((f" and {len(names) - SHOWN} more", False))
    return [(piece, value) for piece, value in parts if piece]


def text_lines(diff: AccessDiff) -> list[str]:
    """The diff for a terminal or a CI log."""
    if diff.empty:
        return ["no change in effective access"]
    return [line.plain() for line in change_lines(diff)] + [
        f"! {a.principal}: {a.grant.role} on {a.grant.target} is overridden by an "
        "authoritative binding or policy"
        for a in diff.overridden
    ]


# --- Markdown ---------------------------------------------------------------------


def code(value: str) -> str:
    """``value`` as an inline code span, safe in a list, a table cell or HTML: no line
    break, a fence longer than any run of backticks in it, and ``|`` escaped."""
    flat = re.sub(r"\s+", " ", value).replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") or not flat.strip() else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>&~])")


def text(value: str) -> str:
    """Plain words, with every character Markdown or HTML could read escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", re.sub(r"\s+", " ", value))


def markdown_lines(
    diff: AccessDiff, limit: int | None = None, production: frozenset[str] = frozenset()
) -> list[str]:
    """The access section of a PR summary, as Markdown lines (empty when nothing changes):
    a heading, then one list item per collapsed change, dangers first.

    ``limit`` bounds the characters of the section: lines beyond it are counted
    in a last line instead. New public access, and new access granted in a
    stack of ``production``, are dangers: marked, and listed first."""
    if diff.empty and not diff.overridden:
        return []
    items = change_lines(diff)
    items.sort(key=lambda line: (not line.dangerous(production), line.principal))
    section = ["### Who gains what", ""]
    used = sum(len(s) + 1 for s in section)
    left_out = 0
    for line in items:
        icon = ":warning: " if line.dangerous(production) else ""
        rendered = "".join(code(p) if value else text(p) for p, value in line.parts)
        verb = "gains" if line.mark == "+" else "loses"
        item = f"- {icon}{code(line.principal)} {verb} {rendered}"
        if limit is not None and used + len(item) + 1 > limit - 80:
            left_out += 1
            continue
        used += len(item) + 1
        section.append(item)
    for access in diff.overridden:
        grant = access.grant
        section.append(
            f"- :warning: {code(access.principal)}: {code(grant.role)} on "
            f"{text(grant.target.kind)} {code(grant.target.name)} is overridden by an "
            "authoritative binding or policy"
        )
    if left_out:
        section.append(f"- _{left_out} more change\\(s\\): see `access diff --json`_")
    section.append("")
    return section


# --- of / on --------------------------------------------------------------------------


def holding_lines(accesses: Iterable[Access], *, by_target: bool = False) -> list[str]:
    """Lines under each principal (each role and target, and how it is held), or under
    each target with ``by_target`` (each principal and role, and how)."""
    grouped: dict[str, list[Access]] = defaultdict(list)
    for access in accesses:
        grouped[str(access.grant.target) if by_target else access.principal].append(access)
    lines = []
    for head in sorted(grouped):
        lines.append(head)
        for access in sorted(grouped[head], key=lambda a: (a.grant.target, a.principal,
                                                           a.grant.role, a.via)):  # fmt: skip
            grant = access.grant
            held = (f"{access.principal}: {grant.role}" if by_target
                    else f"{grant.role} on {grant.target}")  # fmt: skip
            public = " [public]" if access.public else ""
            lines.append(f"  {held} ({grant.stack}), {through(access)}{public}")
    return lines
