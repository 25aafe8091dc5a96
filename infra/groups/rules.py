"""The rules every groups tree must follow, checked with the position of each value.

Upstream's conventions (its ``groups_test.go``) that hold for any tree, plus
what upstream let through silently: unknown keys and settings, values the API
would refuse, booleans where the API takes strings, malformed or mixed-case
addresses, and duplicates that differ only in case or Gmail dots.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from infra.core import names
from infra.core.fields import FieldPath, Fields
from infra.core.problems import Position, Problems
from infra.groups.addresses import address_key, canonical, same_mailbox, shown, syntax_problem
from infra.groups.settings_table import BOOL_VALUES, RECONCILE_MEMBERS, SETTINGS

if TYPE_CHECKING:
    from infra.groups.model import Group

DESCRIPTION_MAX = 300
INFRA_GROUP_PREFIX = "k8s-infra"
RBAC_GROUP_PREFIX = "k8s-infra-rbac"
RBAC_PARENT = "gke-security-groups"
MEMBERS_CAN_VIEW = "ALL_MEMBERS_CAN_VIEW"

# Groups whose name is not their address's local part (upstream #6542).
NAME_EXCEPTIONS: Mapping[str, str] = {"security@etcd.io": "etcd-security"}

# Every key a group's settings may hold, with the values each accepts.
ACCEPTED_SETTINGS: Mapping[str, tuple[str, ...]] = {
    **{key: spec.allowed for key, spec in SETTINGS.items()},
    RECONCILE_MEMBERS: BOOL_VALUES,
}

ROLE_KEYS: Mapping[str, str] = {"owners": "owner", "managers": "manager", "members": "member"}


@dataclass(frozen=True)
class GroupSite:
    """Where one group is written: a reader located at its item of the file's
    ``groups`` list, the mapping as written, and the list index of each address kept."""

    fields: Fields
    item: Mapping[str, Any]
    # role key (owners...) -> where each address of the group's tuple sits in the list
    entries: Mapping[str, tuple[int, ...]] = field(default_factory=lambda: MappingProxyType({}))

    def at(self, *path: str | int) -> Position:
        return self.fields.at(path)

    def key_at(self, *path: str | int) -> Position:
        return self.fields.key_at(path)

    def address_at(self, role_key: str, index: int) -> Position:
        """Where the ``index``-th address of the group's ``role_key`` tuple was written."""
        return self.at(role_key, self.entries[role_key][index])

    def has(self, *path: str) -> bool:
        """Whether the group's mapping holds ``path`` (written, even as null)."""
        value: Any = self.item
        for key in path:
            if not isinstance(value, Mapping) or key not in value:
                return False
            value = value[key]
        return True

    def raw(self, key: str) -> Any:
        """The value as written (None when absent)."""
        return self.item.get(key)


@dataclass(frozen=True)
class Declared:
    """A loaded group with where it was written; ``path`` is relative to the groups root."""

    group: Group
    site: GroupSite
    path: str


def read_addresses(fields: Fields, value: Any, path: FieldPath) -> dict[int, str]:
    """The string entries of a list of addresses, by their index in it (others reported)."""
    key = next((p for p in reversed(path) if isinstance(p, str)), "")
    items = fields.sequence(
        value,
        path,
        expected="a list of addresses",
        hint=f"write each address on its own `- ` line under `{key}:`",
    )
    found = {
        i: fields.text(a, (*path, i), what=f"an entry of `{key}`") for i, a in enumerate(items)
    }
    return {i: address for i, address in found.items() if address is not None}


def read_settings(
    raw: Any, fields: Fields, path: FieldPath = ("settings",)
) -> tuple[dict[str, str], str | None]:
    """The valid settings at ``path`` and their ReconcileMembers value, problems reported."""
    if raw is None:
        return {}, None
    body = fields.mapping(
        raw,
        path,
        ACCEPTED_SETTINGS,
        expected="a mapping of setting names to quoted values",
        hint='write one `Name: "value"` line per setting, e.g. `WhoCanJoin: "INVITED_CAN_JOIN"`',
    )
    if body is None:
        return {}, None
    settings: dict[str, str] = {}
    for key, value in body.items():
        allowed = ACCEPTED_SETTINGS.get(key)
        if allowed is None:
            continue  # reported with the mapping's keys
        text = _setting(fields, (*path, key), key, value, allowed)
        if text is not None:
            settings[key] = text
    reconcile = settings.pop(RECONCILE_MEMBERS, None)
    return settings, reconcile


def _setting(
    fields: Fields, path: FieldPath, key: str, value: Any, allowed: tuple[str, ...]
) -> str | None:
    """One setting's value: a quoted string the API accepts."""
    if isinstance(value, bool):
        # The API takes strings: a bare YAML boolean is the common slip, with its own fix.
        text = str(value).lower()
        fields.error(
            path,
            f'setting `{key}` is the YAML boolean {text}; the API takes the string "{text}"',
            f'quote it: `{key}: "{text}"`',
        )
        return None
    if not isinstance(value, str):
        quoted = ", ".join(f'"{v}"' for v in allowed)
        fields.type_error(path, value, "a quoted string", f"setting `{key}`", f"allowed: {quoted}")
        return None
    return fields.choice(value, path, allowed, f"setting `{key}`")


