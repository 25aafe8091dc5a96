"""The facts of the resource types the registry mirrors create (see
``infra.declarations.resources``): the S3 buckets and their settings, the
writer's AWS role and identity provider, the audit configuration and the
quota override of the Artifact Registry project; plus the shared Google types
it uses (repositories, accounts, IAM).
"""

from __future__ import annotations

from infra.declarations.google_resources import (
    PROJECT_IAM_BINDING,
    PROJECT_SERVICE,
    REPOSITORY,
    REPOSITORY_IAM_MEMBER,
    SERVICE_ACCOUNT,
    SERVICE_ACCOUNT_IAM_BINDING,
)
from infra.declarations.resources import (
    DOCSTRING,
    Created,
    GrantDocument,
    Imported,
    Inputs,
    ResourceFacts,
    google_docs,
    replaced_by,
)

_S3_PART = Created(
    "an S3 bucket sub-configuration: its PUT replaces the whole setting and succeeds "
    "whether or not one exists; the fidelity table in docs/design.md is its review"
)
_REGION = "internal/provider/sdkv2/region.go"


def _oidc_host(i: Inputs) -> str:
    return str(i.get("url", "")).removeprefix("https://")


def _s3_part(
    token: str, source: str, *replace: str, grants: GrantDocument | None = None
) -> ResourceFacts:
    """A bucket's sub-configuration: replaced with its bucket or its region."""
    return ResourceFacts(
        token,
        adoption=_S3_PART,
        replacement=replaced_by(
            "bucket", *replace, "region", source=(f"internal/service/s3/{source}.go", _REGION)
        ),
        grant_document=grants,
    )


# --- Google: the Artifact Registry project --------------------------------------------

AUDIT_CONFIG = ResourceFacts(
    "gcp:projects/iAMAuditConfig:IAMAuditConfig",
    adoption=Imported("{project} {service}", google_docs("project_iam")),
    # `service` and the log configs are updated in the project's policy
    replacement=replaced_by(
        "project",
        source=(
            "google-beta/services/resourcemanager/iam_project.go",
            "google-beta/tpgiamresource/resource_iam_audit_config.go",
        ),
    ),
)
QUOTA_OVERRIDE = ResourceFacts(
    "gcp:serviceusage/consumerQuotaOverride:ConsumerQuotaOverride",
    adoption=Imported(
        "projects/{project}/services/{service}/consumerQuotaMetrics/{metric}/limits/{limit}"
        "/consumerOverrides/{live}",
        DOCSTRING,
        find="gcloud alpha services quota list --consumer=projects/{project} "
        "--service={service} --format=json (the override's name)",
    ),
    replacement=replaced_by(
        "project",
        "service",
        "metric",
        "limit",
        "dimensions",
        source=(
            "google-beta/services/serviceusage/resource_service_usage_consumer_quota_override.go",
            "mmv1/products/serviceusage/ConsumerQuotaOverride.yaml",
        ),
    ),
)

# --- AWS: the S3 mirrors ------------------------------------------------------------------

S3_BUCKET = ResourceFacts(
    "aws:s3/bucket:Bucket",
    adoption=Imported("{bucket}", DOCSTRING, regional=True),
    replacement=replaced_by(
        "bucket",
        "bucketPrefix",
        "objectLockEnabled",
        "region",
        source=("internal/service/s3/bucket.go", _REGION),
    ),
    placeholders={
        "arn": lambda i, _n, _c: f"arn:aws:s3:::{i.get('bucket')}",
        "bucketRegionalDomainName": lambda i, _n, _c: (
            f"{i.get('bucket')}.s3.{i.get('region')}.amazonaws.com"
        ),
    },
    stateful=True,
)
S3_OWNERSHIP = _s3_part(
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "bucket_ownership_controls"
)
S3_POLICY = _s3_part(
    "aws:s3/bucketPolicy:BucketPolicy", "bucket_policy", grants=GrantDocument.S3_BUCKET_POLICY
)
S3_PUBLIC_ACCESS = _s3_part(
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "bucket_public_access_block"
)
S3_REPLICATION = _s3_part(
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig", "bucket_replication_configuration"
)
S3_VERSIONING = _s3_part(
    "aws:s3/bucketVersioning:BucketVersioning", "bucket_versioning", "expectedBucketOwner"
)
# Not created today (the mirrors' objects are public through the bucket policy);
# kept so that an adoption meeting one knows how.
S3_ACL = ResourceFacts("aws:s3/bucketAcl:BucketAcl", adoption=_S3_PART)

# --- AWS: the writer's role ----------------------------------------------------------------

OIDC_PROVIDER = ResourceFacts(
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
    adoption=Imported("arn:aws:iam::{account}:oidc-provider/{url}", DOCSTRING),
    # IAM is global (no region); client ids and thumbprints are updated in place
    replacement=replaced_by("url", source="internal/service/iam/openid_connect_provider.go"),
    placeholders={
        "arn": lambda i, _n, c: f"arn:aws:iam::{c.aws_account_id}:oidc-provider/{_oidc_host(i)}",
    },
)
ROLE = ResourceFacts(
    "aws:iam/role:Role",
    adoption=Imported("{name}", DOCSTRING),
    replacement=replaced_by("name", "namePrefix", "path", source="internal/service/iam/role.go"),
    placeholders={
        "arn": lambda i, _n, c: f"arn:aws:iam::{c.aws_account_id}:role/{i.get('name')}",
    },
    grant_document=GrantDocument.AWS_ROLE_TRUST,
)
ROLE_POLICY = ResourceFacts(
    "aws:iam/rolePolicy:RolePolicy",
    adoption=Created(
        "an inline role policy: PutRolePolicy replaces the policy of that name, existing or not"
    ),
    grant_document=GrantDocument.AWS_ROLE_POLICY,
    replacement=replaced_by(
        "name", "namePrefix", "role", source="internal/service/iam/role_policy.go"
    ),
)

RESOURCES: tuple[ResourceFacts, ...] = (
    PROJECT_SERVICE,
    PROJECT_IAM_BINDING,
    AUDIT_CONFIG,
    QUOTA_OVERRIDE,
    REPOSITORY,
    REPOSITORY_IAM_MEMBER,
    SERVICE_ACCOUNT,
    SERVICE_ACCOUNT_IAM_BINDING,
    S3_BUCKET,
    S3_OWNERSHIP,
    S3_POLICY,
    S3_PUBLIC_ACCESS,
    S3_REPLICATION,
    S3_VERSIONING,
    S3_ACL,
    OIDC_PROVIDER,
    ROLE,
    ROLE_POLICY,
)
