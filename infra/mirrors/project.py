"""Settings of the project that holds the mirrors: it is referenced, never created.

Project IAM here is authoritative per role (one ``IAMBinding`` per role), as
upstream's Terraform was: the roles granted here are the registry's
privileged ones, a grant added by hand is removed on the next run instead of
lingering unseen, and since upstream was already authoritative for exactly
these roles, taking them over loses no grant. A role listed here must not be
granted additively anywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import pulumi
import pulumi_gcp as gcp

from infra.components.projects import api_name, enable_services
from infra.core import names
from infra.mirrors.settings import MirrorSettings

TYPE = "k8s-infra:mirrors:MirrorProject"
WORKLOAD_IDENTITY_USER = "roles/iam.workloadIdentityUser"


@dataclass(frozen=True)
class MirrorProjectArgs:
    project: str
    settings: MirrorSettings


class MirrorProject(pulumi.ComponentResource):
    """The project's APIs, identities, role grants, audit logs and quota caps."""

    def __init__(
        self, name: str, args: MirrorProjectArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE, name, None, opts)
        project, settings = args.project, args.settings
        child = pulumi.ResourceOptions(parent=self)

        self.services = enable_services(name, project, settings.services, self)

        self.service_accounts = {
            account_id: gcp.serviceaccount.Account(
                f"{name}-sa-{account_id}",
                project=project,
                account_id=account_id,
                display_name=spec.display_name,
                opts=child,
            )
            for account_id, spec in settings.service_accounts.items()
        }
        pool = settings.workload_identity_pool
        # Authoritative on the accounts this stack owns: only these pods may
        # act as them.
        self.workload_identity = {
            account_id: gcp.serviceaccount.IAMBinding(
                f"{name}-sa-{account_id}-workload-identity",
                service_account_id=self.service_accounts[account_id].name,
                role=WORKLOAD_IDENTITY_USER,
                members=[pool.principal(k) for k in spec.kubernetes_service_accounts],
                opts=child,
            )
            for account_id, spec in settings.service_accounts.items()
            if spec.kubernetes_service_accounts and pool is not None
        }

        self.bindings = {
            role: gcp.projects.IAMBinding(
                f"{name}-iam-{names.slug(role.removeprefix('roles/'))}",
                project=project,
                role=role,
                members=[
                    *settings.project_iam.get(role, ()),
                    *(self.service_accounts[a].member for a in settings.accounts_holding(role)),
                ],
                opts=child,
            )
            for role in settings.project_roles()
        }

        self.audit_configs = {
            service: gcp.projects.IAMAuditConfig(
                f"{name}-audit-{api_name(service)}",
                project=project,
                service=service,
                audit_log_configs=[
                    gcp.projects.IAMAuditConfigAuditLogConfigArgs(log_type=log_type)
                    for log_type in log_types
                ],
                opts=child,
            )
            for service, log_types in settings.audit_logs.items()
        }

        # Limits are ids in the API's URL path, hence encoded; the override
        # lowers an unlimited default by far more than the 10% the API
        # accepts without `force`.
        self.quota_overrides = {
            key: gcp.serviceusage.ConsumerQuotaOverride(
                f"{name}-quota-{key}",
                project=project,
                service=quota.service,
                metric=_encoded(quota.metric),
                limit=_encoded(quota.limit),
                override_value=str(quota.value),
                force=True,
                opts=child,
            )
            for key, quota in settings.quota_overrides.items()
        }

        self.register_outputs(
            {
                "project": project,
                "services": list(self.services),
                "serviceAccounts": {k: a.email for k, a in self.service_accounts.items()},
                "roles": list(self.bindings),
            }
        )


def _encoded(text: str) -> str:
    return quote(text, safe="")
