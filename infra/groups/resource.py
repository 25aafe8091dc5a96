"""The dynamic resource type of one Google Group (``pulumi-python:dynamic/groups:GoogleGroup``)."""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import Resource

from infra.groups.provider import GroupProvider


class GoogleGroup(Resource, module="groups", name="GoogleGroup"):
    """One group; its inputs come from ``provider.group_inputs``."""

    groupId: pulumi.Output[str]  # set by the SDK under the property's own name

    def __init__(
        self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions | None = None
    ) -> None:
        # groupId is listed so the output exists as an attribute; Google assigns it.
        super().__init__(GroupProvider(), name, {**props, "groupId": None}, opts)

    @property
    def group_id(self) -> pulumi.Output[str]:
        return self.groupId
