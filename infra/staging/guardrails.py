"""The guard rails of per-project staging: what the generic ones need, and its own.

Staging projects hold public registries and buckets, and are projects the
program creates (their service accounts are known members). Its own rail
refuses the container scanning APIs (refused for cost upstream) wherever
a stack would enable them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from infra.crossguard import Policy, Violation, is_grant, resource_policy, text
from infra.declarations.guardrails import GuardRails, PolicyFacts
from infra.staging.model import SECTION, refused_services

if TYPE_CHECKING:
    from pulumi_policy import ResourceValidationArgs

    from infra.declarations.loaded import Declarations

PROJECT = "gcp:organizations/project:Project"
SERVICE = "gcp:projects/service:Service"
BUCKET = "gcp:storage/bucket:Bucket"
REPOSITORY_READER = (
    "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember",
    "roles/artifactregistry.reader",
)
BUCKET_READER = ("gcp:storage/bucketIAMMember:BucketIAMMember", "roles/storage.objectViewer")

SCANNING_APIS = "no-scanning-apis"
# The scanning service agents' roles (their holders were removed from staging
# projects upstream, infra/gcp/bash/ensure-staging-storage.sh@0c645368).
SCANNING_AGENT_ROLES = frozenset(
    {"roles/containeranalysis.ServiceAgent", "roles/containerscanning.ServiceAgent"}
)


def _scanning_apis(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[Violation]:
    if is_grant(args.resource_type):
        role = text(args.props.get("role"))
        if role in SCANNING_AGENT_ROLES:
            yield (f"grants {role}: no scanning runs here, so no agent needs it",
                   "remove the grant (upstream removed every holder in staging)")  # fmt: skip
        return
    if args.resource_type != SERVICE:
        return
    service = text(args.props.get("service"))
    if service in config.get("refused", ()):
        yield (f"enables {service}, which scans every image pushed and is refused for cost",
               "remove the API from the declarations")  # fmt: skip


def policies() -> Sequence[Policy]:
    return (
        resource_policy(
            SCANNING_APIS,
            "the container scanning APIs are never enabled, and nothing holds their agents' roles",
            _scanning_apis,
            {"refused": "array"},
        ),
    )


def facts(declarations: Declarations) -> PolicyFacts:
    """Its projects (their accounts are members the program creates), and the refused APIs."""
    return PolicyFacts(
        projects=frozenset(p.project_id for p in declarations.estate.projects(SECTION)),
        own={SCANNING_APIS: {"refused": sorted(refused_services())}},
    )


GUARDRAILS = GuardRails(
    policies=policies,
    facts=facts,
    public_reads=frozenset({REPOSITORY_READER, BUCKET_READER}),
    production=frozenset({PROJECT}),
    uniform_access=frozenset({BUCKET}),
)
