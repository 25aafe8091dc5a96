"""A project and the Google APIs it enables, shared by every component that creates one."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pulumi
import pulumi_gcp as gcp


def api_name(service: str) -> str:
    """``artifactregistry.googleapis.com`` -> ``artifactregistry``."""
    return service.removesuffix(".googleapis.com")


def create_project(
    name: str,
    project_id: str,
    *,
    organization_id: str,
    folder_id: str | None,
    billing_account: str,
    parent: pulumi.Resource,
) -> gcp.organizations.Project:
    """``<name>-project``, in the folder when one is given, else the organization; protected.

    A project holds everything else: replacing or deleting it must fail loudly.
    """
    return gcp.organizations.Project(
        f"{name}-project",
        project_id=project_id,
        name=project_id,
        org_id=None if folder_id else organization_id,
        folder_id=folder_id,
        billing_account=billing_account,
        opts=pulumi.ResourceOptions(parent=parent, protect=True),
    )


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


def waits_for(services: Mapping[str, gcp.projects.Service], api: str) -> list[pulumi.Resource]:
    """The API service a resource must wait for, when the project enables it."""
    service = services.get(f"{api}.googleapis.com")
    return [service] if service else []
