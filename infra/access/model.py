"""Effective access: every grant of every stack's plan, with groups expanded.

Grants are read by the readers the concerns' resource facts call for
(``infra.access.extractors.reader_of``).
On one resource, an authoritative binding decides who holds its role and a
policy decides every role: additive grants of the same role (or resource)
that it does not list are overridden, and kept aside to be reported. Then
each grant to a group reaches every member of the group, of the groups it
holds, and so on, with the path kept: ``user:mallory@ → group:inner@ →
group:outer@``. A principal holds a role on a resource as long as one path
remains.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

from infra.access.extractors import GROUP, reader_of
from infra.access.grant import Extractor, Grant, Mode, Target, is_public

Plan = Mapping[str, Any]  # {"stack", "resources": [...], ...} as `plan --json` prints it


class Holding(NamedTuple):
    """A principal holds ``role`` on ``target``: the key of effective access."""

    principal: str
    role: str
    target: Target


class Access(NamedTuple):
    """One way a principal holds a role: the grant, and the groups it came through
    (``via``: from the principal's own group outwards; empty when granted directly)."""

    principal: str
    grant: Grant
    via: tuple[str, ...] = ()

    @property
    def holding(self) -> Holding:
        return Holding(self.principal, self.grant.role, self.grant.target)

    @property
    def public(self) -> bool:
        return is_public(self.grant.principal)

    def path(self) -> str:
        """``user:mallory@ → group:foo@`` (the principal alone when granted directly)."""
        return " → ".join((self.principal, *self.via))


def registered_readers() -> dict[str, Extractor]:
    """Resource type -> reader, as the resource facts of the concerns in the catalog call
    for."""
    from infra import catalog

    found: dict[str, Extractor] = {}
    for token, facts in catalog.resource_facts().items():
        reader = reader_of(facts)
        if reader is not None:
            found[token] = reader
    return found


def read_grants(plans: Iterable[Plan], readers: Mapping[str, Extractor]) -> list[Grant]:
    """Every grant the plans' resources state (the mode of each as its resource gives it)."""
    found: list[Grant] = []
    for plan in plans:
        stack = str(plan.get("stack", ""))
        for resource in plan.get("resources", ()):
            reader = readers.get(str(resource.get("type")))
            if reader is not None:
                found.extend(reader(resource, stack))
    return found


def settle(grants: Iterable[Grant]) -> tuple[list[Grant], list[Grant]]:
    """(the grants in force, the additive grants an authoritative one overrides).

    A binding of role R on resource T replaces every other grant of R on T; a
    policy of T replaces every grant on T from other resources.
    """
    grants = list(grants)
    bound = {(g.target, g.role) for g in grants if g.mode == Mode.binding}
    policies: dict[Target, set[str]] = defaultdict(set)
    for g in grants:
        if g.mode == Mode.policy:
            policies[g.target].add(g.source)
    kept: list[Grant] = []
    overridden: list[Grant] = []
    for g in grants:
        replaced_by_policy = g.target in policies and g.source not in policies[g.target]
        replaced_by_binding = g.mode == Mode.additive and (g.target, g.role) in bound
        (overridden if replaced_by_policy or replaced_by_binding else kept).append(g)
    return kept, overridden


@dataclass
class AccessModel:
    """The effective access of a set of plans."""

    grants: list[Grant]  # in force
    overridden: list[Grant] = field(default_factory=list)

    @classmethod
    def from_plans(
        cls, plans: Iterable[Plan], readers: Mapping[str, Extractor] | None = None
    ) -> AccessModel:
        return cls.from_grants(
            read_grants(plans, registered_readers() if readers is None else readers)
        )

    @classmethod
    def from_grants(cls, found: Iterable[Grant]) -> AccessModel:
        """From the grants the plans state (``read_grants``)."""
        kept, overridden = settle(_typed_groups(list(found)))
        return cls(sorted(set(kept)), sorted(set(overridden)))

    @cached_property
    def groups(self) -> frozenset[str]:
        """The declared groups (``group:ADDRESS``): those whose members a plan states."""
        return frozenset(f"group:{g.target.name}" for g in self.grants if g.target.kind == GROUP)

    @cached_property
    def members(self) -> Mapping[str, list[Grant]]:
        """``group:ADDRESS`` -> the grants of membership in it."""
        found: dict[str, list[Grant]] = defaultdict(list)
        for g in self.grants:
            if g.target.kind == GROUP:
                found[f"group:{g.target.name}"].append(g)
        return found

    def reach(self, principal: str) -> Iterator[tuple[str, tuple[str, ...]]]:
        """Every principal a grant to ``principal`` reaches, with the groups between:
        itself, then the members of a group, their members, and so on (no cycle)."""
        yield principal, ()
        stack: list[tuple[str, tuple[str, ...]]] = [(principal, ())]
        while stack:
            group, path = stack.pop()
            for membership in self.members.get(group, ()):
                member = membership.principal
                if member == principal or member in path:
                    continue  # a cycle: every member is already reached
                via = (group, *path)
                yield member, via
                stack.append((member, via))

    @cached_property
    def accesses(self) -> list[Access]:
        """Every way every principal holds a role, groups expanded."""
        # Grants are distinct, and so is each (member, path) a principal reaches.
        reached: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        found: list[Access] = []
        for grant in self.grants:
            if grant.principal not in reached:
                reached[grant.principal] = list(self.reach(grant.principal))
            found += (Access(member, grant, via) for member, via in reached[grant.principal])
        found.sort()
        return found

    @cached_property
    def by_holding(self) -> Mapping[Holding, list[Access]]:
        found: dict[Holding, list[Access]] = defaultdict(list)
        for access in self.accesses:
            found[access.holding].append(access)
        return found

    @cached_property
    def principals(self) -> frozenset[str]:
        return frozenset(a.principal for a in self.accesses)

    def of(self, principal: str) -> list[Access]:
        return [a for a in self.accesses if a.principal == principal]

    def on(self, targets: Sequence[Target]) -> list[Access]:
        wanted = set(targets)
        return [a for a in self.accesses if a.grant.target in wanted]


def _typed_groups(grants: list[Grant]) -> list[Grant]:
    """A member written ``user:ADDRESS`` is ``group:ADDRESS`` when that group is declared."""
    declared = {g.target.name for g in grants if g.target.kind == GROUP}
    typed = []
    for g in grants:
        kind, _, address = g.principal.partition(":")
        if kind == "user" and address in declared:
            typed.append(g._replace(principal=f"group:{address}"))
        else:
            typed.append(g)
    return typed
