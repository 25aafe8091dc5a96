"""How a first ``up`` takes over each live resource: imported under an id, or created.

One rule per Pulumi resource type the programs create. A resource whose
creation would fail because it exists (a project, a bucket, a repository...)
is imported, under the id its provider documents for ``pulumi import``,
derived from the planned inputs: the import preview then compares every
input with the live resource. A resource whose creation is idempotent is
created: adding an IAM member that is there, enabling an enabled service,
writing an S3 bucket's sub-configuration. A type without a rule is an
error, so a new type cannot slip into an adoption unseen.

Where a docstring of the installed provider has no "## Import" section, the
rule cites the Terraform provider's documentation of the same resource (the
Pulumi providers are bridged from it and take the same ids):
https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/<name>#import.
AWS resources outside the stack's region carry the region after an ``@``,
the form of the AWS provider's enhanced region support (provider 6 and
later; https://registry.terraform.io/providers/hashicorp/aws/latest/docs/guides/enhanced-region-support);
IAM is global and never qualified.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from infra.core.errors import K8sInfraError

Inputs = Mapping[str, Any]

GOOGLE_DOCS = "https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/"
DOCSTRING = "the class docstring's Import section"
# Components and providers are no cloud objects: registering them creates nothing.
LOGICAL_WHY = "a component or provider: no cloud object, nothing to import"


@dataclass(frozen=True)
class Target:
    """What an id needs beyond a resource's inputs: the stack's AWS region and account."""

    aws_region: str | None = None
    aws_account: str | None = None


@dataclass(frozen=True)
class Imported:
    """Imported under ``format`` filled from the inputs (``{live}``: the service's own id)."""

    format: str
    source: str
    defaults: Mapping[str, str] = field(default_factory=dict)
    regional: bool = False  # AWS: qualified with @region outside the stack's region
    find: str = ""  # for a `{live}` id: how a person finds it

    @property
    def needs_live_id(self) -> bool:
        return "{live}" in self.format

    @property
    def pattern(self) -> re.Pattern[str]:
        """The documented format as a pattern, for tests and for ids given by hand."""
        parts = []
        for literal, key, _, _ in string.Formatter().parse(self.format):
            parts.append(re.escape(literal))
            if key is not None:
                parts.append(_KEY_PATTERNS.get(key, r"[^/ @]+"))
        suffix = r"(@[a-z]{2}(-[a-z]+)+-[0-9])?" if self.regional else ""
        return re.compile("".join(parts) + suffix)


@dataclass(frozen=True)
class Created:
    """Created: the call that creates it succeeds, and changes nothing, when it exists."""

    why: str


Rule = Imported | Created

_KEY_PATTERNS = {
    "role": r"roles/[A-Za-z0-9_.]+",
    "serviceAccountId": r"projects/[^/ ]+/serviceAccounts/[^/ @]+@[^/ ]+",
    "live": r"[A-Za-z0-9_-]+",
    "url": r"[^ @]+",
    "account": r"[0-9]{12}",
}

_ADDITIVE = (
    "an additive IAM member: adding a member the policy holds changes nothing "
    "(read-modify-write of the policy), and no other member is touched"
)
_S3_PART = (
    "an S3 bucket sub-configuration: its PUT replaces the whole setting and succeeds "
    "whether or not one exists; the fidelity table in docs/design.md is its review"
)


def _docs(page: str) -> str:
    return GOOGLE_DOCS + page + "#import"


RULES: Mapping[str, Rule] = {
    # Google Cloud: projects, storage, registries, accounts
    "gcp:organizations/project:Project": Imported("{projectId}", DOCSTRING),
    "gcp:storage/bucket:Bucket": Imported("{project}/{name}", _docs("storage_bucket")),
    "gcp:artifactregistry/repository:Repository": Imported(
        "projects/{project}/locations/{location}/repositories/{repositoryId}", DOCSTRING
    ),
    "gcp:serviceaccount/account:Account": Imported(
        "projects/{project}/serviceAccounts/{accountId}@{project}.iam.gserviceaccount.com",
        _docs("service_account"),
    ),
    # Authoritative bindings are imported, never created: the import preview
    # compares the member list with the live one, so a binding that would
    # drop a live member stops the adoption instead of dropping it.
    "gcp:projects/iAMBinding:IAMBinding": Imported("{project} {role}", _docs("project_iam")),
    "gcp:projects/iAMAuditConfig:IAMAuditConfig": Imported(
        "{project} {service}", _docs("project_iam")
    ),
    "gcp:serviceaccount/iAMBinding:IAMBinding": Imported(
        "{serviceAccountId} {role}", _docs("service_account_iam")
    ),
    # the proxy: Cloud Run, the load balancer, the certificate, logs
    "gcp:cloudrunv2/service:Service": Imported(
        "projects/{project}/locations/{location}/services/{name}", DOCSTRING
    ),
    "gcp:compute/globalAddress:GlobalAddress": Imported(
        "projects/{project}/global/addresses/{name}", DOCSTRING
    ),
    "gcp:compute/globalForwardingRule:GlobalForwardingRule": Imported(
        "projects/{project}/global/forwardingRules/{name}", DOCSTRING
    ),
    "gcp:compute/backendService:BackendService": Imported(
        "projects/{project}/global/backendServices/{name}", DOCSTRING
    ),
    "gcp:compute/regionNetworkEndpointGroup:RegionNetworkEndpointGroup": Imported(
        "projects/{project}/regions/{region}/networkEndpointGroups/{name}", DOCSTRING
    ),
    "gcp:compute/securityPolicy:SecurityPolicy": Imported(
        "projects/{project}/global/securityPolicies/{name}", DOCSTRING
    ),
    "gcp:compute/targetHttpProxy:TargetHttpProxy": Imported(
        "projects/{project}/global/targetHttpProxies/{name}", DOCSTRING
    ),
    "gcp:compute/targetHttpsProxy:TargetHttpsProxy": Imported(
        "projects/{project}/global/targetHttpsProxies/{name}", DOCSTRING
    ),
    "gcp:compute/uRLMap:URLMap": Imported("projects/{project}/global/urlMaps/{name}", DOCSTRING),
    "gcp:certificatemanager/certificate:Certificate": Imported(
        "projects/{project}/locations/{location}/certificates/{name}",
        DOCSTRING,
        defaults={"location": "global"},
    ),
    "gcp:certificatemanager/certificateMap:CertificateMap": Imported(
        "projects/{project}/locations/global/certificateMaps/{name}", DOCSTRING
    ),
    "gcp:certificatemanager/certificateMapEntry:CertificateMapEntry": Imported(
        "projects/{project}/locations/global/certificateMaps/{map}/certificateMapEntries/{name}",
        DOCSTRING,
    ),
    "gcp:certificatemanager/dnsAuthorization:DnsAuthorization": Imported(
        "projects/{project}/locations/{location}/dnsAuthorizations/{name}",
        DOCSTRING,
        defaults={"location": "global"},
    ),
    "gcp:bigquery/dataset:Dataset": Imported("projects/{project}/datasets/{datasetId}", DOCSTRING),
    "gcp:logging/projectSink:ProjectSink": Imported("projects/{project}/sinks/{name}", DOCSTRING),
    # Named by the service when created: a second create makes a duplicate
    # (two alerts paging for one outage), so these are imported too, under
    # the id a person reads from the live project.
    "gcp:monitoring/alertPolicy:AlertPolicy": Imported(
        "projects/{project}/alertPolicies/{live}",
        DOCSTRING,
        find="gcloud alpha monitoring policies list --project={project} "
        "--filter='displayName=\"{displayName}\"' --format='value(name)'",
    ),
    "gcp:monitoring/notificationChannel:NotificationChannel": Imported(
        "projects/{project}/notificationChannels/{live}",
        DOCSTRING,
        find="gcloud beta monitoring channels list --project={project} "
        "--filter='displayName=\"{displayName}\"' --format='value(name)'",
    ),
    "gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig": Imported(
        "projects/{project}/uptimeCheckConfigs/{live}",
        DOCSTRING,
        find="gcloud monitoring uptime list-configs --project={project} "
        "--filter='displayName=\"{displayName}\"' --format='value(name)'",
    ),
    "gcp:serviceusage/consumerQuotaOverride:ConsumerQuotaOverride": Imported(
        "projects/{project}/services/{service}/consumerQuotaMetrics/{metric}/limits/{limit}"
        "/consumerOverrides/{live}",
        DOCSTRING,
        find="gcloud alpha services quota list --consumer=projects/{project} "
        "--service={service} --format=json (the override's name)",
    ),
    # Idempotent creations
    "gcp:projects/service:Service": Created(
        "enabling a service that is enabled changes nothing (and disableOnDestroy is off)"
    ),
    "gcp:projects/iAMMember:IAMMember": Created(_ADDITIVE),
    "gcp:serviceaccount/iAMMember:IAMMember": Created(_ADDITIVE),
    "gcp:storage/bucketIAMMember:BucketIAMMember": Created(_ADDITIVE),
    "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember": Created(_ADDITIVE),
    "gcp:cloudrunv2/serviceIamMember:ServiceIamMember": Created(_ADDITIVE),
    "gcp:bigquery/datasetIamMember:DatasetIamMember": Created(_ADDITIVE),
    # AWS
    "aws:s3/bucket:Bucket": Imported("{bucket}", DOCSTRING, regional=True),
    "aws:iam/role:Role": Imported("{name}", DOCSTRING),
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": Imported(
        "arn:aws:iam::{account}:oidc-provider/{url}", DOCSTRING
    ),
    "aws:iam/rolePolicy:RolePolicy": Created(
        "an inline role policy: PutRolePolicy replaces the policy of that name, existing or not"
    ),
    "aws:s3/bucketPolicy:BucketPolicy": Created(_S3_PART),
    "aws:s3/bucketVersioning:BucketVersioning": Created(_S3_PART),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": Created(_S3_PART),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": Created(_S3_PART),
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig": Created(_S3_PART),
    "aws:s3/bucketAcl:BucketAcl": Created(_S3_PART),
}


