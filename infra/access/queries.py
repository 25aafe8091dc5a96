"""The answers of `access of` and `access on`, by the names people type."""

from __future__ import annotations

from infra.access.grant import address, normal_principal
from infra.access.model import Access, AccessModel


def principals_named(model: AccessModel, query: str) -> list[str]:
    """The principals ``query`` names: itself (``group:x@y``, ``allUsers``), or every
    principal with that address, whatever its kind (``x@y``)."""
    wanted = normal_principal(query)
    if wanted in model.principals:
        return [wanted]
    lowered = query.lower()
    return sorted(p for p in model.principals if address(p).lower() == lowered)


def holdings_of(model: AccessModel, query: str) -> list[Access]:
    named = set(principals_named(model, query))
    return [a for a in model.accesses if a.principal in named]


def holders_on(model: AccessModel, query: str) -> list[Access]:
    """The accesses on the resources ``query`` names: by ``kind name``, by name, by the
    last part of the name, or everything under it (``project`` -> ``project/...``)."""

    def matches(kind: str, name: str) -> bool:
        return (
            query in (f"{kind} {name}", name, name.rsplit("/", 1)[-1])
            or name.startswith(query + "/")
            or name.lower() == query.lower()
        )

    return [a for a in model.accesses if matches(a.grant.target.kind, a.grant.target.name)]


# Roles whose holder may act as the identity they are held on, as their grants say
# (workload identity: a Kubernetes service account acts as a Google service account;
# an AWS role's trust: who may assume it), and the principal that identity is.
ACTS_AS = {
    ("roles/iam.workloadIdentityUser", "service account"): "serviceAccount:{}",
    ("sts:AssumeRole", "aws role"): "aws-role:{}",
    ("sts:AssumeRoleWithWebIdentity", "aws role"): "aws-role:{}",
}


def identities(accesses: list[Access]) -> list[str]:
    """The identities these accesses let their holder act as."""
    found = {
        ACTS_AS[(a.grant.role, a.grant.target.kind)].format(a.grant.target.name)
        for a in accesses
        if (a.grant.role, a.grant.target.kind) in ACTS_AS
    }
    return sorted(found)


def acting_as(model: AccessModel, accesses: list[Access]) -> list[tuple[str, list[Access]]]:
    """Each identity ``accesses`` let their holder act as, with what it holds, and on
    through the identities those let it act as (each once)."""
    seen: set[str] = {a.principal for a in accesses}
    found: list[tuple[str, list[Access]]] = []
    waiting = identities(accesses)
    while waiting:
        identity = waiting.pop(0)
        if identity in seen:
            continue
        seen.add(identity)
        held = model.of(identity)
        found.append((identity, held))
        waiting += identities(held)
    return found
