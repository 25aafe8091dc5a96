"""Small inventories in the planner's JSON shape, one passing and one violating per policy.

Shared by the offline tests and by the agreement test, which runs the same
inventories through the policy pack's analyzer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

STACK = "registry-prod"
PROJECT = "k8s-infra-oci-proxy-prod"
UNKNOWN = {"$unknown": "gcp:artifactregistry/repository:Repository.name"}

# What the declarations would give the policies (see infra.guardrails.settings).
CONFIG: dict[str, dict[str, Any]] = {
    "public-grants": {"declared": [
        {"stack": STACK, "type": "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember",
         "properties": {"role": "roles/artifactregistry.reader", "member": "allUsers"},
         "role": "roles/artifactregistry.reader"},
        {"stack": STACK, "type": "gcp:cloudrunv2/serviceIamMember:ServiceIamMember",
         "properties": {"role": "roles/run.invoker", "member": "allUsers"},
         "role": "roles/run.invoker"},
    ]},
    "privileged-roles": {"allowed": [f"serviceAccount:owner@{PROJECT}.iam.gserviceaccount.com"]},
    "production-data-protected": {"mirror_projects": ["k8s-artifacts-prod"]},
    "no-scanning-apis": {"refused": ["containeranalysis.googleapis.com"]},
    "member-sources": {
        "groups": ["admins@kubernetes.io"],
        "projects": [PROJECT],
        "listed": ["serviceAccount:prow-build@k8s-infra-prow-build.iam.gserviceaccount.com"],
        "pools": ["k8s-infra-prow-build-trusted"],
        "people": [{"stack": STACK, "resource": "allowed-person", "role": "roles/viewer",
                    "member": "user:allowed@example.com"}],
    },
}  # fmt: skip


def resource(
    type_: str,
    name: str,
    inputs: dict[str, Any],
    *,
    protect: bool = False,
    parent: str | None = None,
) -> dict[str, Any]:
    return {
        "urn": f"urn:pulumi:{STACK}::k8s-infra::{type_}::{name}",
        "type": type_,
        "name": name,
        "custom": True,
        "mode": "managed",
        "parent": parent,
        "provider": None,
        "protect": protect,
        "retain_on_delete": False,
        "depends_on": [],
        "inputs": inputs,
    }


def plan(*resources: dict[str, Any]) -> dict[str, Any]:
    return {"stack": STACK, "resources": list(resources), "outputs": {}}


REPO_MEMBER = "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember"
PROJECT_MEMBER = "gcp:projects/iAMMember:IAMMember"
RUN = "gcp:cloudrunv2/service:Service"


def grant(type_: str, name: str, member: str, role: str, **where: Any) -> dict[str, Any]:
    return resource(type_, name, {"member": member, "role": role, "project": PROJECT, **where})


def run_service(name: str, image: str) -> dict[str, Any]:
    return resource(RUN, name, {"name": name, "location": "us-central1", "project": PROJECT,
                                "template": {"containers": [{"image": image}]}})  # fmt: skip


DIGEST = "sha256:" + "a" * 64
IMAGE = f"us-central1-docker.pkg.dev/k8s-staging-images/infra-tools/archeio@{DIGEST}"
ARMOR_LINK = (
    f"https://www.googleapis.com/compute/v1/projects/{PROJECT}/global/securityPolicies/armor"
)
NEG_LINK = (f"https://www.googleapis.com/compute/v1/projects/{PROJECT}/regions/us-central1/"
            "networkEndpointGroups/proxy-neg")  # fmt: skip


def proxy(security_policy: str | None, image: str = IMAGE) -> dict[str, Any]:
    backend: dict[str, Any] = {"backends": [{"group": NEG_LINK}], "name": "bes"}
    if security_policy is not None:
        backend["securityPolicy"] = security_policy
    return plan(
        run_service("proxy", image),
        resource("gcp:compute/regionNetworkEndpointGroup:RegionNetworkEndpointGroup", "neg",
                 {"cloudRun": {"service": "proxy"}, "name": "proxy-neg", "region": "us-central1"}),
        resource("gcp:compute/securityPolicy:SecurityPolicy", "armor", {"name": "armor"}),
        resource("gcp:compute/backendService:BackendService", "bes", backend),
    )  # fmt: skip


def s3(statements: list[dict[str, Any]], ownership: str) -> dict[str, Any]:
    import json

    arn = "arn:aws:s3:::mirror"
    document = {"Version": "2012-10-17", "Statement": statements}
    return plan(
        resource("aws:s3/bucket:Bucket", "mirror", {"bucket": "mirror"}, protect=True),
        resource("aws:s3/bucketPolicy:BucketPolicy", "mirror-policy",
                 {"bucket": "mirror", "policy": json.dumps(document).replace("ARN", arn)}),
        resource("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "mirror-ownership",
                 {"bucket": "mirror", "rule": {"objectOwnership": ownership}}),
    )  # fmt: skip


TLS_DENY = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["ARN", "ARN/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}  # fmt: skip
PUBLIC_READ = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "ARN/*"}


@dataclass(frozen=True)
class Case:
    policy: str
    passing: dict[str, Any]
    violating: dict[str, Any]
    violation: str  # a piece of the violation's message


CASES = (
    Case("public-grants",
         plan(grant(REPO_MEMBER, "images-public-read", "allUsers", "roles/artifactregistry.reader"),
              grant("gcp:cloudrunv2/serviceIamMember:ServiceIamMember", "proxy-invoker",
                    "allUsers", "roles/run.invoker")),
         plan(grant(REPO_MEMBER, "images-public-read", "allUsers", "roles/artifactregistry.writer"),
              grant(REPO_MEMBER, "images-reader", "allAuthenticatedUsers",
                    "roles/artifactregistry.reader")),
         "allUsers roles/artifactregistry.writer"),
    Case("privileged-roles",
         plan(grant(PROJECT_MEMBER, "owners", "group:admins@kubernetes.io", "roles/owner"),
              grant(PROJECT_MEMBER, "owner-account",
                    "serviceAccount:owner@k8s-infra-oci-proxy-prod.iam.gserviceaccount.com",
                    "roles/owner")),
         plan(grant(PROJECT_MEMBER, "editor",
                    "serviceAccount:proxy@k8s-infra-oci-proxy-prod.iam.gserviceaccount.com",
                    "roles/editor")),
         "roles/editor to serviceAccount:proxy@"),
    Case("no-service-account-keys",
         plan(resource("gcp:serviceaccount/account:Account", "proxy", {"accountId": "proxy"})),
         plan(resource("gcp:serviceaccount/key:Key", "proxy-key", {"serviceAccountId": "proxy"})),
         "long-lived key"),
    Case("uniform-bucket-access",
         plan(resource("gcp:storage/bucket:Bucket", "logs", {"uniformBucketLevelAccess": True})),
         plan(resource("gcp:storage/bucket:Bucket", "logs", {"name": "logs"})),
         "uniform bucket-level access"),
    Case("s3-bucket-hardening",
         s3([PUBLIC_READ, TLS_DENY], "BucketOwnerEnforced"),
         s3([PUBLIC_READ, {**TLS_DENY, "Resource": "ARN/*"}], "ObjectWriter"),
         "allows requests without TLS"),
    Case("production-data-protected",
         plan(resource("gcp:compute/globalAddress:GlobalAddress", "ipv4", {}, protect=True),
              resource("gcp:artifactregistry/repository:Repository", "staging-images",
                       {"project": "k8s-staging-foo"})),
         plan(resource("gcp:artifactregistry/repository:Repository", "mirror",
                       {"project": "k8s-artifacts-prod"})),
         "not protected"),
    Case("no-scanning-apis",
         plan(resource("gcp:projects/service:Service", "run", {"service": "run.googleapis.com"})),
         plan(resource("gcp:projects/service:Service", "scan",
                       {"service": "containeranalysis.googleapis.com"})),
         "enables containeranalysis.googleapis.com"),
    Case("proxy-image-pinned",
         proxy(ARMOR_LINK),
         proxy(ARMOR_LINK, IMAGE.replace(f"@{DIGEST}", ":v1.0")),
         "not pinned to a digest"),
    Case("proxy-behind-armor",
         proxy(ARMOR_LINK),
         proxy(None),
         "not behind the Cloud Armor policy"),
    Case("member-sources",
         plan(grant(PROJECT_MEMBER, "a", "group:admins@kubernetes.io", "roles/viewer"),
              grant(PROJECT_MEMBER, "b",
                    "serviceAccount:proxy@k8s-infra-oci-proxy-prod.iam.gserviceaccount.com",
                    "roles/viewer"),
              grant(PROJECT_MEMBER, "c", "serviceAccount:123@cloudbuild.gserviceaccount.com",
                    "roles/viewer"),
              grant(PROJECT_MEMBER, "d",
                    "serviceAccount:k8s-infra-prow-build-trusted.svc.id.goog[test-pods/x]",
                    "roles/viewer"),
              grant(PROJECT_MEMBER, "e",
                    "principal://iam.googleapis.com/projects/1/locations/global/workloadIdentity"
                    "Pools/k8s-infra-prow-build-trusted.svc.id.goog/subject/ns/test-pods/sa/x",
                    "roles/viewer"),
              grant(PROJECT_MEMBER, "f",
                    "serviceAccount:prow-build@k8s-infra-prow-build.iam.gserviceaccount.com",
                    "roles/viewer")),
         plan(grant(PROJECT_MEMBER, "a", "group:strangers@kubernetes.io", "roles/viewer"),
              grant(PROJECT_MEMBER, "b", "user:someone@example.com", "roles/viewer"),
              grant(PROJECT_MEMBER, "c",
                    "serviceAccount:service-1@container-analysis.iam.gserviceaccount.com",
                    "roles/containeranalysis.ServiceAgent"),
              grant(PROJECT_MEMBER, "d",
                    "serviceAccount:x@elsewhere-project.iam.gserviceaccount.com", "roles/viewer")),
         "group `strangers@kubernetes.io` is declared in no groups.yaml"),
)  # fmt: skip
