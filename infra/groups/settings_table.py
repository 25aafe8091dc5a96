"""The one table of Google Groups settings a groups file may set.

For each accepted key: its Groups Settings API name, its kind, the values
the API accepts, the value written when a file leaves it out (upstream's
defaults; None keeps the group's current value) and whether it is applied.
Validation and the reconcile engine both read this table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

# Pseudo-setting: never sent to Google. "true" makes the file the source of
# truth for every membership, "false" leaves extra plain members alone.
RECONCILE_MEMBERS = "ReconcileMembers"

BOOL_VALUES = ("true", "false")


@dataclass(frozen=True)
class SettingSpec:
    key: str
    api_name: str
    kind: Literal["enum", "bool"]
    allowed: tuple[str, ...]
    default: str | None
    applied: bool = True


def _enum(key: str, default: str | None, *allowed: str) -> SettingSpec:
    return SettingSpec(key, key[0].lower() + key[1:], "enum", allowed, default)


def _bool(key: str, default: str | None) -> SettingSpec:
    return SettingSpec(key, key[0].lower() + key[1:], "bool", BOOL_VALUES, default)


_MODERATORS = ("ALL_MEMBERS", "OWNERS_AND_MANAGERS", "OWNERS_ONLY", "NONE")

SETTINGS: Mapping[str, SettingSpec] = {
    spec.key: spec
    for spec in (
        _bool("AllowExternalMembers", "true"),
        _bool("AllowWebPosting", None),
        _enum(
            "WhoCanJoin",
            "INVITED_CAN_JOIN",
            "ANYONE_CAN_JOIN",
            "ALL_IN_DOMAIN_CAN_JOIN",
            "INVITED_CAN_JOIN",
            "CAN_REQUEST_TO_JOIN",
        ),
        _enum(
            "WhoCanViewMembership",
            "ALL_MANAGERS_CAN_VIEW",
            "ALL_IN_DOMAIN_CAN_VIEW",
            "ALL_MEMBERS_CAN_VIEW",
            "ALL_MANAGERS_CAN_VIEW",
        ),
        _enum(
            "WhoCanViewGroup",
            "ALL_MEMBERS_CAN_VIEW",
            "ANYONE_CAN_VIEW",
            "ALL_IN_DOMAIN_CAN_VIEW",
            "ALL_MEMBERS_CAN_VIEW",
            "ALL_MANAGERS_CAN_VIEW",
        ),
        _enum(
            "WhoCanDiscoverGroup",
            "ALL_IN_DOMAIN_CAN_DISCOVER",
            "ANYONE_CAN_DISCOVER",
            "ALL_IN_DOMAIN_CAN_DISCOVER",
            "ALL_MEMBERS_CAN_DISCOVER",
        ),
        _enum("WhoCanModerateMembers", "OWNERS_AND_MANAGERS", *_MODERATORS),
        # Upstream forced this to its default and ignored the file's value.
        _enum("WhoCanModerateContent", "OWNERS_AND_MANAGERS", *_MODERATORS),
        _enum(
            "WhoCanPostMessage",
            "ALL_MEMBERS_CAN_POST",
            "NONE_CAN_POST",
            "ALL_MANAGERS_CAN_POST",
            "ALL_MEMBERS_CAN_POST",
            "ALL_OWNERS_CAN_POST",
            "ALL_IN_DOMAIN_CAN_POST",
            "ANYONE_CAN_POST",
        ),
        _enum(
            "MessageModerationLevel",
            "MODERATE_NONE",
            "MODERATE_ALL_MESSAGES",
            "MODERATE_NON_MEMBERS",
            "MODERATE_NEW_MEMBERS",
            "MODERATE_NONE",
        ),
        _bool("MembersCanPostAsTheGroup", "false"),
    )
}


def desired_settings(declared: Mapping[str, str]) -> dict[str, str]:
    """API field -> value for a group: upstream's defaults, overridden by the file."""
    result: dict[str, str] = {}
    for spec in SETTINGS.values():
        if not spec.applied:
            continue
        value = declared.get(spec.key, spec.default)
        if value is not None:
            result[spec.api_name] = value
    return result
