"""A declared Google Group: the model the loader builds and the engine reconciles.

Kept apart from the loader and its rules (``infra.groups.loader``), which
all import it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

GROUPS_DIR = "groups"

Role = Literal["OWNER", "MANAGER", "MEMBER"]
ROLES: tuple[Role, ...] = ("OWNER", "MANAGER", "MEMBER")


@dataclass(frozen=True)
class Membership:
    email: str
    role: Role


@dataclass(frozen=True)
class Group:
    """One declared group, as written (addresses keep their case for messages)."""

    email: str
    name: str
    description: str
    settings: Mapping[str, str]  # YAML keys (WhoCanJoin...), ReconcileMembers excluded
    reconcile_members: bool
    owners: tuple[str, ...] = ()
    managers: tuple[str, ...] = ()
    members: tuple[str, ...] = ()
    file: str = ""  # relative to the data root, e.g. groups/sig-release/groups.yaml
    line: int = 1

    def memberships(self) -> tuple[Membership, ...]:
        return (
            *(Membership(e, "OWNER") for e in self.owners),
            *(Membership(e, "MANAGER") for e in self.managers),
            *(Membership(e, "MEMBER") for e in self.members),
        )


@dataclass(frozen=True)
class GroupsTree:
    groups: tuple[Group, ...]
    root: str = GROUPS_DIR  # the groups folder, relative to the data root

    def by_email(self) -> Mapping[str, Group]:
        """Groups keyed by lowercased address."""
        return MappingProxyType({g.email.lower(): g for g in self.groups})

    def find(self, address: str) -> Group | None:
        """The group declared with ``address`` (any case, ``group:`` prefix allowed)."""
        return self.by_email().get(address.removeprefix("group:").lower())
