"""The facts of the Google resource types several concerns create, declared once.

Projects and their services, buckets, Artifact Registry repositories,
service accounts, and the IAM members and bindings on them. Each concern's
``resources.py`` lists those it creates next to its own types (see
``infra.declarations.resources`` for the vocabulary and the provider
versions the replacement entries were read from).
"""

from __future__ import annotations

from infra.declarations.resources import (
    DOCSTRING,
    Created,
    GrantsOn,
    Imported,
    Inputs,
    Key,
    PlanContext,
    ResourceFacts,
    google_docs,
    joined,
    replaced_by,
    shown,
    stable_number,
    values,
)

ADDITIVE_IAM = (
    "an additive IAM member: adding a member the policy holds changes nothing "
    "(read-modify-write of the policy), and no other member is touched"
)
_MEMBER = "google-beta/tpgiamresource/resource_iam_member.go"
_BINDING = "google-beta/tpgiamresource/resource_iam_binding.go"


def _sa_email(i: Inputs, _n: str, _c: PlanContext) -> str:
    return f"{i.get('accountId')}@{i.get('project')}.iam.gserviceaccount.com"


def _account_name(inputs: Inputs) -> str:
    """``projects/P/serviceAccounts/EMAIL`` -> ``EMAIL``."""
    value = shown(inputs.get("serviceAccountId"))
    return value.rsplit("/", 1)[-1] if value.startswith("projects/") else value


def _account_of(inputs: Inputs) -> Key:
    """``projects/P/serviceAccounts/NAME@...`` -> (P, NAME)."""
    parts = str(inputs.get("serviceAccountId", "")).split("/")
    if len(parts) == 4 and parts[0] == "projects":
        return (parts[1], parts[3].split("@")[0])
    return ("", "")


# --- Projects, services, IAM ---------------------------------------------------

PROJECT = ResourceFacts(
    "gcp:organizations/project:Project",
    adoption=Imported("{projectId}", DOCSTRING),
    # orgId and folderId move the project; billingAccount and name update it
    replacement=replaced_by(
        "projectId",
        "tags",
        source="google-beta/services/resourcemanager/resource_google_project.go",
    ),
    placeholders={"number": lambda i, _n, _c: stable_number(str(i.get("projectId")))},
    key=values("projectId"),
    stateful=True,
)
PROJECT_SERVICE = ResourceFacts(
    "gcp:projects/service:Service",
    adoption=Created(
        "enabling a service that is enabled changes nothing (and disableOnDestroy is off)"
    ),
    replacement=replaced_by(
        "project",
        "service",
        source="google-beta/services/resourcemanager/resource_google_project_service.go",
    ),
)
PROJECT_IAM_MEMBER = ResourceFacts(
    "gcp:projects/iAMMember:IAMMember",
    adoption=Created(ADDITIVE_IAM),
    replacement=replaced_by(
        "project",
        "role",
        "member",
        "condition",
        source=("google-beta/services/resourcemanager/iam_project.go", _MEMBER),
    ),
    grants_on=GrantsOn(PROJECT.token, values("project"), "project", "project", joined("project")),
)
# Authoritative bindings are imported, never created: the import preview
# compares the member list with the live one, so a binding that would drop a
# live member stops the adoption instead of dropping it.
PROJECT_IAM_BINDING = ResourceFacts(
    "gcp:projects/iAMBinding:IAMBinding",
    adoption=Imported("{project} {role}", google_docs("project_iam")),
    replacement=replaced_by(
        "project",
        "role",
        "condition",
        source=("google-beta/services/resourcemanager/iam_project.go", _BINDING),
    ),
    grants_on=GrantsOn(
        PROJECT.token,
        values("project"),
        "project",
        "project",
        joined("project"),
        authoritative=True,
    ),
)

# --- Service accounts ------------------------------------------------------------

