"""``restrictions.yaml``: which groups file may declare which groups.

    restrictions:
      - path: "sig-release/groups.yaml"     # doublestar glob, relative to the groups root
        allowedGroups:                      # regexes, searched anywhere in the address
          - "^k8s-infra-release-admins@kubernetes.io$"
      - path: "**/*"                        # no allowedGroups: nothing is allowed

Upstream's semantics, kept exactly: the first rule whose path matches a file
applies; a file no rule matches may declare any group; a rule without
``allowedGroups`` allows none. The file sits at the groups root and is owned
by the infra approvers, so a SIG can change its own groups' members but not
claim a new address without their review.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.core.fields import Fields, printable
from infra.core.located_yaml import YamlDocument, load_yaml
from infra.core.problems import Position, Problems
from infra.groups.doublestar import BadPattern, Glob, compile_glob
from infra.groups.regex import BadRegex, Regex, RegexSet

RESTRICTIONS_FILE = "restrictions.yaml"
RULE_KEYS = ("path", "allowedGroups")


@dataclass(frozen=True)
class Restriction:
    path: Glob
    allowed: tuple[Regex, ...]
    where: Position  # the rule's list item, for messages

    def allows(self, address: str) -> bool:
        # Go's regexp MatchString finds a match anywhere, as Regex.search does.
        return any(pattern.search(address) for pattern in self.allowed)


class Restrictions:
    """The rules, with what checking many groups needs computed once.

    The rule of each file is found once per file, and the files another
    rule would allow an address in are found with one match of a set of
    every named rule's regexes: checking N groups costs N matches, not
    N x files x rules.
    """

    def __init__(self, rules: tuple[Restriction, ...]) -> None:
        self.rules = rules
        self._by_path: dict[str, Restriction | None] = {}
        # files named by a rule (not a glob), with the rule that applies to each
        named = [r.path.pattern for r in rules if not _is_glob(r.path.pattern)]
        self._named = [(path, self.rule_for(path)) for path in dict.fromkeys(named)]
        regexes = [(i, regex) for i, (_, rule) in enumerate(self._named) if rule
                   for regex in rule.allowed]  # fmt: skip
        self._owner = [i for i, _ in regexes]  # regex index -> index in _named
        self._set = RegexSet([regex for _, regex in regexes])

    def rule_for(self, path: str) -> Restriction | None:
        """The first rule whose glob matches ``path`` (relative to the groups root)."""
        if path not in self._by_path:
            self._by_path[path] = next((r for r in self.rules if r.path.matches(path)), None)
        return self._by_path[path]

    def allows(self, path: str, address: str) -> bool:
        rule = self.rule_for(path)
        return rule is None or rule.allows(address)

    def files_allowing(self, address: str) -> list[str]:
        """The files named by a rule (not a glob) that may declare ``address``, for a hint."""
        hits = {self._owner[i] for i in self._set.matching(address)}
        return [path for i, (path, rule) in enumerate(self._named) if rule is None or i in hits]


@dataclass(frozen=True)
class Located:
    """One declared address, in the file (relative to the groups root) declaring it."""

    path: str
    address: str
    where: Position


def load_restrictions(root: Path, groups_dir: str, problems: Problems) -> Restrictions | None:
    """Read ``<groups_dir>/restrictions.yaml``; None when it is missing or unreadable."""
    display = f"{groups_dir}/{RESTRICTIONS_FILE}"
    file = root / groups_dir / RESTRICTIONS_FILE
    if not os.path.lexists(file):  # a broken link or a loop is reported by the reader
        problems.error(
            Position(display),
            "restrictions file not found",
            "create it: without it any groups file could claim any address",
        )
        return None
    document = load_yaml(file, display, problems)
    if document is None:
        return None
    return _Reader(document, problems).read()


def check_restrictions(
    restrictions: Restrictions,
    declared: Iterable[Located],
    groups_dir: str,
    problems: Problems,
) -> None:
    """Every declared address must be allowed in its file, upstream's way."""
    items = list(declared)
    files = sorted({item.path for item in items})
    display = f"{groups_dir}/{RESTRICTIONS_FILE}"
    for path in files:
        if restrictions.rule_for(path) is None:
            problems.warning(
                Position(f"{groups_dir}/{path}"),
                f"no rule of {display} matches this file, so it may declare any group",
                'end the rules with `- path: "**/*"` and no allowedGroups',
            )
    for item in items:
        rule = restrictions.rule_for(item.path)
        if rule is None or rule.allows(item.address):
            continue
        elsewhere = [f for f in restrictions.files_allowing(item.address) if f != item.path]
        line = rule.where.line
        pattern = rule.path.pattern
        why = f"rule `{pattern}` ({display}:{line}) " + (
            "does not list it" if rule.allowed else "allows no groups"
        )
        fix = f"add '^{literal_regex(item.address)}$' to that rule's allowedGroups"
        if not rule.allowed and _is_glob(pattern):
            # a catch-all: the file needs a rule of its own, above it
            fix = f'add a rule `path: "{item.path}"` with allowedGroups above it'
        if elsewhere:
            fix = f"move the group to `{groups_dir}/{elsewhere[0]}`, which allows it, or {fix}"
        problems.error(
            item.where,
            f"group `{item.address}` is not allowed in this file: {why}",
            fix,
        )


