"""A project of shared staging registries (k8s-staging-images and its neighbours).

Project IAM here is authoritative per role (one IAMBinding per role), as
the Terraform it replaces: a role's members are exactly the declared ones.
Repository and bucket grants are per member.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from infra.components.projects import create_project, enable_services, waits_for
from infra.core import names
from infra.staging_images.model import (
    BuildBucket,
    Registry,
    RegistryProject,
    StagingImagesSettings,
)

TYPE = "k8s-infra:staging:RegistryProject"
CLEANUP_POLICY_ID = "delete-images-older-than-{days}-days"
SECONDS_PER_DAY = 86_400


@dataclass(frozen=True)
class RegistryProjectArgs:
    project: RegistryProject
    settings: StagingImagesSettings


class RegistryProjectComponent(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: RegistryProjectArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE, name, None, opts)
        spec, settings = args.project, args.settings
        child = pulumi.ResourceOptions(parent=self)

        # The default network is kept, as the Terraform project factory did.
        self.project = create_project(
            name,
            spec.project_id,
            organization_id=settings.organization_id,
            folder_id=spec.folder_id,
            billing_account=settings.billing_account,
            parent=self,
        )
        project_id = self.project.project_id
        self.services = enable_services(name, project_id, spec.services, self)
        for role, members in spec.iam.items():
            gcp.projects.IAMBinding(
                f"{name}-iam-{names.slug(role.rsplit('/', 1)[-1])}",
                project=project_id,
                role=role,
                members=list(members),
                opts=child,
            )
        registry_api = waits_for(self.services, "artifactregistry")
        self.repositories = {
            registry.name: self._registry(name, registry, settings, registry_api)
            for registry in spec.registries
        }
        self.build_bucket = (
            self._build_bucket(name, spec.build_bucket, project_id) if spec.build_bucket else None
        )
        self.register_outputs(
            {
                "projectId": project_id,
                "repositories": {k: r.registry_uri for k, r in self.repositories.items()},
                "buildBucket": self.build_bucket.name if self.build_bucket else None,
            }
        )

    def _registry(
        self,
        name: str,
        registry: Registry,
        settings: StagingImagesSettings,
        registry_api: list[pulumi.Resource],
    ) -> gcp.artifactregistry.Repository:
        prefix = f"{name}-{registry.name}"
        policies = []
        if registry.cleanup != "none":
            days = registry.cleanup_age_days
            policies.append(
                gcp.artifactregistry.RepositoryCleanupPolicyArgs(
                    id=CLEANUP_POLICY_ID.format(days=days),
                    action="DELETE",
                    condition=gcp.artifactregistry.RepositoryCleanupPolicyConditionArgs(
                        older_than=f"{days * SECONDS_PER_DAY}s"
                    ),
                )
            )
        # Images stay when a registry is dropped from infra.yaml.
        repository = gcp.artifactregistry.Repository(
            prefix,
            project=self.project.project_id,
            location=registry.location,
            repository_id=registry.name,
            format="DOCKER",
            cleanup_policies=policies or None,
            cleanup_policy_dry_run=registry.cleanup == "dry-run",
            labels=dict(registry.labels) or None,
            description=registry.description,
            opts=pulumi.ResourceOptions(
                parent=self,
                retain_on_delete=True,
                depends_on=registry_api,
            ),
        )
        grants: list[tuple[str, str, pulumi.Input[str]]] = []
        grants += [("reader", names.member_slug(m), m) for m in registry.readers]
        grants += [("writer", names.member_slug(m), m) for m in registry.writers]
        if registry.build_account:
            # As the Terraform root did (registries.tf@5828930): the account, named
            # "Build SA for <registry>", and one authoritative grant of acting as it,
            # to prow's pods of that registry and, until it retires, the shared builder.
            account = gcp.serviceaccount.Account(
                f"{prefix}-build-account",
                project=self.project.project_id,
                account_id=registry.build_account,
                display_name=f"Build SA for {registry.name}",
                opts=pulumi.ResourceOptions(
                    parent=self, depends_on=waits_for(self.services, "iam")
                ),
            )
            users = [settings.prow_builder] if registry.gcb_builder_shim else []
            gcp.serviceaccount.IAMBinding(
                f"{prefix}-build-account-users",
                service_account_id=account.name,
                role="roles/iam.serviceAccountUser",
                members=[*users, settings.build_principal(registry.name)],
                opts=pulumi.ResourceOptions(parent=self),
            )
            grants.append(("writer", "build-account", account.member))
        for level, label, member in grants:
            gcp.artifactregistry.RepositoryIamMember(
                f"{prefix}-{level}-{label}",
                project=repository.project,
                location=repository.location,
                repository=repository.repository_id,
                role=f"roles/artifactregistry.{level}",
                member=member,
                opts=pulumi.ResourceOptions(parent=self),
            )
        return repository

    def _build_bucket(
        self, name: str, spec: BuildBucket, project_id: pulumi.Input[str]
    ) -> gcp.storage.Bucket:
        bucket = gcp.storage.Bucket(
            f"{name}-build-bucket",
            name=spec.name,
            project=project_id,
            location="US",
            uniform_bucket_level_access=True,
            public_access_prevention="enforced",
            # On, as the simple_bucket module's default left it (buckets.tf@b323275).
            versioning=gcp.storage.BucketVersioningArgs(enabled=True),
            lifecycle_rules=[
                gcp.storage.BucketLifecycleRuleArgs(
                    action=gcp.storage.BucketLifecycleRuleActionArgs(type="Delete"),
                    condition=gcp.storage.BucketLifecycleRuleConditionArgs(
                        age=spec.age_days, with_state="ANY"
                    ),
                )
            ],
            opts=pulumi.ResourceOptions(parent=self, retain_on_delete=True),
        )
        for member in spec.admins:
            gcp.storage.BucketIAMMember(
                f"{name}-build-bucket-admin-{names.member_slug(member)}",
                bucket=bucket.name,
                role="roles/storage.admin",
                member=member,
                opts=pulumi.ResourceOptions(parent=self),
            )
        return bucket
