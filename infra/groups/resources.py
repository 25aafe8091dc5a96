"""The resource type the groups concern creates: one Google Group, by its own dynamic
provider (see ``infra.declarations.resources``)."""

from __future__ import annotations

from collections.abc import Mapping

from infra.declarations.resources import (
    Created,
    GrantDocument,
    Inputs,
    ResourceFacts,
    replaced_by,
)

# Group settings (the plan's names) whose new value opens a group to people outside it.
OPENING = {
    "whoCanJoin": {"ANYONE_CAN_JOIN"},
    "allowExternalMembers": {"true"},
    "whoCanViewMembership": {"ALL_IN_DOMAIN_CAN_VIEW"},
    "whoCanViewGroup": {"ANYONE_CAN_VIEW"},
    "whoCanPostMessage": {"ANYONE_CAN_POST"},
}


def opened_settings(before: Inputs, after: Inputs) -> list[tuple[str, str]]:
    """The settings this change sets that open the group to people outside it."""
    old, new = before.get("settings"), after.get("settings")
    if not isinstance(new, Mapping):
        return []
    old = old if isinstance(old, Mapping) else {}
    return [
        (key, value)
        for key, values in OPENING.items()
        if (value := new.get(key)) in values
        and old.get(key) != value
        # a new group allows external members by default: not news
        and not (key == "allowExternalMembers" and not before)
    ]


GOOGLE_GROUP = ResourceFacts(
    "pulumi-python:dynamic/groups:GoogleGroup",
    # a dynamic resource cannot be imported: its provider's create takes over a live
    # group of the address in place (infra/groups/provider.py), never makes a second
    adoption=Created(
        "a dynamic resource: its create adopts the live group of the address in place"
    ),
    # the address is the group's identity; everything else is reconciled in place
    replacement=replaced_by("email", source="infra/groups/provider.py"),
    grant_document=GrantDocument.GROUP_MEMBERS,
    opened_by=opened_settings,
)

RESOURCES: tuple[ResourceFacts, ...] = (GOOGLE_GROUP,)
