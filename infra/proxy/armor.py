"""The Cloud Armor policy in front of archeio, and the paths archeio serves.

Two data files under the data root, the same for every proxy stack:

    infra/data/registry/cloud-armor.yaml
      name: <policy name>
      path_allow_list: {priority, action, description, paths: [<RE2>], referrers_paths: [<RE2>]}
      throttle: {priority, description, enforce_on_key, count, interval_sec, exceed_action}

    infra/data/registry/archeio-paths.yaml
      archeio_version: v<x.y.z>
      serves: {always: [<path>], with_referrers: [<path>]}
      refuses: [<path>]

Every path archeio serves is run through the allow-list here, at validation:
an allow-list that would answer 404 to a path archeio serves (a new archeio
endpoint, an edited expression) never reaches a stack.

Cloud Armor evaluates ``request.path.matches(...)`` with RE2, a partial
match like Python's ``re.search``; the syntax both share is enforced below
(no lookarounds, back-references or possessive repeats).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.core.fields import FieldPath, Fields, locate_in
from infra.core.located_yaml import load_yaml
from infra.core.problems import Problems
from infra.declarations.layout import declaration_file

ARMOR_FILE = "infra/data/registry/cloud-armor.yaml"
PATHS_FILE = "infra/data/registry/archeio-paths.yaml"

ARMOR_KEYS = frozenset({"name", "path_allow_list", "throttle"})
ALLOW_LIST_KEYS = frozenset({"priority", "action", "description", "paths", "referrers_paths"})
THROTTLE_KEYS = frozenset(
    {"priority", "description", "enforce_on_key", "count", "interval_sec", "exceed_action"}
)
PATHS_KEYS = frozenset({"archeio_version", "serves", "refuses"})
SERVES_KEYS = frozenset({"always", "with_referrers"})

LOWEST_PRIORITY = 2147483647  # Cloud Armor's default rule
MAX_RATE_COUNT = 10000  # the most a rate limit may count
ENFORCE_KEYS = ("IP", "ALL", "HTTP_HEADER", "XFF_IP", "HTTP_COOKIE", "HTTP_PATH", "SNI")

_POLICY_NAME = re.compile(r"[a-z]([-a-z0-9]{0,61}[a-z0-9])?")
_DENY = re.compile(r"deny\((403|404|429|502)\)")
_VERSION = re.compile(r"v[0-9]+\.[0-9]+\.[0-9]+")
_PATH = re.compile(r"/[^\s?#']*")
# RE2 has none of these: lookarounds and named groups in the (?<...) form,
# back-references, possessive repeats. A quote would end the CEL string.
_NOT_RE2 = re.compile(r"\(\?[=!<>]|\\[1-9]|(?<!\\)[*+?}]\+|'")


@dataclass(frozen=True)
class PathAllowList:
    priority: int
    action: str
    description: str
    paths: tuple[str, ...]
    referrers_paths: tuple[str, ...]

    def pattern(self, referrers: bool) -> str:
        """The one regular expression a path must match to pass."""
        return "|".join((*self.paths, *(self.referrers_paths if referrers else ())))

    def expression(self, referrers: bool) -> str:
        """The rule's CEL expression: true (deny) for every path not allowed."""
        return f"!request.path.matches('{self.pattern(referrers)}')"

    def admits(self, path: str, referrers: bool) -> bool:
        return re.search(self.pattern(referrers), path) is not None


@dataclass(frozen=True)
class Throttle:
    priority: int
    description: str
    enforce_on_key: str
    count: int
    interval_sec: int
    exceed_action: str


@dataclass(frozen=True)
class ArmorPolicy:
    name: str
    allow_list: PathAllowList
    throttle: Throttle


@dataclass(frozen=True)
class ArcheioPaths:
    """What one archeio version serves, and what the edge must never let through."""

    archeio_version: str
    always: tuple[str, ...]
    with_referrers: tuple[str, ...]
    refuses: tuple[str, ...]


@dataclass(frozen=True)
class Edge:
    armor: ArmorPolicy
    paths: ArcheioPaths


def load_edge(root: Path, problems: Problems) -> Edge | None:
    """Both data files, each checked, and the paths checked against the allow-list."""
    armor = _load_armor(root, problems)
    document = load_yaml(declaration_file(root, PATHS_FILE), PATHS_FILE, problems)
    if document is None:
        return None
    fields = Fields(locate_in(document), problems)
    paths = _read_paths(fields, document.data)
    if armor is None or paths is None:
        return None
    check_paths(armor.allow_list, paths, fields)
    return Edge(armor, paths)


def _load_armor(root: Path, problems: Problems) -> ArmorPolicy | None:
    document = load_yaml(declaration_file(root, ARMOR_FILE), ARMOR_FILE, problems)
    if document is None:
        return None
    fields = Fields(locate_in(document), problems)
    top = fields.mapping(
        document.data, (), ARMOR_KEYS, required=sorted(ARMOR_KEYS), what="the file"
    )
    if top is None or not set(top) >= ARMOR_KEYS:
        return None
    name = fields.text(top["name"], ("name",), _POLICY_NAME, "a security policy name")
    allow_list = _allow_list(fields.below("path_allow_list"), top["path_allow_list"])
    throttle = _throttle(fields.below("throttle"), top["throttle"])
    if name is None or allow_list is None or throttle is None:
        return None
    if allow_list.priority >= throttle.priority:
        fields.error(
            ("path_allow_list", "priority"),
            "the path allow-list must come before the throttle (a lower priority number)",
            f"use a priority below {throttle.priority}",
        )
    return ArmorPolicy(name, allow_list, throttle)


