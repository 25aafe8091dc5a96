"""Readers of grants from planned resources, one per way a provider states them.

Each concern lists, in its catalog entry (``Concern.grants``), its resource
types and the reader of each, built here: Google IAM members and bindings by
the inputs that name their target, S3 bucket policies, an AWS role's trust
policy and inline policy, and a Google Group's owners, managers and members.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from infra.access.grant import Extractor, Grant, Mode, Resource, Target, normal_principal

WORKLOAD_IDENTITY_USER = "roles/iam.workloadIdentityUser"
GROUP = "group"


def _text(value: object) -> str:
    if isinstance(value, dict) and "$unknown" in value:
        return "(unknown)"
    return "" if value is None else str(value)


def joined(*names: str) -> Callable[[Mapping[str, Any]], str]:
    """The target's name: these inputs joined by ``/`` (empty ones left out)."""

    def name_of(inputs: Mapping[str, Any]) -> str:
        found = [_text(inputs.get(n)) for n in names]
        return "/".join([part for part in found if part])

    return name_of


def service_account_name(inputs: Mapping[str, Any]) -> str:
    """``projects/P/serviceAccounts/EMAIL`` -> ``EMAIL``."""
    value = _text(inputs.get("serviceAccountId"))
    return value.rsplit("/", 1)[-1] if value.startswith("projects/") else value


_FEDERATED = re.compile(r"principal://.*/workloadIdentityPools/([^/]+)/subject/ns/([^/]+)/sa/(.+)")


def workload_identity_note(member: str) -> str:
    """The Kubernetes service account a workload identity member names:
    ``serviceAccount:P.svc.id.goog[ns/name]`` (or its ``principal://`` form) ->
    ``Kubernetes service account ns/name (P)``."""
    federated = _FEDERATED.fullmatch(member)
    if federated:
        pool, namespace, name = federated.groups()
        return (
            f"Kubernetes service account {namespace}/{name} ({pool.removesuffix('.svc.id.goog')})"
        )
    address = member.removeprefix("serviceAccount:")
    pool, bracket, rest = address.partition("[")
    if not bracket or not pool.endswith(".svc.id.goog"):
        return ""
    return f"Kubernetes service account {rest.rstrip(']')} ({pool.removesuffix('.svc.id.goog')})"


def gcp_iam(
    kind: str, name_of: Callable[[Mapping[str, Any]], str], mode: str = Mode.additive
) -> Extractor:
    """A Google IAM member (``member``) or binding (``members``, authoritative for its role)."""

    def extract(resource: Resource, stack: str) -> Iterator[Grant]:
        inputs = resource.get("inputs") or {}
        target = Target(kind, name_of(inputs))
        role = _text(inputs.get("role"))
        if "members" in inputs:
            members = inputs.get("members")
            members = members if isinstance(members, list) else []
        else:
            members = [inputs.get("member")]
        for member in members:
            if not isinstance(member, str):
                continue
            note = workload_identity_note(member) if role == WORKLOAD_IDENTITY_USER else ""
            principal = normal_principal(member)
            yield Grant(principal, role, target, stack, str(resource["urn"]), mode, note)

    return extract


def _document(value: object) -> dict[str, Any]:
    if isinstance(value, dict) and "$unknown" not in value:
        return value
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return {}


def _listed(value: object) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _principals(principal: object) -> Iterator[str]:
    """An AWS statement's ``Principal``: ``*``, or ``{"AWS"|"Service"|"Federated": ...}``."""
    if principal == "*":
        yield "*"
        return
    if isinstance(principal, dict):
        for kind in sorted(principal):
            for value in _listed(principal[kind]):
                text = _text(value)
                yield "*" if text == "*" else f"{kind.lower()}:{text}"


