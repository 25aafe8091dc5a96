"""What changes in effective access between two models (a base and a change).

Per principal: the roles it gains (held after, not before, by any path) and
loses (held before, by no path after), each with the paths that give it
(after for a gain, before for a loss). Access still held another way is no
change: a member of two groups, removed from one grant, keeps what the
other gives.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from infra.access.grant import is_public
from infra.access.model import Access, AccessModel, Holding


@dataclass(frozen=True)
class Change:
    """A principal gains (``gained``) or loses a role on a target, through ``paths``."""

    holding: Holding
    gained: bool
    paths: tuple[Access, ...]

    @property
    def public(self) -> bool:
        return any(a.public for a in self.paths)

    @property
    def stacks(self) -> tuple[str, ...]:
        return tuple(sorted({a.grant.stack for a in self.paths}))

    def to_json(self) -> dict[str, Any]:
        return {
            "role": self.holding.role,
            "target": {"kind": self.holding.target.kind, "name": self.holding.target.name},
            "stacks": list(self.stacks),
            "public": self.public,
            "through": [_path_json(a) for a in self.paths],
        }


def _path_json(access: Access) -> dict[str, Any]:
    grant = access.grant
    return {
        "via": list(access.via),
        "granted_to": grant.principal,
        "mode": grant.mode,
        "stack": grant.stack,
        "source": grant.source,
        **({"note": grant.note} if grant.note else {}),
    }


@dataclass(frozen=True)
class PrincipalChanges:
    principal: str
    gained: tuple[Change, ...]
    lost: tuple[Change, ...]

    @property
    def public(self) -> bool:
        return is_public(self.principal)

    def to_json(self) -> dict[str, Any]:
        return {
            "principal": self.principal,
            "public": self.public,
            "gained": [c.to_json() for c in self.gained],
            "lost": [c.to_json() for c in self.lost],
        }


@dataclass(frozen=True)
class AccessDiff:
    changes: tuple[PrincipalChanges, ...]
    # additive grants an authoritative binding or policy overrides, after the change
    overridden: tuple[Access, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.changes

    def to_json(self) -> dict[str, Any]:
        return {
            "principals": [p.to_json() for p in self.changes],
            "overridden": [
                {"principal": a.principal, "role": a.grant.role,
                 "target": {"kind": a.grant.target.kind, "name": a.grant.target.name},
                 "stack": a.grant.stack, "source": a.grant.source}
                for a in self.overridden
            ],
        }  # fmt: skip


def diff_access(base: AccessModel, head: AccessModel) -> AccessDiff:
    before, after = base.by_holding, head.by_holding
    gained = [Change(h, True, tuple(after[h])) for h in after.keys() - before.keys()]
    lost = [Change(h, False, tuple(before[h])) for h in before.keys() - after.keys()]
    principals = sorted({c.holding.principal for c in (*gained, *lost)}, key=_principal_order)
    changes = tuple(PrincipalChanges(p, _of(gained, p), _of(lost, p)) for p in principals)
    new_overrides = set(head.overridden) - set(base.overridden)
    overridden = tuple(sorted(Access(g.principal, g, ()) for g in new_overrides))
    return AccessDiff(changes, overridden)


def _of(changes: Iterable[Change], principal: str) -> tuple[Change, ...]:
    return tuple(sorted((c for c in changes if c.holding.principal == principal),
                        key=lambda c: (c.holding.role, c.holding.target)))  # fmt: skip


def _principal_order(principal: str) -> tuple[int, str]:
    """Public principals first, then people and accounts by address."""
    return (0 if is_public(principal) else 1, principal)
