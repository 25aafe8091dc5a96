"""Google Groups declared under the groups data root (``groups/``).

The upstream file format, loaded unchanged: ``restrictions.yaml`` and
``<dir>/groups.yaml`` files with a top-level ``groups`` list:

    groups:
      - email-id: k8s-infra-staging-foo@kubernetes.io
        name: k8s-infra-staging-foo
        description: |-
          Write access to the foo staging project
        settings:                       # quoted strings, see settings_table.SETTINGS
          ReconcileMembers: "true"
        owners: [<address>]             # optional, each role
        managers: [<address>]
        members: [<address>]

``load_groups`` reads every file through ``infra.core.fields``, checks every
rule (``rules``, the restrictions in ``restrictions``, the opt-in
``estate_checks``) and reports each problem with its file, line and column.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Any

from infra.core import names
from infra.core.fields import Fields
from infra.core.located_yaml import load_yaml
from infra.core.problems import Position, Problems, Severity
from infra.declarations.stacks import StackSettings
from infra.groups.access import GROUPS_KEY, WHAT, stack_fields
from infra.groups.estate_checks import EstateExpectations, check_estate
from infra.groups.model import GROUPS_DIR, Group, GroupsTree
from infra.groups.restrictions import (
    RESTRICTIONS_FILE,
    Located,
    check_restrictions,
    load_restrictions,
)
from infra.groups.rules import (
    ROLE_KEYS,
    Declared,
    GroupSite,
    check_group,
    check_tree,
    read_addresses,
    read_settings,
)
from infra.groups.skeleton import looks_like

GROUPS_FILE = "groups.yaml"
GROUPS_COMPONENT = "groups"
DEFAULT_DOMAIN = "kubernetes.io"
GROUP_KEYS = ("email-id", "name", "description", "settings", "owners", "managers", "members")


def load_groups(
    root: Path,
    problems: Problems,
    groups_dir: str = GROUPS_DIR,
    *,
    estate: EstateExpectations | None = None,
    domain: str = DEFAULT_DOMAIN,
) -> GroupsTree | None:
    """Load ``<root>/<groups_dir>``: restrictions.yaml and every groups.yaml below it.

    ``estate``: what the opt-in estate checks expect (None: they do not run).
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
    if estate is not None:
        check_estate(kept, groups_dir, problems, estate)
    return GroupsTree(tuple(d.group for d in kept), groups_dir)


def groups_location(stack: StackSettings | None, problems: Problems) -> tuple[str, str] | None:
    """The groups folder and domain a groups stack names (``k8s-infra:groups``, ``:domain``);
    without a stack, or without those keys, ``groups`` and kubernetes.io."""
    if stack is None:
        return GROUPS_DIR, DEFAULT_DOMAIN
    domain = stack.text("domain") or DEFAULT_DOMAIN
    fields = stack_fields(stack, problems)
    raw = stack.object(GROUPS_KEY).get("root", GROUPS_DIR)
    root = fields.text(raw, ("root",), what=f"{WHAT} root")
    if root is None:
        return None
    folder = PurePosixPath(root)
    if folder.is_absolute() or ".." in folder.parts:
        fields.error(
            ("root",),
            f"{WHAT} root: `{root}` is not a folder inside the checkout",
            'write a relative path such as `{"root": "groups"}`',
        )
        return None
    return folder.as_posix(), domain