def _is_glob(pattern: str) -> bool:
    return any(c in pattern for c in "*?[{\\")


def literal_regex(text: str) -> str:
    """A regex matching ``text`` literally, readable in YAML (hyphens stay bare)."""
    return re.escape(text).replace("\\-", "-")


class _Reader:
    def __init__(self, document: YamlDocument, problems: Problems) -> None:
        self.fields = Fields.of(document, problems)
        self.data = document.data

    def read(self) -> Restrictions | None:
        fields = self.fields
        top = fields.mapping(
            self.data,
            (),
            what="restrictions file",
            expected="a mapping with a `restrictions` list",
            hint="start the file with `restrictions:`",
        )
        if top is None:
            return None
        fields.known_keys(top, (), ("restrictions",), None)
        hint = 'write `restrictions:` then `- path: "<dir>/groups.yaml"` items'
        if "restrictions" not in top:
            fields.error((), "no top-level `restrictions` list", hint)
            return None
        raw = top["restrictions"]
        if not isinstance(raw, list):
            # null too: an empty rule list would let every file claim any address
            fields.type_error(("restrictions",), raw, "a list of rules", hint=hint)
            return None
        rules: list[Restriction] = []
        seen: dict[str, int] = {}
        for index, item in enumerate(raw):
            rule = self._rule(fields.below("restrictions", index), item)
            if rule is None:
                continue
            pattern = rule.path.pattern
            if pattern in seen:
                fields.warning(
                    ("restrictions", index, "path"),
                    f"a rule for `{pattern}` is already on line {seen[pattern]}; "
                    "this one never applies (the first match wins)",
                    "merge the two rules' allowedGroups",
                )
            else:
                seen[pattern] = rule.where.line
            rules.append(rule)
        return Restrictions(tuple(rules))

    def _rule(self, fields: Fields, raw: Any) -> Restriction | None:
        item = fields.mapping(
            raw,
            (),
            RULE_KEYS,
            what="a restriction rule",
            expected="a mapping with `path` and `allowedGroups`",
            hint='write `- path: "<dir>/groups.yaml"`',
        )
        if item is None:
            return None
        glob = _glob(fields, item)
        allowed = _allowed(fields, item.get("allowedGroups"))
        if glob is None:
            return None
        return Restriction(glob, allowed, fields.at())


def _glob(fields: Fields, item: dict[str, Any]) -> Glob | None:
    if "path" not in item:
        fields.error(
            (),
            "a rule needs a `path` glob, found nothing",
            'write a path relative to the groups root, e.g. "sig-x/groups.yaml"',
        )
        return None
    pattern = fields.text(item["path"], ("path",), what="a rule's `path`")
    if pattern is None:
        return None
    try:
        return compile_glob(pattern)
    except BadPattern as exc:
        fields.error(
            ("path",),
            f"invalid path glob `{pattern}`: {exc}",
            "globs use `*`, `**`, `?`, `[...]` and `{a,b}`; escape others with `\\`",
        )
        return None


def _allowed(fields: Fields, raw: Any) -> tuple[Regex, ...]:
    items = fields.sequence(
        raw,
        ("allowedGroups",),
        expected="a list of regexes",
        hint='write one `- "^name@domain$"` item per group',
    )
    compiled: list[Regex] = []
    for index, item in enumerate(items):
        path = ("allowedGroups", index)
        text = fields.text(item, path, what="an allowedGroups entry")
        if text is None:
            continue
        try:
            compiled.append(Regex(text))
        except BadRegex as exc:
            fields.error(
                path,
                f"invalid regex `{printable(text)}`: RE2 refuses it ({exc})",
                "write RE2 syntax, as Go's regexp reads it, without backreferences or "
                "lookaround; anchor a literal address as ^name@domain$",
            )
    return tuple(compiled)
