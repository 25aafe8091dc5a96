"""Readers of grants from planned resources, one per way a provider states them.

Which resource types state grants, and how, is a fact each concern declares
(``ResourceFacts.grants_on`` for Google IAM members and bindings, by the
inputs that name their target; ``ResourceFacts.grant_document`` for S3
bucket policies, an AWS role's trust policy and inline policy, and a Google
Group's owners, managers and members). ``reader_of`` builds the reader here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from infra.access.grant import Extractor, Grant, Mode, Resource, Target, normal_principal
from infra.declarations.resources import GrantDocument, ResourceFacts, shown

WORKLOAD_IDENTITY_USER = "roles/iam.workloadIdentityUser"
GROUP = "group"


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
        role = shown(inputs.get("role"))
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
                text = shown(value)
                yield "*" if text == "*" else f"{kind.lower()}:{text}"


def _allowed(document: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    for statement in _listed(document.get("Statement")):
        if isinstance(statement, dict) and statement.get("Effect") == "Allow":
            yield statement


def s3_bucket_policy(resource: Resource, stack: str) -> Iterator[Grant]:
    """Every principal an S3 bucket policy allows, and each action (deny statements grant
    nothing). The policy is the bucket's whole policy: authoritative."""
    inputs = resource.get("inputs") or {}
    target = Target("s3 bucket", shown(inputs.get("bucket")))
    for statement in _allowed(_document(inputs.get("policy"))):
        for principal in _principals(statement.get("Principal")):
            for action in _listed(statement.get("Action")):
                yield Grant(principal, shown(action), target, stack, str(resource["urn"]),
                            Mode.policy)  # fmt: skip


def aws_role_trust(resource: Resource, stack: str) -> Iterator[Grant]:
    """Who may assume an AWS role. A web identity restricted to token subjects names
    each subject (``system:serviceaccount:NS:NAME``), with the provider in the note."""
    inputs = resource.get("inputs") or {}
    target = Target("aws role", shown(inputs.get("name")))
    urn = str(resource["urn"])
    for statement in _allowed(_document(inputs.get("assumeRolePolicy"))):
        subjects = _subjects(statement.get("Condition"))
        for principal in _principals(statement.get("Principal")):
            for action in _listed(statement.get("Action")):
                if principal.startswith("federated:") and subjects:
                    note = f"web identity of {principal.removeprefix('federated:')}"
                    for subject in subjects:
                        yield Grant(f"k8s:{subject}", shown(action), target, stack, urn,
                                    Mode.policy, note)  # fmt: skip
                else:
                    yield Grant(principal, shown(action), target, stack, urn, Mode.policy)


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
                    found.extend(shown(v) for v in _listed(wanted))
    return found


def aws_role_policy(resource: Resource, stack: str) -> Iterator[Grant]:
    """What an AWS role may do by its inline policy: the role is the principal."""
    inputs = resource.get("inputs") or {}
    principal = f"aws-role:{shown(inputs.get('role'))}"
    for statement in _allowed(_document(inputs.get("policy"))):
        for target_name in _listed(statement.get("Resource")):
            target = Target("aws resource", shown(target_name))
            for action in _listed(statement.get("Action")):
                yield Grant(principal, shown(action), target, stack, str(resource["urn"]))


MEMBERSHIP_ROLES = ("owner", "manager", "member")


def group_members(resource: Resource, stack: str) -> Iterator[Grant]:
    """A Google Group's owners, managers and members: each is a member of the group and
    holds what the group holds (``model.py`` expands it). Addresses are written ``user:``;
    the model turns declared groups into ``group:``."""
    inputs = resource.get("inputs") or {}
    target = Target(GROUP, shown(inputs.get("email")).lower())
    for role in MEMBERSHIP_ROLES:
        for email in _listed(inputs.get(f"{role}s")):
            lowered = shown(email).lower()
            kind = "serviceAccount" if lowered.endswith(".gserviceaccount.com") else "user"
            yield Grant(f"{kind}:{lowered}", role, target, stack, str(resource["urn"]),
                        Mode.policy)  # fmt: skip


_DOCUMENT_READERS: Mapping[GrantDocument, Extractor] = {
    GrantDocument.S3_BUCKET_POLICY: s3_bucket_policy,
    GrantDocument.AWS_ROLE_TRUST: aws_role_trust,
    GrantDocument.AWS_ROLE_POLICY: aws_role_policy,
    GrantDocument.GROUP_MEMBERS: group_members,
}


def reader_of(facts: ResourceFacts) -> Extractor | None:
    """The reader of the grants a resource type's inputs state (None: it states none)."""
    on = facts.grants_on
    if on is not None:
        return gcp_iam(on.kind, on.name_of, Mode.binding if on.authoritative else Mode.additive)
    if facts.grant_document is not None:
        return _DOCUMENT_READERS[facts.grant_document]
    return None