def load_declared_groups(
    root: Path, stack: StackSettings | None, problems: Problems
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
    return load_groups(root, problems, groups_dir, domain=domain)


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


_YAML = (".yaml", ".yml")


def _odd_letters(name: str) -> str:
    """The characters of ``name`` that are not ASCII, each with its code point."""
    odd = [f"`{c}` U+{ord(c):04X}" for c in dict.fromkeys(name) if not c.isascii()]
    return f" (this name has {', '.join(odd)})" if odd else ""


def _groups_files(folder: Path, groups_dir: str, problems: Problems) -> list[Path]:
    """Every path named ``groups.yaml`` below ``folder``, whatever it is.

    A directory, FIFO, device or broken link named so is returned too, for
    the reader to report: skipping it would silently drop its groups (and
    let a deletion sweep take them). Folders that cannot be listed, and
    links to folders (never followed), are errors for the same reason.
    """
    found: list[Path] = []
    pending = [folder]
    while pending:
        current = pending.pop()
        for entry in _entries(current, folder, groups_dir, problems):
            path = Path(entry.path)
            relative = path.relative_to(folder).as_posix()
            if entry.name == GROUPS_FILE:
                found.append(path)
            elif entry.name.lower() in _NEAR_NAMES or looks_like(entry.name, GROUPS_FILE):
                problems.warning(
                    Position(f"{groups_dir}/{relative}"),
                    f"file is not read: only files named exactly `{GROUPS_FILE}` are"
                    + _odd_letters(entry.name),
                    f"rename it to `{GROUPS_FILE}`",
                )
            elif _is_dir(entry, follow=False):
                pending.append(path)
            elif entry.is_symlink() and _is_dir(entry, follow=True):
                problems.error(
                    Position(f"{groups_dir}/{relative}"),
                    "a link to a folder is not followed, so its groups files would be missed",
                    "move the folder here instead of linking to it",
                )
            elif entry.name.lower().endswith(_YAML) and relative != RESTRICTIONS_FILE:
                problems.warning(
                    Position(f"{groups_dir}/{relative}"),
                    f"file is not read: under {groups_dir}/ only `{GROUPS_FILE}` files and "
                    f"`{RESTRICTIONS_FILE}` (at the top) are",
                    f"move it out of {groups_dir}/, or rename it to `{GROUPS_FILE}` if it "
                    "declares groups",
                )
    return sorted(found, key=lambda p: p.relative_to(folder).as_posix())


def _entries(
    current: Path, folder: Path, groups_dir: str, problems: Problems
) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(current) as listing:
            return list(listing)
    except OSError as error:
        relative = current.relative_to(folder).as_posix()
        display = groups_dir if relative == "." else f"{groups_dir}/{relative}"
        problems.error(
            Position(display),
            f"cannot list this folder ({error.strerror or error}), so its groups files would "
            "be missed",
            "make it readable by the user running this",
        )
        return []


def _is_dir(entry: os.DirEntry[str], *, follow: bool) -> bool:
    try:
        return entry.is_dir(follow_symlinks=follow)
    except OSError:
        return False


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
        fields = Fields.of(doc, self.problems)
        top = fields.mapping(
            doc.data,
            (),
            what="a groups file",
            expected="a mapping with a `groups` list",
            hint="start the file with `groups:`",
        )
        if top is None:
            return []
        others = [key for key in top if key != "groups"]
        if "groups" not in top and others:
            # One problem for one slip (upstream has files under `teams:`): the
            # groups written there are never created, by upstream or here.
            fields.key_error(
                (others[0],),
                f"top-level key `{others[0]}` instead of `groups`: the groups under it "
                "are never created",
                f"rename `{others[0]}:` to `groups:`",
            )
            return []
        fields.known_keys(top, (), ("groups",), None)
        if "groups" not in top:
            fields.error(
                (),
                "no top-level `groups` list",
                "declare the groups under `groups:`; under any other key they are never created",
            )
            return []
        items = fields.sequence(
            top["groups"],
            ("groups",),
            expected="a list of groups",
            hint="start each group with `- email-id: <address>`",
        )
        found = (self._group(fields.below("groups", i), item) for i, item in enumerate(items))
        return [item for item in found if item is not None]

    def _group(self, fields: Fields, raw: Any) -> Declared | None:
        item = fields.mapping(
            raw,
            (),
            GROUP_KEYS,
            what="a group",
            expected="a mapping starting with `email-id`",
            hint="write `- email-id: <address>` then the group's keys, indented below it",
        )
        if item is None:
            return None
        name = fields.optional_text(item.get("name"), ("name",))
        description = fields.optional_text(item.get("description"), ("description",))
        settings, reconcile = read_settings(item.get("settings"), fields)
        roles = {key: read_addresses(fields, item.get(key), (key,)) for key in ROLE_KEYS}
        email = _email(fields, item)
        if email is None:
            return None
        site = GroupSite(fields, item, {key: tuple(roles[key]) for key in ROLE_KEYS})
        group = Group(
            email=email,
            name=name or "",
            description=description or "",
            settings=MappingProxyType(settings),
            reconcile_members=reconcile == "true",
            owners=tuple(roles["owners"].values()),
            managers=tuple(roles["managers"].values()),
            members=tuple(roles["members"].values()),
            file=self.display,
            line=fields.at().line,
        )
        declared = Declared(group, site, self.path)
        check_group(declared, self.domain, reconcile, self.problems)
        return declared


def _email(fields: Fields, item: dict[str, Any]) -> str | None:
    if "email-id" not in item:
        fields.error(
            (),
            "a group needs an `email-id` address, found nothing",
            "write `email-id: <name>@<domain>` as the group's first key",
        )
        return None
    return fields.text(item["email-id"], ("email-id",), what="a group's `email-id`")


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
