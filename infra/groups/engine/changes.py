"""What differs between a declared group and its live state, as data.

For members, upstream's rules: every declared address ends with its
declared role (added, or its role changed); a live address that no role
declares is removed when the group sets ``ReconcileMembers: "true"``,
otherwise only when it is an OWNER or MANAGER, so people who joined an open
list keep their plain membership. Name and description change only when
the file gives a non-empty value, as upstream. Settings are the table's
values (``desired_settings``), compared field by field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from infra.groups.addresses import address_key, canonical
from infra.groups.engine.live import GroupState, LiveMember
from infra.groups.model import ROLES, Group
from infra.groups.settings_table import desired_settings

ChangeKind = Literal[
    "create_group",
    "update_group",
    "update_setting",
    "add_member",
    "change_role",
    "remove_member",
    "delete_group",
]

# Order in which a group's changes are shown and applied: as listed above.
KIND_ORDER: tuple[ChangeKind, ...] = get_args(ChangeKind)


@dataclass(frozen=True)
class Change:
    """One difference. ``field_or_member``: a group field, a setting's API name or
    an address; ``role``: the member's role after the change (before it, for a removal)."""

    group: str
    kind: ChangeKind
    field_or_member: str
    role: str | None = None
    old: str | None = None
    new: str | None = None

    def to_json(self) -> dict[str, str | None]:
        return {
            "group": self.group,
            "kind": self.kind,
            "field_or_member": self.field_or_member,
            "role": self.role,
            "old": self.old,
            "new": self.new,
        }

    def describe(self) -> str:
        """One line for a person."""
        what = self.field_or_member
        match self.kind:
            case "create_group":
                return f"{self.group}: create group (name {self.new!r})"
            case "update_group" | "update_setting":
                return f"{self.group}: {what}: {self.old!r} -> {self.new!r}"
            case "add_member":
                return f"{self.group}: add {what} as {self.role}"
            case "change_role":
                return f"{self.group}: {what}: {self.old} -> {self.new}"
            case "remove_member":
                return f"{self.group}: remove {what} ({self.old})"
            case "delete_group":
                return f"{self.group}: delete group (not declared)"


def sort_key(change: Change) -> tuple[str, int, str]:
    return (change.group.lower(), KIND_ORDER.index(change.kind), change.field_or_member.lower())


def group_changes(declared: Group, state: GroupState | None) -> tuple[Change, ...]:
    """Every change that brings ``state`` (None: the group does not exist) to ``declared``.

    Addresses are written as Google stores them (lowercase, ``canonical``),
    whatever case the file used."""
    email = canonical(declared.email)
    changes: list[Change] = []
    if state is None:
        changes.append(Change(email, "create_group", email, new=declared.name or None))
        live_name = live_description = ""
        live_settings: dict[str, str] = {}
        live_members: tuple[LiveMember, ...] = ()
    else:
        live_name, live_description = state.group.name, state.group.description
        live_settings = dict(state.settings)
        live_members = state.members
    for field, want, have in (
        ("name", declared.name, live_name),
        ("description", declared.description, live_description),
    ):
        if want and want != have and not (state is None and field == "name"):
            old = have if state is not None else None
            changes.append(Change(email, "update_group", field, old=old, new=want))
    for api_name, want in sorted(desired_settings(declared.settings).items()):
        current = live_settings.get(api_name)
        if want != current:
            changes.append(Change(email, "update_setting", api_name, old=current, new=want))
    changes.extend(member_changes(declared, live_members))
    return tuple(changes)


def member_changes(declared: Group, live: tuple[LiveMember, ...]) -> list[Change]:
    wanted: dict[str, tuple[str, str]] = {}
    for membership in declared.memberships():  # owners first: the highest role wins
        address = canonical(membership.email)
        wanted.setdefault(address_key(address), (address, membership.role))
    group = canonical(declared.email)
    present = {address_key(m.email): m for m in live}
    changes: list[Change] = []
    for key, (address, role) in wanted.items():
        member = present.get(key)
        if member is None:
            changes.append(Change(group, "add_member", address, role, None, role))
        elif member.role != role:
            changes.append(Change(group, "change_role", member.email, role, member.role, role))
    for key, member in present.items():
        if key in wanted:
            continue
        if declared.reconcile_members or member.role != "MEMBER":
            changes.append(Change(group, "remove_member", member.email, member.role, member.role))
    return sorted(changes, key=_member_order)


def _member_order(change: Change) -> tuple[int, int, str]:
    roles: tuple[str | None, ...] = ROLES
    rank = roles.index(change.role) if change.role in roles else len(roles)
    return (KIND_ORDER.index(change.kind), rank, change.field_or_member.lower())
