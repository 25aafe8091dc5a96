"""The production artifact buckets and accounts of the mirrors' project.

What ``ensure-prod-storage.sh`` ensured outside Artifact Registry: public
buckets that keep every object for the retention period and log their
access, the accounts that write them or audit and scan images, and the
grants around them. Every grant is one member (additive), as the script's
were, so grants made elsewhere stay.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from infra.core import names
from infra.prod_storage.model import ProdAccount, ProdBucket, ProdStorage

TYPE = "k8s-infra:prod:ProdStorage"
READER_ROLE = "roles/storage.objectViewer"
# What the script's helpers granted (lib_gcs.sh@a51f664): admins own the
# bucket's IAM and objects, writers replace objects but not the IAM.
ADMIN_ROLES = ("roles/storage.objectAdmin", "roles/storage.legacyBucketOwner")
WRITER_ROLES = ("roles/storage.objectAdmin", "roles/storage.legacyBucketWriter")


@dataclass(frozen=True)
class ProdStorageArgs:
    storage: ProdStorage


class ProdStorageComponent(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: ProdStorageArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE, name, None, opts)
        spec = args.storage
        child = pulumi.ResourceOptions(parent=self)

        self.accounts = {
            account.account_id: self._account(name, spec.project, account)
            for account in spec.accounts
        }
        for account in spec.accounts:
            for role in account.project_roles:
                gcp.projects.IAMMember(
                    f"{name}-{account.account_id}-{names.slug(role.removeprefix('roles/'))}",
                    project=spec.project,
                    role=role,
                    member=self.accounts[account.account_id].member,
                    opts=child,
                )
        for grant in spec.project_grants:
            for role in grant.roles:
                gcp.projects.IAMMember(
                    f"{name}-{names.member_slug(grant.member)}-"
                    f"{names.slug(role.removeprefix('roles/'))}",
                    project=spec.project,
                    role=role,
                    member=grant.member,
                    opts=child,
                )

        writers = spec.bucket_writers()
        self.buckets = {
            bucket.name: self._bucket(name, spec, bucket, writers) for bucket in spec.buckets
        }
        for bucket_name, grants in spec.bucket_grants.items():
            for grant in grants:
                for role in grant.roles:
                    self._bucket_member(name, bucket_name, bucket_name, grant.member, role)

        self.register_outputs(
            {
                "buckets": {k: b.url for k, b in self.buckets.items()},
                "serviceAccounts": {k: a.email for k, a in self.accounts.items()},
            }
        )

    def _account(self, name: str, project: str, spec: ProdAccount) -> gcp.serviceaccount.Account:
        account = gcp.serviceaccount.Account(
            f"{name}-sa-{spec.account_id}",
            project=project,
            account_id=spec.account_id,
            display_name=spec.display_name,
            opts=pulumi.ResourceOptions(parent=self),
        )
        acting = [("roles/iam.workloadIdentityUser", m) for m in spec.workload_identity]
        acting += [("roles/iam.serviceAccountUser", m) for m in spec.users]
        for role, member in acting:
            gcp.serviceaccount.IAMMember(
                f"{name}-sa-{spec.account_id}-{names.slug(role.removeprefix('roles/iam.'))}-"
                f"{names.slug(member.split(':', 1)[-1])}",
                service_account_id=account.name,
                role=role,
                member=member,
                opts=pulumi.ResourceOptions(parent=self),
            )
        return account

    def _bucket(
        self, name: str, storage: ProdStorage, spec: ProdBucket, writers: list[str]
    ) -> gcp.storage.Bucket:
        # Production artifacts: protected, never emptied by a delete.
        bucket = gcp.storage.Bucket(
            f"{name}-{spec.name}",
            name=spec.name,
            project=storage.project,
            location=storage.location,
            uniform_bucket_level_access=True,
            force_destroy=False,
            retention_policy=gcp.storage.BucketRetentionPolicyArgs(
                retention_period=str(storage.retention_seconds)
            )
            if storage.retention_seconds
            else None,
            logging=gcp.storage.BucketLoggingArgs(
                log_bucket=storage.logs_bucket, log_object_prefix=spec.name
            )
            if storage.logs_bucket
            else None,
            website=gcp.storage.BucketWebsiteArgs(main_page_suffix=spec.main_page_suffix)
            if spec.main_page_suffix
            else None,
            opts=pulumi.ResourceOptions(parent=self, protect=True),
        )
        grants = [(READER_ROLE, "allUsers")]
        grants += [(role, m) for m in storage.admins for role in ADMIN_ROLES]
        grants += [(role, m) for m in (*writers, *spec.writers) for role in WRITER_ROLES]
        for role, member in grants:
            self._bucket_member(name, spec.name, bucket.name, member, role)
        return bucket

    def _bucket_member(
        self, name: str, label: str, bucket: pulumi.Input[str], member: str, role: str
    ) -> None:
        gcp.storage.BucketIAMMember(
            f"{name}-{label}-{names.member_slug(member)}-"
            f"{names.slug(role.removeprefix('roles/storage.'))}",
            bucket=bucket,
            role=role,
            member=member,
            opts=pulumi.ResourceOptions(parent=self),
        )