def _allowed(document: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    for statement in _listed(document.get("Statement")):
        if isinstance(statement, dict) and statement.get("Effect") == "Allow":
            yield statement


def s3_bucket_policy(resource: Resource, stack: str) -> Iterator[Grant]:
    """Every principal an S3 bucket policy allows, and each action (deny statements grant
    nothing). The policy is the bucket's whole policy: authoritative."""
    inputs = resource.get("inputs") or {}
    target = Target("s3 bucket", _text(inputs.get("bucket")))
    for statement in _allowed(_document(inputs.get("policy"))):
        for principal in _principals(statement.get("Principal")):
            for action in _listed(statement.get("Action")):
                yield Grant(principal, _text(action), target, stack, str(resource["urn"]),
                            Mode.policy)  # fmt: skip


def aws_role_trust(resource: Resource, stack: str) -> Iterator[Grant]:
    """Who may assume an AWS role. A web identity restricted to token subjects names
    each subject (``system:serviceaccount:NS:NAME``), with the provider in the note."""
    inputs = resource.get("inputs") or {}
    target = Target("aws role", _text(inputs.get("name")))
    urn = str(resource["urn"])
    for statement in _allowed(_document(inputs.get("assumeRolePolicy"))):
        subjects = _subjects(statement.get("Condition"))
        for principal in _principals(statement.get("Principal")):
            for action in _listed(statement.get("Action")):
                if principal.startswith("federated:") and subjects:
                    note = f"web identity of {principal.removeprefix('federated:')}"
                    for subject in subjects:
                        yield Grant(f"k8s:{subject}", _text(action), target, stack, urn,
                                    Mode.policy, note)  # fmt: skip
                else:
                    yield Grant(principal, _text(action), target, stack, urn, Mode.policy)


def _subjects(condition: object) -> list[str]:
    """The ``...:sub`` values a trust statement's condition requires."""
    found: list[str] = []
    if not isinstance(condition, dict):
        return found
    for test in ("StringEquals", "StringLike"):
        values = condition.get(test)
        if isinstance(values, dict):
            for key, wanted in sorted(values.items()):
                if str(key).endswith(":sub"):
                    found.extend(_text(v) for v in _listed(wanted))
    return found


def aws_role_policy(resource: Resource, stack: str) -> Iterator[Grant]:
    """What an AWS role may do by its inline policy: the role is the principal."""
    inputs = resource.get("inputs") or {}
    principal = f"aws-role:{_text(inputs.get('role'))}"
    for statement in _allowed(_document(inputs.get("policy"))):
        for target_name in _listed(statement.get("Resource")):
            target = Target("aws resource", _text(target_name))
            for action in _listed(statement.get("Action")):
                yield Grant(principal, _text(action), target, stack, str(resource["urn"]))


MEMBERSHIP_ROLES = ("owner", "manager", "member")


def group_members(resource: Resource, stack: str) -> Iterator[Grant]:
    """A Google Group's owners, managers and members: each is a member of the group and
    holds what the group holds (``model.py`` expands it). Addresses are written ``user:``;
    the model turns declared groups into ``group:``."""
    inputs = resource.get("inputs") or {}
    target = Target(GROUP, _text(inputs.get("email")).lower())
    for role in MEMBERSHIP_ROLES:
        for email in _listed(inputs.get(f"{role}s")):
            lowered = _text(email).lower()
            kind = "serviceAccount" if lowered.endswith(".gserviceaccount.com") else "user"
            yield Grant(f"{kind}:{lowered}", role, target, stack, str(resource["urn"]),
                        Mode.policy)  # fmt: skip


# Google IAM resource types, by the target kind and the inputs naming it.
_GCP_IAM: dict[str, tuple[str, Callable[[Mapping[str, Any]], str], str]] = {
    "gcp:projects/iAMMember:IAMMember": ("project", joined("project"), Mode.additive),
    "gcp:projects/iAMBinding:IAMBinding": ("project", joined("project"), Mode.binding),
    "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember":
        ("repository", joined("project", "location", "repository"), Mode.additive),
    "gcp:storage/bucketIAMMember:BucketIAMMember": ("bucket", joined("bucket"), Mode.additive),
    "gcp:serviceaccount/iAMMember:IAMMember":
        ("service account", service_account_name, Mode.additive),
    "gcp:serviceaccount/iAMBinding:IAMBinding":
        ("service account", service_account_name, Mode.binding),
    "gcp:cloudrunv2/serviceIamMember:ServiceIamMember":
        ("cloud run service", joined("project", "location", "name"), Mode.additive),
    "gcp:bigquery/datasetIamMember:DatasetIamMember":
        ("dataset", joined("project", "datasetId"), Mode.additive),
}  # fmt: skip
_READERS: dict[str, Extractor] = {
    token: gcp_iam(kind, name_of, mode) for token, (kind, name_of, mode) in _GCP_IAM.items()
}
S3_BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
AWS_ROLE = "aws:iam/role:Role"
AWS_ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
GOOGLE_GROUP = "pulumi-python:dynamic/groups:GoogleGroup"
_READERS.update({
    S3_BUCKET_POLICY: s3_bucket_policy,
    AWS_ROLE: aws_role_trust,
    AWS_ROLE_POLICY: aws_role_policy,
    GOOGLE_GROUP: group_members,
})  # fmt: skip


def readers(*types: str) -> Mapping[str, Extractor]:
    """The readers of these resource types, for a concern's ``grants``."""
    return {token: _READERS[token] for token in types}