def _allow_list(fields: Fields, raw: Any) -> PathAllowList | None:
    required = ALLOW_LIST_KEYS - {"referrers_paths"}
    spec = fields.mapping(raw, (), ALLOW_LIST_KEYS, sorted(required), what="`path_allow_list`")
    if spec is None or not set(spec) >= required:
        return None
    priority = fields.integer(spec["priority"], ("priority",), 0, LOWEST_PRIORITY - 1)
    action = fields.text(spec["action"], ("action",), _DENY, "a deny action such as `deny(404)`")
    description = fields.text(spec["description"], ("description",))
    paths = _expressions(fields, spec["paths"], ("paths",))
    referrers = _expressions(fields, spec.get("referrers_paths", []), ("referrers_paths",))
    if not paths:
        fields.error(("paths",), "the allow-list admits no path", "list the paths archeio serves")
        return None
    if priority is None or action is None or description is None:
        return None
    return PathAllowList(priority, action, description, paths, referrers)


def _expressions(fields: Fields, raw: Any, path: FieldPath) -> tuple[str, ...]:
    """Anchored expressions both RE2 and Python read alike; bad ones reported and left out."""
    found = []
    for index, text in enumerate(fields.texts(raw, path, what="an expression")):
        where = (*path, index)
        if _NOT_RE2.search(text):
            fields.error(
                where,
                f"`{text}` uses syntax Cloud Armor's RE2 does not have (or a quote)",
                "no lookarounds, back-references, possessive repeats or quotes",
            )
            continue
        if not (text.startswith("^") and text.endswith("$")):
            fields.error(
                where,
                f"`{text}` is not anchored, so it admits any path that contains it",
                "start it with ^ and end it with $",
            )
            continue
        try:
            re.compile(text)
        except re.error as exc:
            fields.error(where, f"`{text}` is not a regular expression: {exc}")
            continue
        found.append(text)
    return tuple(found)


def _throttle(fields: Fields, raw: Any) -> Throttle | None:
    spec = fields.mapping(raw, (), THROTTLE_KEYS, required=sorted(THROTTLE_KEYS), what="`throttle`")
    if spec is None or not set(spec) >= THROTTLE_KEYS:
        return None
    priority = fields.integer(spec["priority"], ("priority",), 0, LOWEST_PRIORITY)
    description = fields.text(spec["description"], ("description",))
    key = fields.choice(spec["enforce_on_key"], ("enforce_on_key",), ENFORCE_KEYS)
    count = fields.integer(spec["count"], ("count",), 1, MAX_RATE_COUNT)
    interval = fields.integer(spec["interval_sec"], ("interval_sec",), 10, 3600)
    exceed = fields.text(
        spec["exceed_action"], ("exceed_action",), _DENY, "a deny action such as `deny(429)`"
    )
    if (
        priority is None
        or description is None
        or key is None
        or count is None
        or interval is None
        or exceed is None
    ):
        return None
    return Throttle(priority, description, key, count, interval, exceed)


def _read_paths(fields: Fields, data: Any) -> ArcheioPaths | None:
    top = fields.mapping(data, (), PATHS_KEYS, required=sorted(PATHS_KEYS), what="the file")
    if top is None or not set(top) >= PATHS_KEYS:
        return None
    version = fields.text(top["archeio_version"], ("archeio_version",), _VERSION, "`v<x.y.z>`")
    serves = fields.mapping(top["serves"], ("serves",), SERVES_KEYS, required=["always"]) or {}
    always = fields.texts(serves.get("always"), ("serves", "always"), _PATH, "a URL path")
    referrers = fields.texts(
        serves.get("with_referrers"), ("serves", "with_referrers"), _PATH, "a URL path"
    )
    refuses = fields.texts(top["refuses"], ("refuses",), _PATH, "a URL path")
    if version is None:
        return None
    return ArcheioPaths(version, always, referrers, refuses)


def check_paths(allow_list: PathAllowList, paths: ArcheioPaths, fields: Fields) -> None:
    """Every path archeio serves passes the edge, every other listed one is refused."""
    rule = f"the path allow-list of {ARMOR_FILE}"
    serves = f"archeio {paths.archeio_version} serves"
    for index, path in enumerate(paths.always):
        if not (allow_list.admits(path, False) and allow_list.admits(path, True)):
            fields.error(
                ("serves", "always", index),
                f"{serves} `{path}`, but {rule} refuses it",
                "add an expression that admits it under `paths`",
            )
    for index, path in enumerate(paths.with_referrers):
        where = ("serves", "with_referrers", index)
        if not allow_list.admits(path, True):
            fields.error(
                where,
                f"{serves} `{path}` when referrers are on, but {rule} refuses it",
                "add an expression that admits it under `referrers_paths`",
            )
        elif allow_list.admits(path, False):
            fields.error(
                where,
                f"`{path}` passes {rule} even with referrers off",
                "admit it only under `referrers_paths`",
            )
    for index, path in enumerate(paths.refuses):
        if allow_list.admits(path, True):
            fields.error(
                ("refuses", index),
                f"`{path}` must be refused, but {rule} admits it",
                "anchor or narrow the expression that admits it",
            )