@dataclass(frozen=True)
class Step:
    """What the first ``up`` does with one planned resource."""

    urn: str
    type: str
    name: str
    action: Literal["import", "create"]
    id: str | None
    why: str


class AdoptionRefused(K8sInfraError):
    """The plan holds a resource adopt cannot take over (exit 1)."""


def rule_for(type_: str) -> Rule:
    rule = RULES.get(type_)
    if rule is None:
        raise AdoptionRefused(
            f"no adoption rule for the resource type `{type_}`",
            "add it to infra/adoption/ids.py: imported under its documented id, "
            "or created, with the reason its creation is idempotent",
        )
    return rule


def import_id(rule: Imported, inputs: Inputs, target: Target, live: str | None = None) -> str:
    """The id ``rule`` documents, filled from the inputs (and ``live``, the service's id)."""
    values: dict[str, str] = {**rule.defaults}
    for _, key, _, _ in string.Formatter().parse(rule.format):
        if key is None or key in values:
            continue
        values[key] = _value(key, inputs, target, live)
    formatted = rule.format.format(**values)
    region = inputs.get("region")
    if rule.regional and isinstance(region, str) and region != target.aws_region:
        formatted = f"{formatted}@{region}"
    return formatted


def _value(key: str, inputs: Inputs, target: Target, live: str | None) -> str:
    special: dict[str, Callable[[], str | None]] = {
        "live": lambda: live,
        "account": lambda: target.aws_account,
        "url": lambda: _plain(inputs.get("url")).removeprefix("https://"),
    }
    value = special[key]() if key in special else inputs.get(key)
    if not isinstance(value, str) or not value:
        raise AdoptionRefused(
            f"the input `{key}` is not known before the update ({value!r})",
            "an imported resource's id must follow from its declared inputs",
        )
    return value


