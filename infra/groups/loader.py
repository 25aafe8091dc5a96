"""Google Groups declared under the groups data root (``groups/``).

The upstream file format, loaded unchanged: ``restrictions.yaml`` and
``<dir>/groups.yaml`` files with a top-level ``groups`` list:

    groups:
      - email-id: k8s-infra-staging-foo@kubernetes.io
        name: k8s-infra-staging-foo
        description: |-
          Write access to the foo staging project
        settings:                       # quoted strings, see group_settings.SETTINGS
          ReconcileMembers: "true"
        owners: [<address>]             # optional, each role
        managers: [<address>]
        members: [<address>]

``load_groups`` reads every file, checks every rule (``group_rules``, the
restrictions in ``group_restrictions``, opt-in ``group_estate``) and reports
each problem with its file, line and column.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Any

from infra.core import names
from infra.core.fields import yaml_type_name
from infra.core.located_yaml import YamlDocument, load_yaml
from infra.core.problems import Position, Problems, Severity, did_you_mean
from infra.declarations.stacks import StackSettings
from infra.groups.estate_checks import check_estate
from infra.groups.model import GROUPS_DIR, Group, GroupsTree
from infra.groups.restrictions import Located, check_restrictions, load_restrictions
from infra.groups.rules import Declared, GroupSite, check_group, check_tree, read_settings

GROUPS_FILE = "groups.yaml"
GROUPS_COMPONENT = "groups"
DEFAULT_DOMAIN = "kubernetes.io"
GROUP_KEYS = ("email-id", "name", "description", "settings", "owners", "managers", "members")


def load_groups(
    root: Path,
    problems: Problems,
    groups_dir: str = GROUPS_DIR,
    *,
    estate_checks: bool = False,
    domain: str = DEFAULT_DOMAIN,
) -> GroupsTree | None:
    """Load ``<root>/<groups_dir>``: restrictions.yaml and every groups.yaml below it.

    Every problem goes to ``problems``; the tree holds each group that could be
    read (the first of duplicates), so callers must not act on it when
    ``problems.has_errors``. None only when the folder does not exist.
    """
    folder = root / groups_dir
    if not folder.is_dir():
        problems.error(
            Position(groups_dir),
            "groups folder not found",
            f"create `{groups_dir}/` with {GROUPS_FILE} files and restrictions.yaml, or set "
            '`k8s-infra:groups: {"root": "<folder>"}` in the groups stack',
        )
        return None
    domain = domain.lower()
    groups_dir = PurePosixPath(groups_dir).as_posix()
    restrictions = load_restrictions(root, groups_dir, problems)
    declared: list[Declared] = []
    for file in _groups_files(folder, groups_dir, problems):
        path = file.relative_to(folder).as_posix()
        declared += _FileReader(file, groups_dir, path, domain, problems).read()
    kept = check_tree(declared, domain, problems)
    if restrictions is not None:
        located = (Located(d.path, d.group.email, d.site.at("email-id")) for d in declared)
        check_restrictions(restrictions, located, groups_dir, problems)
    if estate_checks:
        check_estate(kept, groups_dir, problems)
    return GroupsTree(tuple(d.group for d in kept), groups_dir)


def groups_location(stack: StackSettings | None, problems: Problems) -> tuple[str, str] | None:
    """The groups folder and domain a groups stack names (``k8s-infra:groups``, ``:domain``);
    without a stack, or without those keys, ``groups`` and kubernetes.io."""
    if stack is None:
        return GROUPS_DIR, DEFAULT_DOMAIN
    domain = stack.text("domain") or DEFAULT_DOMAIN
    raw = stack.object("groups").get("root", GROUPS_DIR)
    folder = PurePosixPath(raw) if isinstance(raw, str) and raw else None
    if folder is None or folder.is_absolute() or ".." in folder.parts:
        problems.error(
            stack.where("groups.root"),
            f"`k8s-infra:groups` root must be a folder inside the checkout, found "
            f"{yaml_type_name(raw)}",
            'write a relative path such as `{"root": "groups"}`',
        )
        return None
    return folder.as_posix(), domain


def load_declared_groups(
    root: Path, stack: StackSettings | None, problems: Problems, *, estate_checks: bool = False
) -> GroupsTree | None:
    """The groups tree a checkout declares, where ``stack`` (its groups stack: the
    first stack, by name, whose components include ``groups``) says; None without one."""
    location = groups_location(stack, problems)
    if location is None:
        return None
    groups_dir, domain = location
    managed = stack is not None and GROUPS_COMPONENT in stack.components
    if not (root / groups_dir).exists() and not managed:
        return None  # neither groups nor a stack to manage them
    return load_groups(root, problems, groups_dir, estate_checks=estate_checks, domain=domain)


def check_referenced_groups(
    tree: GroupsTree,
    references: Iterable[tuple[str, Position]],
    problems: Problems,
    *,
    severity: Severity = "error",
) -> None:
    """Report each referenced group the tree does not declare, at the reference.

    A reference is an address, bare or as an IAM member (``group:<address>``);
    other IAM members (``user:``, ``serviceAccount:``...) are not groups and
    are skipped, so callers may pass every member of their grants.
    """
    declared = tree.by_email()
    report = problems.error if severity == "error" else problems.warning
    for reference, where in references:
        kind, colon, rest = reference.partition(":")
        if colon and kind != "group":
            continue
        address = rest if colon else reference
        if address.lower() in declared:
            continue
        close = _closest_address(address.lower(), declared)
        hint = (
            f"did you mean `{close}`?"
            if close
            else f"declare it in a {GROUPS_FILE} under {tree.root}/ and allow it in "
            f"{tree.root}/restrictions.yaml; a grant to a missing group fails when applied"
        )
        report(where, f"group `{address}` is not declared under {tree.root}/", hint)


# Names a groups file is sometimes given by mistake; upstream silently skipped them.
_NEAR_NAMES = frozenset({"groups.yml", "group.yaml", "group.yml"})


def _groups_files(folder: Path, groups_dir: str, problems: Problems) -> list[Path]:
    found: list[Path] = []
    for file in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = file.relative_to(folder).as_posix()
        if file.name == GROUPS_FILE:
            found.append(file)
        elif file.name.lower() in _NEAR_NAMES or file.name.lower() == GROUPS_FILE:
            problems.warning(
                Position(f"{groups_dir}/{relative}"),
                f"file is not read: only files named exactly `{GROUPS_FILE}` are",
                f"rename it to `{GROUPS_FILE}`",
            )
    return sorted(found, key=lambda p: p.relative_to(folder).as_posix())


class _FileReader:
    """One groups.yaml file: its shape, then each group."""

    def __init__(
        self, file: Path, groups_dir: str, path: str, domain: str, problems: Problems
    ) -> None:
        self.file = file
        self.display = f"{groups_dir}/{path}"
        self.path = path
        self.domain = domain
        self.problems = problems

    def read(self) -> list[Declared]:
        doc = load_yaml(self.file, self.display, self.problems)
        if doc is None:
            return []
        data = doc.data
        if not isinstance(data, dict):
            self.problems.error(
                doc.at(),
                f"a groups file must be a mapping with a `groups` list, "
                f"found {yaml_type_name(data)}",
                "start the file with `groups:`",
            )
            return []
        for key in data:
            if key != "groups":
                close = did_you_mean(key, ["groups"])
                self.problems.error(
                    doc.key_at(key),
                    f"unknown top-level key `{key}`",
                    close
                    if close and close.startswith("did you mean")
                    else "only `groups` is read: groups under any other key would never be created",
                )
        if "groups" not in data:
            self.problems.error(
                doc.at(), "no top-level `groups` list", "declare the groups under `groups:`"
            )
            return []
        raw = data["groups"]
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.problems.error(
                doc.at("groups"),
                f"`groups` must be a list of groups, found {yaml_type_name(raw)}",
                "start each group with `- email-id: <address>`",
            )
            return []
        found = (self._group(doc, index, item) for index, item in enumerate(raw))
        return [item for item in found if item is not None]

    def _group(self, doc: YamlDocument, index: int, item: Any) -> Declared | None:
        site = GroupSite(doc, index)
        if not isinstance(item, dict):
            self.problems.error(
                site.at(),
                f"a group must be a mapping starting with `email-id`, found {yaml_type_name(item)}",
                "write `- email-id: <address>` then the group's keys, indented below it",
            )
            return None
        for key in item:
            if key not in GROUP_KEYS:
                self.problems.error(
                    site.key_at(key), f"unknown group key `{key}`", did_you_mean(key, GROUP_KEYS)
                )
        name = self._text(site, item, "name")
        description = self._text(site, item, "description")
        settings, reconcile = read_settings(item.get("settings"), site, self.problems)
        owners, managers, members = (
            self._addresses(site, item, key) for key in ("owners", "managers", "members")
        )
        email = item.get("email-id")
        if not isinstance(email, str) or not email:
            found = yaml_type_name(email) if "email-id" in item else "nothing"
            self.problems.error(
                site.at("email-id") if "email-id" in item else site.at(),
                f"a group needs an `email-id` address, found {found}",
                "write `email-id: <name>@<domain>` as the group's first key",
            )
            return None
        group = Group(
            email=email,
            name=name,
            description=description,
            settings=MappingProxyType(settings),
            reconcile_members=reconcile == "true",
            owners=owners,
            managers=managers,
            members=members,
            file=self.display,
            line=site.at().line,
        )
        declared = Declared(group, site, self.path)
        check_group(declared, self.domain, reconcile, self.problems)
        return declared

    def _text(self, site: GroupSite, item: dict[str, Any], key: str) -> str:
        value = item.get(key)
        if value is None:
            return ""
        if isinstance(value, str):
            return value
        self.problems.error(
            site.at(key), f"`{key}` must be a string, found {yaml_type_name(value)}", "quote it"
        )
        return ""

    def _addresses(self, site: GroupSite, item: dict[str, Any], key: str) -> tuple[str, ...]:
        value = item.get(key)
        if value is None:
            return ()
        if not isinstance(value, list):
            self.problems.error(
                site.at(key),
                f"`{key}` must be a list of addresses, found {yaml_type_name(value)}",
                f"write each address on its own `- ` line under `{key}:`",
            )
            return ()
        addresses: list[str] = []
        for index, address in enumerate(value):
            if isinstance(address, str):
                addresses.append(address)
            else:
                self.problems.error(
                    site.at(key, index),
                    f"entries of `{key}` must be addresses, found {yaml_type_name(address)}",
                    "write one plain address per entry",
                )
        return tuple(addresses)


def _closest_address(address: str, declared: Iterable[str]) -> str | None:
    """A declared address that looks like a typo of ``address``.

    Writer groups share a long prefix, which would make any two look alike:
    the part after it is what is compared.
    """
    prefix = names.STAGING_GROUP_PREFIX

    local, _, domain = address.partition("@")

    def distinct(candidate: str) -> str:
        part = candidate.partition("@")[0]
        return part.removeprefix(prefix) if local.startswith(prefix) else part

    by_part = {distinct(c): c for c in declared if c.partition("@")[2] == domain}
    close = difflib.get_close_matches(distinct(local), list(by_part), n=1, cutoff=0.8)
    return by_part[close[0]] if close else None
