"""The guard rails, as CrossGuard policies: the one definition both paths run.

Each policy reads every value it needs before it reports anything: reading
a value unknown at preview time raises ``UnknownValueError`` (pulumi-policy's
unknown-checking proxy), and the pack then reports the policy as not run
for that resource. Reading first means such a resource gets no verdict at
all, never a half one, offline and in a preview alike.

Never build a ``PolicyPack`` here: it starts a server. ``policy-pack/`` does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from infra.core.iam import PUBLIC_MEMBERS, group_address
from infra.guardrails import members
from infra.guardrails import settings as names

PACK_NAME = "k8s-infra-guardrails"

REPOSITORY = "gcp:artifactregistry/repository:Repository"
BUCKET = "gcp:storage/bucket:Bucket"
PROJECT = "gcp:organizations/project:Project"
SERVICE = "gcp:projects/service:Service"
CLOUD_RUN = "gcp:cloudrunv2/service:Service"
NEG = "gcp:compute/regionNetworkEndpointGroup:RegionNetworkEndpointGroup"
BACKEND = "gcp:compute/backendService:BackendService"
ARMOR = "gcp:compute/securityPolicy:SecurityPolicy"
S3_BUCKET = "aws:s3/bucket:Bucket"
S3_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
S3_OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"

# The only grants the public may hold, each on a resource declared public.
PUBLIC_ROLES = frozenset({
    ("gcp:artifactregistry/repositoryIamMember:RepositoryIamMember",
     "roles/artifactregistry.reader"),
    ("gcp:storage/bucketIAMMember:BucketIAMMember", "roles/storage.objectViewer"),
    ("gcp:cloudrunv2/serviceIamMember:ServiceIamMember", "roles/run.invoker"),
})  # fmt: skip
KEY_TYPES = frozenset({"gcp:serviceaccount/key:Key", "aws:iam/accessKey:AccessKey"})
# Data that cannot be made again: protected, so no change can delete it.
ALWAYS_PRODUCTION = frozenset({
    PROJECT,
    S3_BUCKET,
    "gcp:compute/globalAddress:GlobalAddress",
    "gcp:certificatemanager/certificate:Certificate",
})  # fmt: skip
# The scanning service agents' roles (their holders were removed from staging
# projects upstream, infra/gcp/bash/ensure-staging-storage.sh@0c645368).
SCANNING_AGENT_ROLES = frozenset(
    {"roles/containeranalysis.ServiceAgent", "roles/containerscanning.ServiceAgent"}
)
_IAM_GRANT = re.compile(r"iam(member|binding)$", re.IGNORECASE)
_DIGEST = re.compile(r"@sha256:[0-9a-f]{64}")

Violation = tuple[str, str]  # what is wrong, and the fix
Judge = Callable[[ResourceValidationArgs, Mapping[str, Any]], Iterable[Violation]]
StackViolation = tuple[str, str, str]  # urn, what is wrong, the fix
StackJudge = Callable[[Sequence[PolicyResource], Mapping[str, Any]], Iterable[StackViolation]]


def report_text(message: str, fix: str) -> str:
    return f"{message} (fix: {fix})"


def _resource_policy(
    name: str, description: str, judge: Judge, config: Mapping[str, str] | None = None
) -> ResourceValidationPolicy:
    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        found = list(judge(args, args.get_config()))  # every read before any report
        for message, fix in found:
            report(report_text(message, fix), None)

    return ResourceValidationPolicy(
        name=name,
        description=description,
        validate=validate,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=_schema(config),
    )


def _stack_policy(
    name: str, description: str, judge: StackJudge, config: Mapping[str, str] | None = None
) -> StackValidationPolicy:
    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        found = list(judge(args.resources, args.get_config()))
        for urn, message, fix in found:
            report(report_text(message, fix), urn)

    return StackValidationPolicy(
        name=name,
        description=description,
        validate=validate,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=_schema(config),
    )


def _schema(config: Mapping[str, str] | None) -> PolicyConfigSchema | None:
    """Each property a JSON type (`array`, `object`), as the CLI checks the config file."""
    if not config:
        return None
    return PolicyConfigSchema({key: {"type": kind} for key, kind in config.items()})


# -- reading inputs through the proxy -----------------------------------------


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _items(value: Any) -> list[Any]:
    """The items of a list input (reading each, so an unknown one raises)."""
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [value[i] for i in range(len(value))]
    return []


def _members(props: Mapping[str, Any]) -> list[str]:
    found = [_text(props.get("member"))] + [_text(m) for m in _items(props.get("members"))]
    return [m for m in found if m]


def _is_grant(resource_type: str) -> bool:
    return _IAM_GRANT.search(resource_type.rsplit(":", 1)[-1]) is not None


def stack_of(urn: str) -> str:
    """``urn:pulumi:<stack>::<project>::...`` -> the stack."""
    return urn.split("::", 1)[0].rsplit(":", maxsplit=1)[-1]


# -- the policies ---------------------------------------------------------------


def _public_grants(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[Violation]:
    if not _is_grant(args.resource_type):
        return
    public = sorted(set(_members(args.props)) & PUBLIC_MEMBERS)
    role = _text(args.props.get("role"))
    for member in public:
        if (args.resource_type, role) not in PUBLIC_ROLES:
            yield (f"grants {member} {role} on a {args.resource_type.rsplit(':', 1)[-1]}; the "
                   "public may only read registries and public buckets and invoke the proxy",
                   "remove the grant")  # fmt: skip
            continue
        declared = any(
            entry.get("stack") == stack_of(args.urn)
            and entry.get("role") in (None, role)
            and _has_inputs(args, entry)
            for entry in config.get("declared", ())
        )
        if not declared:
            yield (f"grants {member} {role} on a resource not declared public",
                   "declare it public: a `standing: true` `public` entry of "
                   "infra/allowed-changes.yaml naming its type and exact properties (role, "
                   "member...), reviewed with the change")  # fmt: skip


def _has_inputs(args: ResourceValidationArgs, entry: Mapping[str, Any]) -> bool:
    """Whether the resource is of the entry's type, with exactly the entry's properties."""
    properties = entry.get("properties")
    if entry.get("type") != args.resource_type or not isinstance(properties, Mapping):
        return False
    return all(args.props.get(key) == value for key, value in properties.items())


def _privileged_roles(
    args: ResourceValidationArgs, config: Mapping[str, Any]
) -> Iterator[Violation]:
    if not _is_grant(args.resource_type):
        return
    role = _text(args.props.get("role"))
    if role not in names.PRIVILEGED:
        return  # the members of other grants are not this policy's to read
    for member in _members(args.props):
        if group_address(member) is None and member not in config.get("allowed", ()):
            yield (f"grants {role} to {member}: only groups (and members the declarations "
                   "name as owners) may own or edit a project",
                   f"grant {role} to a declared group, or a narrower role to {member}")  # fmt: skip


def _service_account_keys(
    args: ResourceValidationArgs, _config: Mapping[str, Any]
) -> Iterator[Violation]:
    if args.resource_type in KEY_TYPES:
        yield ("creates a long-lived key for an account",
               "use workload identity or impersonation; never a key")  # fmt: skip


def _uniform_access(
    args: ResourceValidationArgs, _config: Mapping[str, Any]
) -> Iterator[Violation]:
    if args.resource_type == BUCKET and args.props.get("uniformBucketLevelAccess") is not True:
        yield ("the bucket does not have uniform bucket-level access: object ACLs could "
               "grant what IAM does not show", "set uniform_bucket_level_access=True")  # fmt: skip


def _production_data(
    args: ResourceValidationArgs, config: Mapping[str, Any]
) -> Iterator[Violation]:
    held = args.resource_type in ALWAYS_PRODUCTION
    if args.resource_type in (REPOSITORY, BUCKET):
        held = _text(args.props.get("project")) in config.get("mirror_projects", ())
    if held and not args.opts.protect:
        yield ("holds production data and is not protected: a change could delete it",
               "create it with ResourceOptions(protect=True)")  # fmt: skip


def _scanning_apis(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[Violation]:
    if _is_grant(args.resource_type):
        role = _text(args.props.get("role"))
        if role in SCANNING_AGENT_ROLES:
            yield (f"grants {role}: no scanning runs here, so no agent needs it",
                   "remove the grant (upstream removed every holder in staging)")  # fmt: skip
        return
    if args.resource_type != SERVICE:
        return
    service = _text(args.props.get("service"))
    if service in config.get("refused", ()):
        yield (f"enables {service}, which scans every image pushed and is refused for cost",
               "remove the API from the declarations")  # fmt: skip


def _pinned_image(args: ResourceValidationArgs, _config: Mapping[str, Any]) -> Iterator[Violation]:
    if args.resource_type != CLOUD_RUN:
        return
    template = args.props.get("template")
    containers = _items(template.get("containers")) if isinstance(template, Mapping) else []
    images = [_text(c.get("image")) or "" for c in containers if isinstance(c, Mapping)]
    for image in images or [""]:
        if not _DIGEST.search(image):
            yield (f"runs `{image}`, not pinned to a digest: a pushed tag would change "
                   "what serves", "write `image: <repository>@sha256:<digest>` in the stack "
                   "config (python -m infra.proxy.pin)")  # fmt: skip


def _member_sources(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[Violation]:
    if not _is_grant(args.resource_type):
        return
    binding = (stack_of(args.urn), args.urn.rsplit("::", 1)[-1], _text(args.props.get("role")))
    for member in _members(args.props):
        problem = members.source_problem(member, config, binding)
        if problem is not None:
            yield problem


def _s3_hardening(
    resources: Sequence[PolicyResource], _config: Mapping[str, Any]
) -> Iterator[StackViolation]:
    buckets = [
        (r.urn, _text(r.props.get("bucket"))) for r in resources if r.resource_type == S3_BUCKET
    ]
    if not buckets:
        return
    policies = [(_text(r.props.get("bucket")), _text(r.props.get("policy")))
                for r in resources if r.resource_type == S3_POLICY]  # fmt: skip
    owned = {
        _text(r.props.get("bucket")): _ownership(r.props.get("rule"))
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
    rules = _items(rule) if not isinstance(rule, Mapping) else [rule]
    found = [_text(r.get("objectOwnership")) for r in rules if isinstance(r, Mapping)]
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


def _behind_armor(
    resources: Sequence[PolicyResource], _config: Mapping[str, Any]
) -> Iterator[StackViolation]:
    services = [(r.urn, _text(r.props.get("name")), _text(r.props.get("location")))
                for r in resources if r.resource_type == CLOUD_RUN]  # fmt: skip
    if not services:
        return
    endpoint_groups = []
    for r in resources:
        if r.resource_type == NEG:
            cloud_run = r.props.get("cloudRun")
            target = _text(cloud_run.get("service")) if isinstance(cloud_run, Mapping) else None
            where = (_text(r.props.get("region")), _text(r.props.get("name")))
            endpoint_groups.append((target, *where))
    armors = {_text(r.props.get("name")) for r in resources if r.resource_type == ARMOR}
    armored: list[str] = []  # backend groups of backend services that use a managed policy
    for r in resources:
        if r.resource_type != BACKEND:
            continue
        policy = _text(r.props.get("securityPolicy")) or ""
        groups = [_text(b.get("group")) or "" for b in _items(r.props.get("backends"))
                  if isinstance(b, Mapping)]  # fmt: skip
        if policy.rsplit("/", 1)[-1] in armors:
            armored += groups
    for urn, name, location in services:
        fronted = any(
            target == name
            and region == location
            and any(g.endswith(f"/regions/{region}/networkEndpointGroups/{neg}") for g in armored)
            for target, region, neg in endpoint_groups
        )
        if not fronted:
            yield (urn, f"Cloud Run service {name} is not behind the Cloud Armor policy",
                   "serve it through the load balancer's backend service, whose "
                   "security_policy names the stack's Cloud Armor policy")  # fmt: skip


RESOURCE_POLICIES: tuple[ResourceValidationPolicy, ...] = (
    _resource_policy(
        names.PUBLIC_GRANTS,
        "allUsers and allAuthenticatedUsers hold only registry read, public-bucket object "
        "read and proxy invoker, on resources declared public",
        _public_grants,
        {"declared": "array"},
    ),
    _resource_policy(
        names.PRIVILEGED_ROLES,
        "no roles/owner or roles/editor for a user or service account the declarations do "
        "not name as owner",
        _privileged_roles,
        {"allowed": "array"},
    ),
    _resource_policy(
        names.SERVICE_ACCOUNT_KEYS, "no service account or IAM user keys", _service_account_keys
    ),
    _resource_policy(
        names.UNIFORM_ACCESS, "every bucket has uniform bucket-level access", _uniform_access
    ),
    _resource_policy(
        names.PRODUCTION_DATA,
        "projects, mirror repositories and buckets, the proxy's addresses and certificate "
        "are protected",
        _production_data,
        {"mirror_projects": "array"},
    ),
    _resource_policy(
        names.SCANNING_APIS,
        "the container scanning APIs are never enabled, and nothing holds their agents' roles",
        _scanning_apis,
        {"refused": "array"},
    ),
    _resource_policy(
        names.PINNED_IMAGE,
        "every Cloud Run service runs an image pinned to a digest",
        _pinned_image,
    ),
    _resource_policy(
        names.MEMBER_SOURCES,
        "every IAM member is of a kind the estate uses and from a known source",
        _member_sources,
        {
            "groups": "array",
            "projects": "array",
            "listed": "array",
            "pools": "array",
            "people": "array",
        },
    ),
)
STACK_POLICIES: tuple[StackValidationPolicy, ...] = (
    _stack_policy(
        names.S3_HARDENING,
        "every S3 bucket denies requests without TLS and enforces bucket ownership",
        _s3_hardening,
    ),
    _stack_policy(
        names.BEHIND_ARMOR,
        "every Cloud Run service is served through a backend service with the Cloud Armor policy",
        _behind_armor,
    ),
)
POLICIES: tuple[ResourceValidationPolicy | StackValidationPolicy, ...] = (
    *RESOURCE_POLICIES,
    *STACK_POLICIES,
)
