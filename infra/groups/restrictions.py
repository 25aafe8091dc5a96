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

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.core.fields import yaml_type_name
from infra.core.located_yaml import YamlDocument, load_yaml
from infra.core.problems import Position, Problems, did_you_mean
from infra.groups.doublestar import BadPattern, Glob, compile_glob

RESTRICTIONS_FILE = "restrictions.yaml"
RULE_KEYS = ("path", "allowedGroups")


@dataclass(frozen=True)
class Restriction:
    path: Glob
    allowed: tuple[re.Pattern[str], ...]
    where: Position  # the rule's list item, for messages

    def allows(self, address: str) -> bool:
        # Go's regexp MatchString finds a match anywhere, as re.search does.
        return any(pattern.search(address) for pattern in self.allowed)


@dataclass(frozen=True)
class Restrictions:
    rules: tuple[Restriction, ...]

    def rule_for(self, path: str) -> Restriction | None:
        """The first rule whose glob matches ``path`` (relative to the groups root)."""
        return next((rule for rule in self.rules if rule.path.matches(path)), None)

    def allows(self, path: str, address: str) -> bool:
        rule = self.rule_for(path)
        return rule is None or rule.allows(address)

    def files_allowing(self, address: str) -> list[str]:
        """The files named by a rule (not a glob) that may declare ``address``, for a hint."""
        named = (r.path.pattern for r in self.rules if not _is_glob(r.path.pattern))
        return [path for path in named if self.allows(path, address)]


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
    if not file.exists():
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
        self.doc = document
        self.problems = problems

    def read(self) -> Restrictions | None:
        data = self.doc.data
        if not isinstance(data, dict):
            self.problems.error(
                self.doc.at(),
                f"restrictions file must be a mapping with a `restrictions` list, "
                f"found {yaml_type_name(data)}",
                "start the file with `restrictions:`",
            )
            return None
        for key in data:
            if key != "restrictions":
                self.problems.error(
                    self.doc.key_at(key),
                    f"unknown top-level key `{key}`",
                    did_you_mean(key, ["restrictions"]),
                )
        raw = data.get("restrictions")
        if not isinstance(raw, list):
            found = yaml_type_name(raw) if "restrictions" in data else "nothing"
            self.problems.error(
                self.doc.at("restrictions") if "restrictions" in data else self.doc.at(),
                f"`restrictions` must be a list of rules, found {found}",
                'write `restrictions:` then `- path: "<dir>/groups.yaml"` items',
            )
            return None
        rules: list[Restriction] = []
        seen: dict[str, int] = {}
        for index, item in enumerate(raw):
            rule = self._rule(index, item)
            if rule is None:
                continue
            pattern = rule.path.pattern
            if pattern in seen:
                self.problems.warning(
                    self.doc.at("restrictions", index, "path"),
                    f"a rule for `{pattern}` is already on line {seen[pattern]}; "
                    "this one never applies (the first match wins)",
                    "merge the two rules' allowedGroups",
                )
            else:
                seen[pattern] = rule.where.line
            rules.append(rule)
        return Restrictions(tuple(rules))

    def _rule(self, index: int, item: Any) -> Restriction | None:
        path: tuple[str | int, ...] = ("restrictions", index)
        if not isinstance(item, dict):
            self.problems.error(
                self.doc.at(*path),
                f"a rule must be a mapping with `path` and `allowedGroups`, "
                f"found {yaml_type_name(item)}",
                'write `- path: "<dir>/groups.yaml"`',
            )
            return None
        for key in item:
            if key not in RULE_KEYS:
                self.problems.error(
                    self.doc.key_at(*path, key),
                    f"unknown key `{key}` in a restriction rule",
                    did_you_mean(key, RULE_KEYS),
                )
        glob = self._glob(path, item)
        allowed = self._allowed(path, item.get("allowedGroups"))
        if glob is None:
            return None
        return Restriction(glob, allowed, self.doc.at(*path))

    def _glob(self, path: tuple[str | int, ...], item: dict[str, Any]) -> Glob | None:
        pattern = item.get("path")
        if not isinstance(pattern, str) or not pattern:
            found = yaml_type_name(pattern) if "path" in item else "nothing"
            self.problems.error(
                self.doc.at(*path, "path") if "path" in item else self.doc.at(*path),
                f"a rule needs a `path` glob, found {found}",
                'write a path relative to the groups root, e.g. "sig-x/groups.yaml"',
            )
            return None
        try:
            return compile_glob(pattern)
        except BadPattern as exc:
            self.problems.error(
                self.doc.at(*path, "path"),
                f"invalid path glob `{pattern}`: {exc}",
                "globs use `*`, `**`, `?`, `[...]` and `{a,b}`; escape others with `\\`",
            )
            return None

    def _allowed(self, path: tuple[str | int, ...], raw: Any) -> tuple[re.Pattern[str], ...]:
        if raw is None:
            return ()
        if not isinstance(raw, list):
            self.problems.error(
                self.doc.at(*path, "allowedGroups"),
                f"`allowedGroups` must be a list of regexes, found {yaml_type_name(raw)}",
                'write one `- "^name@domain$"` item per group',
            )
            return ()
        compiled: list[re.Pattern[str]] = []
        for index, text in enumerate(raw):
            where = self.doc.at(*path, "allowedGroups", index)
            if not isinstance(text, str):
                self.problems.error(
                    where,
                    f"an allowedGroups entry must be a string, found {yaml_type_name(text)}",
                    "quote the regex",
                )
                continue
            try:
                compiled.append(re.compile(text))
            except re.error as exc:
                self.problems.error(
                    where,
                    f"invalid regex `{text}`: {exc.msg}",
                    "anchor a literal address as ^name@domain$ and escape special characters",
                )
        return tuple(compiled)
