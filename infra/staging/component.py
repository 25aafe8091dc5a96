"""One staging project: the project, its APIs, repository, buckets, accounts and IAM.

Everything ensure-staging-storage.sh did for a project, as one component.
Grants are additive (member-level resources), as upstream: they never
remove a binding someone else made.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from infra.components.projects import create_project, enable_services, waits_for
from infra.core import names
from infra.staging.model import Grant, Member, StagingProject, StagingSettings

TYPE = "k8s-infra:staging:StagingProject"
REPOSITORY_ID = "images"


@dataclass(frozen=True)
class StagingProjectArgs:
    project: StagingProject
    settings: StagingSettings


class StagingProjectComponent(pulumi.ComponentResource):
    """A ``k8s-staging-<name>`` project and everything in it."""

    def __init__(
        self, name: str, args: StagingProjectArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE, name, None, opts)
        spec, settings = args.project, args.settings
        child = pulumi.ResourceOptions(parent=self)

        # auto_create_network stays at its default: the standard profile does not
        # enable the compute API, so no default network appears (projects that
        # declare compute get it, as upstream's did); setting it to false would
        # make the provider enable compute just to delete that network.
        self.project = create_project(
            name,
            spec.project_id,
            organization_id=settings.organization_id,
            folder_id=None,
            billing_account=settings.billing_account,
            parent=self,
        )
        project_id = self.project.project_id

        self.services = enable_services(name, project_id, spec.services, self)

        self.service_accounts = {
            account.account_id: gcp.serviceaccount.Account(
                f"{name}-sa-{account.account_id}",
                project=project_id,
                account_id=account.account_id,
                display_name=account.display_name,
                opts=pulumi.ResourceOptions(
                    parent=self, depends_on=waits_for(self.services, "iam")
                ),
            )
            for account in spec.service_accounts
        }
        for account in spec.service_accounts:
            for identity in account.workload_identity:
                gcp.serviceaccount.IAMMember(
                    f"{name}-sa-{account.account_id}-workload-identity-{names.slug(identity.removeprefix('serviceAccount:'))}",
                    service_account_id=self.service_accounts[account.account_id].name,
                    role="roles/iam.workloadIdentityUser",
                    member=identity,
                    opts=child,
                )

        # Data stays when a project is dropped from infra.yaml: retain_on_delete.
        # No description: the script created it without one (lib_ar.sh@e10ab5f,
        # `ensure_ar_repo`), and setting one would update every live repository.
        self.repository = (
            gcp.artifactregistry.Repository(
                f"{name}-images",
                project=project_id,
                location=settings.repository_location,
                repository_id=REPOSITORY_ID,
                format="DOCKER",
                opts=pulumi.ResourceOptions(
                    parent=self,
                    retain_on_delete=True,
                    depends_on=waits_for(self.services, "artifactregistry"),
                ),
            )
            if spec.has_repository
            else None
        )
        self.buckets: dict[str, gcp.storage.Bucket] = {}
        if spec.has_buckets:
            self.buckets["bucket"] = self._bucket(
                f"{name}-bucket", spec.bucket, project_id, settings, log=True
            )
            self.buckets["gcb_bucket"] = self._bucket(
                f"{name}-gcb-bucket", spec.gcb_bucket, project_id, settings, log=False
            )

        for grant in spec.grants:
            self._grant(name, grant)

        self.register_outputs(
            {
                "projectId": project_id,
                "projectNumber": self.project.number,
                "repository": self.repository.registry_uri if self.repository else None,
                "buckets": [b.name for b in self.buckets.values()],
                "writerGroup": spec.writer_group,
                "serviceAccounts": {k: a.email for k, a in self.service_accounts.items()},
            }
        )

    def _bucket(
        self,
        resource_name: str,
        bucket: str,
        project_id: pulumi.Input[str],
        settings: StagingSettings,
        *,
        log: bool,
    ) -> gcp.storage.Bucket:
        return gcp.storage.Bucket(
            resource_name,
            name=bucket,
            project=project_id,
            location=settings.bucket_location,
            uniform_bucket_level_access=True,
            lifecycle_rules=[
                gcp.storage.BucketLifecycleRuleArgs(
                    action=gcp.storage.BucketLifecycleRuleActionArgs(type="Delete"),
                    condition=gcp.storage.BucketLifecycleRuleConditionArgs(
                        age=settings.object_age_days
                    ),
                )
            ],
            logging=(
                gcp.storage.BucketLoggingArgs(
                    log_bucket=settings.logs_bucket, log_object_prefix=bucket
                )
                if log
                else None
            ),
            opts=pulumi.ResourceOptions(parent=self, retain_on_delete=True),
        )

    def _member(self, member: Member) -> pulumi.Input[str]:
        if member.kind == "cloudbuild":
            number: pulumi.Output[str] = self.project.number
            return number.apply(names.cloudbuild_member)
        if member.kind == "service_account":
            account_member: pulumi.Output[str] = self.service_accounts[member.value].member
            return account_member
        return member.value

    def _grant(self, name: str, grant: Grant) -> None:
        resource_name = f"{name}-{grant.key}"
        member = self._member(grant.member)
        # The Cloud Build account exists only once the project enables Cloud Build.
        waits = waits_for(self.services, "cloudbuild") if grant.member.kind == "cloudbuild" else []
        child = pulumi.ResourceOptions(parent=self, depends_on=waits)
        target = grant.target
        if target.kind in ("project", "other_project"):
            gcp.projects.IAMMember(
                resource_name,
                project=self.project.project_id if target.kind == "project" else target.ref,
                role=grant.role,
                member=member,
                opts=child,
            )
        elif target.kind == "repository" and self.repository is not None:
            gcp.artifactregistry.RepositoryIamMember(
                resource_name,
                project=self.repository.project,
                location=self.repository.location,
                repository=self.repository.repository_id,
                role=grant.role,
                member=member,
                opts=child,
            )
        elif target.kind in ("bucket", "gcb_bucket"):
            gcp.storage.BucketIAMMember(
                resource_name,
                bucket=self.buckets[target.kind].name,
                role=grant.role,
                member=member,
                opts=child,
            )
        elif target.kind == "service_account":
            gcp.serviceaccount.IAMMember(
                resource_name,
                service_account_id=self.service_accounts[target.ref].name,
                role=grant.role,
                member=member,
                opts=child,
            )
