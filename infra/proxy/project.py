"""The proxy's project: referenced, never created; its APIs, runtime identity and grants."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from infra.components.projects import enable_services
from infra.core import names
from infra.proxy.model import SERVICES, ProxySpec

TYPE = "k8s-infra:proxy:ProxyProject"
OWNER_ROLE = "roles/owner"
# The name upstream gave archeio's account (oci-proxy/main.tf at 3ca41f50).
RUNTIME_DISPLAY_NAME = "Minimal Service Account for OCI Proxy"


@dataclass(frozen=True)
class ProxyProjectArgs:
    spec: ProxySpec


class ProxyProject(pulumi.ComponentResource):
    """The nine APIs, archeio's account (it holds no role: it calls only public
    endpoints), the owner group, and the deploy identity's grants where the
    stack names one."""

    def __init__(
        self, name: str, args: ProxyProjectArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE, name, None, opts)
        spec = args.spec
        child = pulumi.ResourceOptions(parent=self)
        self.services = enable_services(name, spec.project, SERVICES, self)
        self.runtime_account = gcp.serviceaccount.Account(
            f"{name}-runtime",
            project=spec.project,
            account_id=spec.service_account,
            display_name=RUNTIME_DISPLAY_NAME,
            opts=child,
        )
        self.owner = gcp.projects.IAMMember(
            f"{name}-owner", project=spec.project, role=OWNER_ROLE, member=spec.owner, opts=child
        )
        # Authoritative per role, as upstream's iam.tf was: the deploy
        # identity is all these roles hold in the project.
        deploy = spec.deploy_identity
        self.deploy_grants = (
            {
                role: gcp.projects.IAMBinding(
                    f"{name}-deploy-{names.slug(role.removeprefix('roles/'))}",
                    project=spec.project,
                    role=role,
                    members=[deploy.member],
                    opts=child,
                )
                for role in deploy.roles
            }
            if deploy
            else {}
        )
        self.register_outputs(
            {
                "project": spec.project,
                "services": list(self.services),
                "runtimeAccount": self.runtime_account.email,
                "deployRoles": list(self.deploy_grants),
            }
        )
