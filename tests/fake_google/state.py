"""The fake Workspace's data: groups, their members and their settings.

It behaves as the real APIs do where the engine depends on it: addresses
match case-insensitively, a member keeps one id across groups, a new group
starts with Google's own default settings, not the project's.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

ROLES = ("OWNER", "MANAGER", "MEMBER")

# What a group created through the Directory API starts with (a subset).
GOOGLE_DEFAULT_SETTINGS = {
    "whoCanJoin": "CAN_REQUEST_TO_JOIN",
    "whoCanViewMembership": "ALL_IN_DOMAIN_CAN_VIEW",
    "whoCanViewGroup": "ALL_IN_DOMAIN_CAN_VIEW",
    "whoCanDiscoverGroup": "ALL_IN_DOMAIN_CAN_DISCOVER",
    "allowExternalMembers": "false",
    "allowWebPosting": "true",
    "whoCanPostMessage": "ANYONE_CAN_POST",
    "messageModerationLevel": "MODERATE_NONE",
    "whoCanModerateMembers": "OWNERS_AND_MANAGERS",
    "whoCanModerateContent": "OWNERS_AND_MANAGERS",
    "membersCanPostAsTheGroup": "false",
    "isArchived": "false",
    "primaryLanguage": "en",
}

# Values the Groups Settings API accepts for the enumerated fields it checks here.
ENUMS = {
    "whoCanJoin": {
        "ANYONE_CAN_JOIN",
        "ALL_IN_DOMAIN_CAN_JOIN",
        "INVITED_CAN_JOIN",
        "CAN_REQUEST_TO_JOIN",
    },
    "whoCanViewMembership": {
        "ALL_IN_DOMAIN_CAN_VIEW",
        "ALL_MEMBERS_CAN_VIEW",
        "ALL_MANAGERS_CAN_VIEW",
    },
    "whoCanViewGroup": {
        "ANYONE_CAN_VIEW",
        "ALL_IN_DOMAIN_CAN_VIEW",
        "ALL_MEMBERS_CAN_VIEW",
        "ALL_MANAGERS_CAN_VIEW",
    },
    "messageModerationLevel": {
        "MODERATE_ALL_MESSAGES",
        "MODERATE_NON_MEMBERS",
        "MODERATE_NEW_MEMBERS",
        "MODERATE_NONE",
    },
    "allowExternalMembers": {"true", "false"},
    "allowWebPosting": {"true", "false"},
    "membersCanPostAsTheGroup": {"true", "false"},
}


@dataclass
class FakeMember:
    email: str
    role: str
    id: str
    type: str = "USER"

    def resource(self) -> dict[str, str]:
        return {
            "kind": "admin#directory#member",
            "id": self.id,
            "email": self.email,
            "role": self.role,
            "type": self.type,
            "status": "ACTIVE",
        }


@dataclass
class FakeGroup:
    id: str
    email: str
    name: str = ""
    description: str = ""
    aliases: list[str] = field(default_factory=list)
    members: list[FakeMember] = field(default_factory=list)
    settings: dict[str, str] = field(default_factory=lambda: dict(GOOGLE_DEFAULT_SETTINGS))

    def resource(self) -> dict[str, object]:
        body: dict[str, object] = {
            "kind": "admin#directory#group",
            "id": self.id,
            "email": self.email,
            "name": self.name,
            "description": self.description,
            "directMembersCount": str(len(self.members)),
            "adminCreated": True,
        }
        if self.aliases:
            body["aliases"] = list(self.aliases)
        return body

    def member(self, key: str) -> FakeMember | None:
        lowered = key.lower()
        for member in self.members:
            if member.id == key or member.email.lower() == lowered:
                return member
        return None

    def roles(self) -> dict[str, str]:
        """Lowercased address -> role: what tests compare."""
        return {m.email.lower(): m.role for m in self.members}


class Workspace:
    """Every group of one customer."""

    CUSTOMER_ID = "C01fake00"

    def __init__(self) -> None:
        self.groups: dict[str, FakeGroup] = {}
        self._ids = itertools.count(100000000000000000001)
        self._member_ids: dict[str, str] = {}

    def new_id(self) -> str:
        return str(next(self._ids))

    def member_id(self, email: str) -> str:
        """One id per address across groups, as Google's are per user or group."""
        group = self.find(email)
        if group is not None:
            return group.id
        return self._member_ids.setdefault(email.lower(), self.new_id())

    def find(self, key: str) -> FakeGroup | None:
        """A group by id, address or alias (addresses in any case)."""
        if key in self.groups:
            return self.groups[key]
        lowered = key.lower()
        for group in self.groups.values():
            if group.email.lower() == lowered or lowered in (a.lower() for a in group.aliases):
                return group
        return None

    def by_email(self, email: str) -> FakeGroup:
        group = self.find(email)
        assert group is not None, f"no group {email} in the fake"
        return group

    def add_group(
        self,
        email: str,
        name: str = "",
        description: str = "",
        *,
        owners: tuple[str, ...] = (),
        managers: tuple[str, ...] = (),
        members: tuple[str, ...] = (),
        settings: dict[str, str] | None = None,
        aliases: tuple[str, ...] = (),
    ) -> FakeGroup:
        """Seed a group (tests and benchmarks); the API creates them through ``insert``."""
        group = FakeGroup(self.new_id(), email, name, description, list(aliases))
        if settings is not None:
            group.settings.update(settings)
        self.groups[group.id] = group
        for role, addresses in (("OWNER", owners), ("MANAGER", managers), ("MEMBER", members)):
            for address in addresses:
                group.members.append(self.new_member(address, role))
        return group

    def new_member(self, email: str, role: str) -> FakeMember:
        kind = "GROUP" if self.find(email) is not None else "USER"
        return FakeMember(email, role, self.member_id(email), kind)

    def emails(self) -> set[str]:
        return {g.email.lower() for g in self.groups.values()}