def check_address(address: str, what: str, where: Position, problems: Problems) -> bool:
    """Valid ``local@domain`` syntax; False when reported as an error.

    Uppercase letters are only a warning: Google compares addresses without
    case and stores them in lowercase, and so does every plan here
    (``canonical``), so the written case changes nothing.
    """
    problem = syntax_problem(address)
    if problem is not None:
        reason, fix = problem
        problems.error(where, f"{what} `{shown(address)}` is not a valid address: it {reason}", fix)
        return False
    if address != canonical(address):
        problems.warning(
            where,
            f"{what} `{address}` has uppercase letters; it is planned as `{canonical(address)}`",
            f"write `{canonical(address)}`: Google compares addresses case-insensitively "
            "and stores them in lowercase",
        )
    return True


def check_group(item: Declared, domain: str, reconcile: str | None, problems: Problems) -> None:
    """The rules that concern one group alone."""
    group, site = item.group, item.site
    email_at = site.at("email-id")
    check_address(group.email, "email-id", email_at, problems)
    if syntax_problem(group.email) is None:
        _check_name(group, site, domain, problems)
    if len(group.description) > DESCRIPTION_MAX:
        problems.error(
            site.at("description"),
            f"description has {len(group.description)} characters; "
            f"at most {DESCRIPTION_MAX} are allowed",
            "shorten it, and link to a document for the details",
        )
    local, _, group_domain = group.email.lower().rpartition("@")
    suffix = local.removeprefix(names.STAGING_GROUP_PREFIX)
    if (
        local.startswith(names.STAGING_GROUP_PREFIX)
        and group_domain == domain
        and len(suffix) > names.STAGING_SUFFIX_MAX
    ):
        problems.error(
            email_at,
            f"staging group suffix `{suffix}` has {len(suffix)} characters; "
            f"at most {names.STAGING_SUFFIX_MAX} are allowed",
            f"the suffix also names the project `{names.STAGING_PREFIX}<suffix>`, "
            "whose id has at most 30 characters: shorten it",
        )
    for role_key, role in ROLE_KEYS.items():
        for index, address in enumerate(_role_list(group, role_key)):
            check_address(address, role, site.address_at(role_key, index), problems)
    _check_duplicate_members(item, problems)
    if local.startswith(INFRA_GROUP_PREFIX):
        _check_infra_group(group, site, reconcile, problems)
    if local.startswith(RBAC_GROUP_PREFIX):
        _require_members_can_view(group, site, f"RBAC group `{group.email}`", problems)


def check_tree(declared: list[Declared], domain: str, problems: Problems) -> list[Declared]:
    """Rules across groups; returns the groups kept (the first of duplicates)."""
    kept: list[Declared] = []
    by_email: dict[str, Declared] = {}
    by_name: dict[str, Declared] = {}
    for item in declared:
        group = item.group
        first = by_email.get(group.email.lower())
        if first is not None:
            problems.error(
                item.site.at("email-id"),
                f"group `{group.email}` is already declared at {_where(first)}",
                "keep one declaration: each group has one owning file",
            )
            continue
        by_email[group.email.lower()] = item
        kept.append(item)
        if not group.name:
            continue
        named = by_name.get(group.name)
        if named is not None:
            problems.error(
                item.site.at("name"),
                f"name `{group.name}` is already used by `{named.group.email}` at {_where(named)}",
                "a group's name is its address's local part, unique in the domain",
            )
        else:
            by_name[group.name] = item
    _check_rbac_parent(kept, domain, problems)
    return kept


def _check_name(group: Group, site: GroupSite, domain: str, problems: Problems) -> None:
    email = group.email
    local, _, group_domain = canonical(email).rpartition("@")
    expected = NAME_EXCEPTIONS.get(canonical(email), local)
    if canonical(email) not in NAME_EXCEPTIONS and group_domain != domain:
        problems.error(
            site.at("email-id"),
            f"group `{email}` is outside the `{domain}` domain",
            f"groups are created in the {domain} Workspace: write `{local}@{domain}`",
        )
        return
    if not site.has("name"):
        problems.error(
            site.at(),
            f"group `{email}` has no `name`",
            f"add `name: {expected}`, the address's local part",
        )
    elif group.name.lower() != expected and isinstance(site.raw("name"), str):
        problems.error(
            site.at("name"),
            f"name `{group.name}` does not match email-id `{email}`",
            f"write `name: {expected}`: a group's name is its address's local part",
        )


