"""Every S3 mirror bucket, and the replication from the source bucket to the others."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from infra.mirrors.model import S3Mirrors
from infra.mirrors.s3_mirror import S3Mirror, S3MirrorArgs

TYPE = "k8s-infra:mirrors:S3MirrorSet"
STORAGE_CLASS = "STANDARD"
ENABLED = "Enabled"


@dataclass(frozen=True)
class S3MirrorSetArgs:
    mirrors: S3Mirrors
    replication_role_arn: pulumi.Input[str]


class S3MirrorSet(pulumi.ComponentResource):
    """The buckets keyed by region, and one replication configuration on the source."""

    def __init__(
        self, name: str, args: S3MirrorSetArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE, name, None, opts)
        declared = args.mirrors
        self.mirrors = {
            region: S3Mirror(
                f"{name}-{region}",
                S3MirrorArgs(bucket),
                opts=pulumi.ResourceOptions(parent=self),
            )
            for region, bucket in declared.buckets.items()
            # a bucket managed elsewhere is only an address clients are sent to
            if bucket.managed
        }
        source = declared.source
        # Rule ids and priorities come from the data, so adding a bucket adds
        # one rule and leaves every other rule as it was. S3 refuses rules
        # until versioning is on at both ends: explicit waits on each one.
        versioned = [
            self.mirrors[region].versioning
            for region in (source.region, *(r.destination.region for r in declared.rules))
        ]
        self.replication = aws.s3.BucketReplicationConfig(
            f"{name}-replication",
            bucket=self.mirrors[source.region].bucket.bucket,
            region=source.region,
            role=args.replication_role_arn,
            rules=[
                aws.s3.BucketReplicationConfigRuleArgs(
                    id=rule.rule_id,
                    priority=rule.priority,
                    status=ENABLED,
                    # An empty filter: every object, with the rule schema
                    # that allows several destinations.
                    filter=aws.s3.BucketReplicationConfigRuleFilterArgs(),
                    delete_marker_replication=(
                        aws.s3.BucketReplicationConfigRuleDeleteMarkerReplicationArgs(
                            status=ENABLED
                        )
                    ),
                    destination=aws.s3.BucketReplicationConfigRuleDestinationArgs(
                        bucket=rule.destination.arn,
                        storage_class=STORAGE_CLASS,
                        metrics=aws.s3.BucketReplicationConfigRuleDestinationMetricsArgs(
                            status=ENABLED
                        ),
                    ),
                )
                for rule in declared.rules
            ],
            opts=pulumi.ResourceOptions(parent=self, depends_on=versioned),
        )

        self.register_outputs(
            {
                "buckets": {r: m.bucket.bucket for r, m in self.mirrors.items()},
                "endpoints": {r: b.endpoint for r, b in declared.buckets.items()},
                "source": source.name,
                "rules": [rule.rule_id for rule in declared.rules],
            }
        )
