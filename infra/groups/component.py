"""Every declared Google Group of a stack, one dynamic resource each."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from infra.groups.addresses import canonical
from infra.groups.model import Group
from infra.groups.provider import group_inputs
from infra.groups.resource import GoogleGroup
from infra.groups.settings_table import desired_settings

TYPE = "k8s-infra:groups:GoogleGroups"


@dataclass(frozen=True)
class GoogleGroupsArgs:
    groups: tuple[Group, ...]


class GoogleGroups(pulumi.ComponentResource):
    """The groups of a tree, keyed by lowercased address (a reordered file changes nothing)."""

    def __init__(
        self, name: str, args: GoogleGroupsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE, name, None, opts)
        # Removing a declaration stops managing the group; it never deletes it
        # (deleting is the opt-in `k8s-infra groups sync --delete-unmanaged`).
        child = pulumi.ResourceOptions(parent=self, retain_on_delete=True)
        self.groups = {
            canonical(group.email): GoogleGroup(
                f"{name}-{canonical(group.email)}",
                group_inputs(group, desired_settings(group.settings)),
                opts=child,
            )
            for group in args.groups
        }
        self.register_outputs(
            {"groupIds": {email: resource.group_id for email, resource in self.groups.items()}}
        )
