"""Google Groups declared under the groups data root (``groups/``).

The upstream file format, loaded unchanged: ``restrictions.yaml`` and
``<dir>/groups.yaml`` files with a top-level ``groups`` list.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

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

    def by_email(self) -> Mapping[str, Group]:
        """Groups keyed by lowercased address."""
        return MappingProxyType({g.email.lower(): g for g in self.groups})
