"""One grant as a plan states it: a principal holds a role on a resource.

A principal is written as IAM writes members (``user:``, ``group:``,
``serviceAccount:``, ``domain:``, ``allUsers``...), or, for AWS, as
``aws:...``, ``service:...``, ``federated:...`` and ``*`` for anyone. A
resource is a kind and a name (``repository k8s-staging-images/us-central1/foo``).
Roles are kept as granted (``roles/artifactregistry.writer``,
``sts:AssumeRoleWithWebIdentity``, ``s3:GetObject``): nothing here knows
what a role permits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple

Resource = Mapping[str, Any]

PUBLIC_PRINCIPALS = frozenset({"allUsers", "allAuthenticatedUsers", "*"})


class Mode:
    """How a grant combines with others on the same resource (plain strings: grants are
    hashed and compared by the thousand)."""

    additive = "member"  # adds one principal; others keep theirs
    binding = "binding"  # authoritative for one role on the resource
    policy = "policy"  # authoritative for every role on the resource


class Target(NamedTuple):
    """What a role is held on: ``kind`` (repository, bucket, group...) and its name."""

    kind: str
    name: str

    @property
    def short(self) -> str:
        """The last part of the name, for collapsed lines (``foo`` of ``p/l/foo``)."""
        return self.name.rsplit("/", 1)[-1]

    def __str__(self) -> str:
        return f"{self.kind} {self.name}"


class Grant(NamedTuple):
    """A principal holds ``role`` on ``target``, stated by the resource ``source`` of ``stack``."""

    principal: str
    role: str
    target: Target
    stack: str
    source: str  # the URN of the IAM resource, policy or group that states it
    mode: str = Mode.additive
    note: str = ""  # e.g. the Kubernetes service account a workload identity names


# A concern's reader of one resource type: the grants its inputs state.
Extractor = Callable[[Resource, str], Iterable[Grant]]


def is_public(principal: str) -> bool:
    return principal in PUBLIC_PRINCIPALS or principal.startswith("domain:")


def address(principal: str) -> str:
    """``user:a@b`` -> ``a@b``; a principal without a prefix is returned as is."""
    kind, colon, rest = principal.partition(":")
    return rest if colon and kind in _KINDS else principal


_KINDS = frozenset({"user", "group", "serviceAccount", "domain", "aws", "service", "federated"})


def member_principal(email: str, groups: frozenset[str]) -> str:
    """How a group's member is written: ``group:`` for declared groups, else by its address."""
    lowered = email.lower()
    if lowered in groups:
        return f"group:{lowered}"
    if lowered.endswith(".gserviceaccount.com"):
        return f"serviceAccount:{lowered}"
    return f"user:{lowered}"


def normal_principal(member: str) -> str:
    """Addresses compare without case: ``group:Foo@x`` is ``group:foo@x``."""
    kind, colon, rest = member.partition(":")
    if colon and kind in ("user", "group", "serviceAccount", "domain"):
        return f"{kind}:{rest.lower()}"
    return member