def _plain(value: Any) -> str:
    return value if isinstance(value, str) else ""


def adoption_steps(
    resources: Sequence[Mapping[str, Any]], target: Target, live_ids: Mapping[str, str]
) -> list[Step]:
    """One step per managed resource of a plan, in plan order.

    ``live_ids`` gives, by resource name, the ids services generate (alert
    policies...); every one the plan needs must be there, and none else.
    """
    steps: list[Step] = []
    missing: list[str] = []
    used: set[str] = set()
    for resource in resources:
        if resource.get("mode") == "read":
            continue
        urn, type_, name = resource["urn"], resource["type"], resource["name"]
        if not resource["custom"] or type_.startswith("pulumi:providers:"):
            steps.append(Step(urn, type_, name, "create", None, LOGICAL_WHY))
            continue
        rule = rule_for(type_)
        if isinstance(rule, Created):
            steps.append(Step(urn, type_, name, "create", None, rule.why))
            continue
        live = live_ids.get(name)
        if rule.needs_live_id:
            if live is None:
                missing.append(f"{name}: {rule.find.format_map(_Lenient(resource['inputs']))}")
                continue
            used.add(name)
        steps.append(
            Step(
                urn,
                type_,
                name,
                "import",
                import_id(rule, resource["inputs"], target, live),
                rule.source,
            )
        )
    unused = sorted(set(live_ids) - used)
    if unused:
        raise AdoptionRefused(
            "--id names no resource whose id the service generates: " + ", ".join(unused),
            "give --id only for the resources adopt asks for, by the name it prints",
        )
    if missing:
        raise AdoptionRefused(
            f"{len(missing)} resource(s) carry an id the service generated: " + "; ".join(missing),
            "find each with the command shown and pass --id NAME=ID (the last part of its name)",
        )
    return steps


class _Lenient(dict[str, Any]):
    """Inputs for a hint: a missing key stays a placeholder."""

    def __init__(self, inputs: Inputs) -> None:
        super().__init__(inputs)

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
