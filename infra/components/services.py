"""The Google APIs a project enables, one resource each, shared by every component."""

from __future__ import annotations

from collections.abc import Iterable

import pulumi
import pulumi_gcp as gcp


def api_name(service: str) -> str:
    """``artifactregistry.googleapis.com`` -> ``artifactregistry``."""
    return service.removesuffix(".googleapis.com")


def enable_services(
    name: str, project: pulumi.Input[str], services: Iterable[str], parent: pulumi.Resource
) -> dict[str, gcp.projects.Service]:
    """``<name>-<api>`` per service, children of ``parent``, keyed by service name.

    Removing a line must never switch an API off under running workloads,
    so services are never disabled on destroy.
    """
    return {
        service: gcp.projects.Service(
            f"{name}-{api_name(service)}",
            project=project,
            service=service,
            disable_on_destroy=False,
            opts=pulumi.ResourceOptions(parent=parent),
        )
        for service in services
    }
