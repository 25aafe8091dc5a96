"""The guard rails of the registry mirrors: what the generic ones need, and their own.

The mirrors serve production images: their S3 buckets, and the repositories
and buckets of their project, hold data that cannot be made again, so they
must be protected; the public reads the repositories. Their own rail: every
S3 bucket refuses plain HTTP and enforces bucket ownership.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from infra.crossguard import Policy, StackViolation, items, stack_policy, text
from infra.declarations.guardrails import GuardRails, PolicyFacts
from infra.mirrors.model import COMPONENT, Mirrors

if TYPE_CHECKING:
    from pulumi_policy import PolicyResource

    from infra.declarations.loaded import Declarations

REPOSITORY = "gcp:artifactregistry/repository:Repository"
BUCKET = "gcp:storage/bucket:Bucket"
REPOSITORY_READER = (
    "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember",
    "roles/artifactregistry.reader",
)
S3_BUCKET = "aws:s3/bucket:Bucket"
S3_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
S3_OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"

S3_HARDENING = "s3-bucket-hardening"


def _s3_hardening(
    resources: Sequence[PolicyResource], _config: Mapping[str, Any]
) -> Iterator[StackViolation]:
    buckets = [
        (r.urn, text(r.props.get("bucket"))) for r in resources if r.resource_type == S3_BUCKET
    ]
    if not buckets:
        return
    policies = [(text(r.props.get("bucket")), text(r.props.get("policy")))
                for r in resources if r.resource_type == S3_POLICY]  # fmt: skip
    owned = {
        text(r.props.get("bucket")): _ownership(r.props.get("rule"))
        for r in resources
        if r.resource_type == S3_OWNERSHIP
    }
    for urn, bucket in buckets:
        documents = [doc for name, doc in policies if name == bucket]
        if not any(_denies_plain_http(doc, str(bucket)) for doc in documents):
            yield (urn, f"bucket {bucket} allows requests without TLS",
                   "attach a bucket policy denying s3:* when aws:SecureTransport is false, "
                   "on the bucket and on its objects (bucket/*)")  # fmt: skip
        if owned.get(bucket) != "BucketOwnerEnforced":
            yield (urn, f"bucket {bucket} does not enforce bucket ownership: object ACLs "
                   "stay in force", "add BucketOwnershipControls with object_ownership "
                   "BucketOwnerEnforced")  # fmt: skip


def _ownership(rule: Any) -> str | None:
    rules = items(rule) if not isinstance(rule, Mapping) else [rule]
    found = [text(r.get("objectOwnership")) for r in rules if isinstance(r, Mapping)]
    return found[0] if found else None


def _denies_plain_http(document: str | None, bucket: str) -> bool:
    try:
        parsed = json.loads(document or "")
    except ValueError:
        return False
    statements = parsed.get("Statement", []) if isinstance(parsed, dict) else []
    arn = f"arn:aws:s3:::{bucket}"
    for statement in statements if isinstance(statements, list) else [statements]:
        if not isinstance(statement, dict) or statement.get("Effect") != "Deny":
            continue
        actions = statement.get("Action")
        condition = (statement.get("Condition") or {}).get("Bool") or {}
        covered = statement.get("Resource")
        covered = {covered} if isinstance(covered, str) else set(covered or ())
        if (
            actions in ("s3:*", ["s3:*"])
            and str(condition.get("aws:SecureTransport")).lower() == "false"
            and {arn, f"{arn}/*"} <= covered
        ):
            return True
    return False


def policies() -> Sequence[Policy]:
    return (
        stack_policy(
            S3_HARDENING,
            "every S3 bucket denies requests without TLS and enforces bucket ownership",
            _s3_hardening,
        ),
    )


def facts(declarations: Declarations) -> PolicyFacts:
    """The mirrors' project: the program creates its accounts, and it holds production data."""
    mirrors = declarations.model(COMPONENT, Mirrors)
    project = mirrors.artifact_registry.project if mirrors is not None else None
    projects = frozenset({project} if isinstance(project, str) else ())
    return PolicyFacts(projects=projects, production_projects=projects)


GUARDRAILS = GuardRails(
    policies=policies,
    facts=facts,
    public_reads=frozenset({REPOSITORY_READER}),
    production=frozenset({S3_BUCKET}),
    production_in_projects=frozenset({REPOSITORY, BUCKET}),
    uniform_access=frozenset({BUCKET}),
)