SERVICE_ACCOUNT = ResourceFacts(
    "gcp:serviceaccount/account:Account",
    adoption=Imported(
        "projects/{project}/serviceAccounts/{accountId}@{project}.iam.gserviceaccount.com",
        google_docs("service_account"),
    ),
    replacement=replaced_by(
        "project",
        "accountId",
        source="google-beta/services/resourcemanager/resource_google_service_account.go",
    ),
    placeholders={
        "email": _sa_email,
        "member": lambda i, n, c: "serviceAccount:" + _sa_email(i, n, c),
        "name": lambda i, n, c: f"projects/{i.get('project')}/serviceAccounts/{_sa_email(i, n, c)}",
        "uniqueId": lambda i, _n, _c: stable_number(
            str(i.get("project")), str(i.get("accountId")), digits=21
        ),
    },
    key=values("project", "accountId"),
    stateful=True,
)
SERVICE_ACCOUNT_IAM_MEMBER = ResourceFacts(
    "gcp:serviceaccount/iAMMember:IAMMember",
    adoption=Created(ADDITIVE_IAM),
    replacement=replaced_by(
        "serviceAccountId",
        "role",
        "member",
        "condition",
        source=("google-beta/services/resourcemanager/iam_service_account.go", _MEMBER),
    ),
    grants_on=GrantsOn(
        SERVICE_ACCOUNT.token, _account_of, "service account", "service account", _account_name
    ),
)
SERVICE_ACCOUNT_IAM_BINDING = ResourceFacts(
    "gcp:serviceaccount/iAMBinding:IAMBinding",
    adoption=Imported("{serviceAccountId} {role}", google_docs("service_account_iam")),
    replacement=replaced_by(
        "serviceAccountId",
        "role",
        "condition",
        source=("google-beta/services/resourcemanager/iam_service_account.go", _BINDING),
    ),
    grants_on=GrantsOn(
        SERVICE_ACCOUNT.token,
        _account_of,
        "service account",
        "service account",
        _account_name,
        authoritative=True,
    ),
)

# --- Cloud Storage ---------------------------------------------------------------

BUCKET = ResourceFacts(
    "gcp:storage/bucket:Bucket",
    adoption=Imported("{project}/{name}", google_docs("storage_bucket")),
    # also replaced when a locked retention policy changes (ForceNewIfChange)
    replacement=replaced_by(
        "project",
        "name",
        "location",
        "enableObjectRetention",
        "customPlacementConfig.dataLocations",
        "hierarchicalNamespace",
        source="google-beta/services/storage/resource_storage_bucket.go",
    ),
    placeholders={
        "url": lambda i, _n, _c: f"gs://{i.get('name')}",
        "selfLink": lambda i, _n, _c: f"https://www.googleapis.com/storage/v1/b/{i.get('name')}",
    },
    key=values("name"),
    stateful=True,
)
BUCKET_IAM_MEMBER = ResourceFacts(
    "gcp:storage/bucketIAMMember:BucketIAMMember",
    adoption=Created(ADDITIVE_IAM),
    replacement=replaced_by(
        "bucket",
        "role",
        "member",
        "condition",
        source=("google-beta/services/storage/iam_storage_bucket.go", _MEMBER),
    ),
    grants_on=GrantsOn(BUCKET.token, values("bucket"), "bucket", "bucket", joined("bucket")),
)

# --- Artifact Registry -------------------------------------------------------------

REPOSITORY = ResourceFacts(
    "gcp:artifactregistry/repository:Repository",
    adoption=Imported(
        "projects/{project}/locations/{location}/repositories/{repositoryId}", DOCSTRING
    ),
    replacement=replaced_by(
        "project",
        "location",
        "repositoryId",
        "format",
        "mode",
        "kmsKeyName",
        "mavenConfig.allowSnapshotOverwrites",
        "mavenConfig.versionPolicy",
        "remoteRepositoryConfig",
        source=(
            "google-beta/services/artifactregistry/resource_artifact_registry_repository.go",
            "mmv1/products/artifactregistry/Repository.yaml",
        ),
    ),
    placeholders={
        "name": lambda i, _n, _c: (
            f"projects/{i.get('project')}/locations/{i.get('location')}"
            f"/repositories/{i.get('repositoryId')}"
        ),
        "registryUri": lambda i, _n, _c: (
            f"{i.get('location')}-docker.pkg.dev/{i.get('project')}/{i.get('repositoryId')}"
        ),
    },
    key=values("project", "location", "repositoryId"),
    stateful=True,
)
REPOSITORY_IAM_MEMBER = ResourceFacts(
    "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember",
    adoption=Created(ADDITIVE_IAM),
    replacement=replaced_by(
        "project",
        "location",
        "repository",
        "role",
        "member",
        "condition",
        source=(
            "google-beta/services/artifactregistry/iam_artifact_registry_repository.go",
            _MEMBER,
        ),
    ),
    grants_on=GrantsOn(
        REPOSITORY.token,
        values("project", "location", "repository"),
        "repository",
        "repository",
        joined("project", "location", "repository"),
    ),
)
