"""The role that writes image layers to the source bucket and replicates them.

One role serves both, as upstream: the promoter's pods assume it through
the build cluster's OIDC provider, S3 assumes it to replicate, and S3 batch
operations to backfill. It is trusted by web identity only; no access keys.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from infra.mirrors.policies import writer_policy, writer_trust_policy
from infra.mirrors.settings import S3WriterSettings

TYPE = "k8s-infra:mirrors:S3Writer"
SECONDS_PER_HOUR = 3600


@dataclass(frozen=True)
class S3WriterArgs:
    writer: S3WriterSettings


class S3Writer(pulumi.ComponentResource):
    """The OIDC provider of the build cluster, the writer role and its inline policy."""

    def __init__(
        self, name: str, args: S3WriterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE, name, None, opts)
        writer = args.writer
        child = pulumi.ResourceOptions(parent=self)

        # No thumbprint: IAM checks tokens of Google-hosted issuers against
        # its own trusted CAs, so a pinned thumbprint would be unused.
        self.oidc_provider = aws.iam.OpenIdConnectProvider(
            f"{name}-oidc",
            url=writer.oidc_issuer,
            client_id_lists=[writer.oidc_audience],
            opts=child,
        )
        self.role = aws.iam.Role(
            f"{name}-role",
            name=writer.role,
            assume_role_policy=pulumi.Output.json_dumps(
                writer_trust_policy(writer, self.oidc_provider.arn)
            ),
            max_session_duration=writer.max_session_hours * SECONDS_PER_HOUR,
            tags=dict(writer.tags),
            opts=child,
        )
        self.policy = aws.iam.RolePolicy(
            f"{name}-policy",
            name=writer.policy,
            role=self.role.name,
            policy=json.dumps(writer_policy(writer), sort_keys=True),
            opts=child,
        )

        self.register_outputs({"roleArn": self.role.arn, "oidcProvider": self.oidc_provider.arn})
