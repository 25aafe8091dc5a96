"""The JSON policy documents of the S3 mirrors, as plain data.

Kept apart from the components so that tests can read them as the plan
records them (JSON strings) and compare them as parsed documents.
"""

from __future__ import annotations

from typing import Any

from infra.core import names
from infra.mirrors.model import S3Bucket
from infra.mirrors.settings import S3WriterSettings

VERSION = "2012-10-17"
PUBLIC_POLICY_ID = "Public-Access"


def public_read_policy(bucket: S3Bucket) -> dict[str, Any]:
    """Anyone may list and read; nobody may use the bucket without TLS.

    The policy of s3/bucket.tf@7159e9d (its two public statements carry no
    Sid), except that the TLS deny covers the bucket as well as its objects:
    the `s3-bucket-hardening` guard rail requires both, so adopting a bucket
    updates its policy once.
    """
    objects = f"{bucket.arn}/*"
    return {
        "Version": VERSION,
        "Id": PUBLIC_POLICY_ID,
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:ListBucket",
                "Resource": bucket.arn,
            },
            {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": objects},
            {
                "Sid": "AllowSSLRequestsOnly",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [bucket.arn, objects],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ],
    }


def writer_trust_policy(writer: S3WriterSettings, oidc_provider_arn: Any) -> dict[str, Any]:
    """Who may assume the writer role: S3 itself, the promoter's pods, legacy principals.

    ``oidc_provider_arn`` may be a pulumi Output; the caller serializes with
    ``Output.json_dumps``.
    """
    host = names.oidc_provider_host(writer.oidc_issuer)
    subjects = [
        names.kubernetes_token_subject(a.namespace, a.name)
        for a in writer.kubernetes_service_accounts
    ]
    statements: list[dict[str, Any]] = [
        {
            "Sid": "AwsServices",
            "Effect": "Allow",
            "Principal": {"Service": list(writer.trusted_services)},
            "Action": "sts:AssumeRole",
        },
        {
            "Sid": "KubernetesServiceAccounts",
            "Effect": "Allow",
            "Principal": {"Federated": oidc_provider_arn},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {f"{host}:sub": subjects}},
        },
    ]
    if writer.trusted_legacy_principals:
        statements.append(
            {
                "Sid": "LegacyPrincipals",
                "Effect": "Allow",
                "Principal": {"AWS": list(writer.trusted_legacy_principals)},
                "Action": "sts:AssumeRole",
            }
        )
    return {"Version": VERSION, "Statement": statements}


def writer_policy(writer: S3WriterSettings) -> dict[str, Any]:
    """What the writer may do: object writes by the promoter, and replication by S3.

    On every resource, as upstream: S3 batch operations write their reports
    to buckets this stack does not manage.
    """
    return {
        "Version": VERSION,
        "Statement": [
            {
                "Sid": "WriteAndReplicate",
                "Effect": "Allow",
                "Action": list(writer.actions),
                "Resource": "*",
            }
        ],
    }
