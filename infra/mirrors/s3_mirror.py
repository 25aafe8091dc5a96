"""One S3 mirror bucket with what makes it a public, versioned, TLS-only mirror."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from infra.mirrors.model import S3Bucket
from infra.mirrors.policies import public_read_policy

TYPE = "k8s-infra:mirrors:S3Mirror"


@dataclass(frozen=True)
class S3MirrorArgs:
    bucket: S3Bucket


class S3Mirror(pulumi.ComponentResource):
    """A bucket in its own region, its public access, ownership, versioning and policy."""

    def __init__(
        self, name: str, args: S3MirrorArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE, name, None, opts)
        declared = args.bucket
        region = declared.region
        child = pulumi.ResourceOptions(parent=self)

        # The layers of every production image: protected, and never emptied
        # by a delete (no force_destroy).
        self.bucket = aws.s3.Bucket(
            name,
            bucket=declared.name,
            region=region,
            force_destroy=False,
            opts=pulumi.ResourceOptions(parent=self, protect=True),
        )
        bucket_name = self.bucket.bucket

        # Public read needs a public bucket policy, which these four flags
        # would each block.
        self.public_access = aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access",
            bucket=bucket_name,
            region=region,
            block_public_acls=False,
            block_public_policy=False,
            ignore_public_acls=False,
            restrict_public_buckets=False,
            opts=child,
        )
        # The account owns every object and ACLs are off: the policy alone
        # decides who reads.
        self.ownership = aws.s3.BucketOwnershipControls(
            f"{name}-ownership",
            bucket=bucket_name,
            region=region,
            rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
            opts=child,
        )
        # Replication needs versioning on both ends.
        self.versioning = aws.s3.BucketVersioning(
            f"{name}-versioning",
            bucket=bucket_name,
            region=region,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(
                status="Enabled"
            ),
            opts=child,
        )
        # New buckets block public policies until the access block is relaxed.
        self.policy = aws.s3.BucketPolicy(
            f"{name}-policy",
            bucket=bucket_name,
            region=region,
            policy=json.dumps(public_read_policy(declared), sort_keys=True),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.public_access]),
        )

        self.register_outputs(
            {
                "bucket": bucket_name,
                "arn": self.bucket.arn,
                "region": region,
                "endpoint": declared.endpoint,
            }
        )