def _check_infra_group(
    group: Group, site: GroupSite, reconcile: str | None, problems: Problems
) -> None:
    if group.owners:
        problems.error(
            site.key_at("owners"),
            f"group `{group.email}` has owners; k8s-infra* groups must have none",
            "list them under `members`: access to infrastructure changes only through this file",
        )
    # A value present but malformed was reported already, with its fix.
    if reconcile != "true" and not (site.has("settings", RECONCILE_MEMBERS) and reconcile is None):
        problems.error(
            _setting_position(site, RECONCILE_MEMBERS),
            f'group `{group.email}` must set `ReconcileMembers: "true"`',
            "k8s-infra* groups grant access to infrastructure: this file must hold every member",
        )


def _require_members_can_view(group: Group, site: GroupSite, what: str, problems: Problems) -> None:
    key = "WhoCanViewMembership"
    value = group.settings.get(key)
    if value != MEMBERS_CAN_VIEW and not (site.has("settings", key) and value is None):
        problems.error(
            _setting_position(site, key),
            f'{what} must set `{key}: "{MEMBERS_CAN_VIEW}"`',
            "GKE's Google Groups for RBAC can only see members of groups whose members may "
            "view the membership",
        )


def _check_rbac_parent(declared: list[Declared], domain: str, problems: Problems) -> None:
    """gke-security-groups@ holds exactly the RBAC groups, when the tree declares it."""
    parent_email = f"{RBAC_PARENT}@{domain}"
    parent = next((d for d in declared if d.group.email.lower() == parent_email), None)
    if parent is None:
        return
    _require_members_can_view(parent.group, parent.site, f"`{parent_email}`", problems)
    members = {m.lower() for m in parent.group.members}
    for index, member in enumerate(parent.group.members):
        local, _, member_domain = member.lower().rpartition("@")
        if not (local.startswith(RBAC_GROUP_PREFIX) and member_domain == domain):
            problems.error(
                parent.site.address_at("members", index),
                f"`{parent_email}` may hold only {RBAC_GROUP_PREFIX}-* groups, not `{member}`",
                "remove it: membership here grants RBAC in the GKE clusters",
            )
    for item in declared:
        local, _, group_domain = item.group.email.lower().rpartition("@")
        rbac = local.startswith(RBAC_GROUP_PREFIX) and group_domain == domain
        if rbac and item.group.email.lower() not in members:
            problems.error(
                item.site.at("email-id"),
                f"RBAC group `{item.group.email}` is not a member of `{parent_email}`",
                f"add it to the members of `{parent_email}`, declared at {_where(parent)}",
            )


def _check_duplicate_members(item: Declared, problems: Problems) -> None:
    """An address holds one role in a group: no repeats, in any spelling of one mailbox.

    Members are grouped by ``address_key``, as the engine compares them; within
    one key, a second spelling of one mailbox is an error, and a dot-only
    difference Google keeps apart (outside Gmail) a warning. The one
    exception is a repeat in the same role differing only by case: Google
    holds one member, and the plan lists it once, so it is only a warning.
    """
    seen: dict[str, list[tuple[str, str, int]]] = {}
    for role_key, role in ROLE_KEYS.items():
        for index, address in enumerate(_role_list(item.group, role_key)):
            where = item.site.address_at(role_key, index)
            entries = seen.setdefault(address_key(address), [])
            first = next((e for e in entries if same_mailbox(e[0], address)), None)
            if first is not None:
                first_address, first_role, line = first
                same = "" if first_address == address else f" (as `{first_address}`)"
                only_case = first_address != address and canonical(first_address) == canonical(
                    address
                )
                if first_role == role and only_case:
                    problems.warning(
                        where,
                        f"`{address}` is already {_article(first_role)} of this group{same}, "
                        f"on line {line}; it is one member, planned once",
                        "keep one entry",
                    )
                    continue
                problems.error(
                    where,
                    f"`{address}` is already {_article(first_role)} of this group{same}, "
                    f"on line {line}",
                    "keep one entry: an address holds one role in a group",
                )
                continue
            if entries:
                near = entries[0]
                problems.warning(
                    where,
                    f"`{address}` differs from `{near[0]}` ({near[1]}, line {near[2]}) only "
                    "by dots in the local part",
                    "outside Gmail these are two mailboxes, but the reconciler compares "
                    "addresses without dots: keep the one that is meant",
                )
            entries.append((address, role, where.line))


def _role_list(group: Group, role_key: str) -> tuple[str, ...]:
    roles: dict[str, tuple[str, ...]] = {
        "owners": group.owners,
        "managers": group.managers,
        "members": group.members,
    }
    return roles[role_key]


def _setting_position(site: GroupSite, key: str) -> Position:
    if site.has("settings", key):
        return site.at("settings", key)
    return site.key_at("settings") if site.has("settings") else site.at()


def _article(role: str) -> str:
    return f"an {role}" if role[0] in "aeiou" else f"a {role}"


def _where(item: Declared) -> str:
    return f"{item.group.file}:{item.group.line}"
