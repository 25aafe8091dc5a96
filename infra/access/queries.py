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
