"""The resource type the groups concern creates: one Google Group, by its own dynamic
provider (see ``infra.declarations.resources``)."""

from __future__ import annotations

from infra.declarations.resources import GrantDocument, ResourceFacts, replaced_by

GOOGLE_GROUP = ResourceFacts(
    "pulumi-python:dynamic/groups:GoogleGroup",
    # the address is the group's identity; everything else is reconciled in place
    replacement=replaced_by("email", source="infra/groups/provider.py"),
    grant_document=GrantDocument.GROUP_MEMBERS,
)

RESOURCES: tuple[ResourceFacts, ...] = (GOOGLE_GROUP,)
