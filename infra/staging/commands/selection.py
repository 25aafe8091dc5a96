"""Which resources ``staging ensure NAME`` updates, chosen from the offline plan.

A plan lists every resource with its parent and explicit dependencies. The
units a name can point at:

- a project: a top-level component (``k8s-staging-foo``, ``k8s-staging-images``)
  and everything under it;
- a registry of a registry project (``kueue`` in ``k8s-staging-images``): its
  repository and the resources named after it (grants, build account), plus
  the project's shared resources (the project, its APIs, its authoritative
  IAM, the build bucket), which it needs and whose IAM lists its writers.

The targets of a unit are its resources and everything they depend on
(parents, explicit dependencies, explicit providers). A run over whole
projects also takes what depends on them (``--target-dependents``); a run
over registries does not, since every registry of the project depends on the
shared resources and must stay out of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from infra.core import names
from infra.declarations.concern import Picked

# The component of a project that holds several registries (infra.staging_images).
REGISTRY_PROJECT_TYPE = "k8s-infra:staging:RegistryProject"
REPOSITORY_TYPE = "gcp:artifactregistry/repository:Repository"

Kind = Literal["project", "registry"]
Resource = Mapping[str, Any]


@dataclass(frozen=True)
class Unit:
    """What one name can point at in one stack's plan."""

    name: str
    kind: Kind
    stack: str
    project: str  # the project id the unit belongs to (its own for a project)
    resources: frozenset[str]  # URNs the unit owns

    def describe(self) -> str:
        owner = "" if self.kind == "project" else f" of {self.project}"
        return f"{self.kind} {self.name}{owner} ({len(self.resources)} resources)"


@dataclass(frozen=True)
class Selection:
    """The targeted run of one stack: the units named in it and the URNs to target."""

    stack: str
    units: tuple[Unit, ...]
    urns: tuple[str, ...]
    dependents: bool


class PlanIndex:
    """One stack's plan, with its units."""

    def __init__(self, stack: str, plan: Mapping[str, Any]) -> None:
        self.stack = stack
        self.by_urn: dict[str, Resource] = {r["urn"]: r for r in plan["resources"]}
        self.children: dict[str | None, list[str]] = {}
        for urn, resource in self.by_urn.items():
            self.children.setdefault(resource["parent"], []).append(urn)
        self.units = self._units()

    def _subtree(self, urn: str) -> set[str]:
        found, todo = set(), [urn]
        while todo:
            current = todo.pop()
            found.add(current)
            todo.extend(self.children.get(current, ()))
        return found

    def _units(self) -> list[Unit]:
        units = []
        for top in sorted(self.children.get(None, ())):
            resource = self.by_urn[top]
            if resource["custom"]:
                continue  # a resource outside any project component belongs to no unit
            project = resource["name"]
            owned = self._subtree(top)
            units.append(Unit(project, "project", self.stack, project, frozenset(owned)))
            if resource["type"] == REGISTRY_PROJECT_TYPE:
                units += self._registries(project, top, owned)
        return units

    def _registries(self, project: str, component: str, owned: set[str]) -> list[Unit]:
        """A registry owns its repository and the resources named after it.

        Children are named ``<project>-<registry>[-<what>]``; a name that fits
        two registries (``dra-driver`` and ``dra-driver-cpu``) goes to the longer.
        """
        repositories = {
            self.by_urn[urn]["name"]: self.by_urn[urn]["inputs"].get("repositoryId", "")
            for urn in owned
            if self.by_urn[urn]["type"] == REPOSITORY_TYPE
            and self.by_urn[urn]["parent"] == component
        }
        claimed: dict[str, set[str]] = {prefix: set() for prefix in repositories}
        for urn in owned - {component}:
            name = self.by_urn[urn]["name"]
            fitting = [p for p in repositories if name == p or name.startswith(p + "-")]
            if fitting:
                claimed[max(fitting, key=len)].add(urn)
        return [
            Unit(repositories[prefix], "registry", self.stack, project, frozenset(urns))
            for prefix, urns in sorted(claimed.items())
        ]

    def owner(self, urn: str) -> Unit | None:
        """The most specific unit owning ``urn``: its registry, else its project."""
        owners = [u for u in self.units if urn in u.resources]
        registries = [u for u in owners if u.kind == "registry"]
        found = registries or owners
        return found[0] if found else None

    def shared(self, project: str) -> set[str]:
        """A project's resources that belong to none of its registries."""
        units = [u for u in self.units if u.project == project]
        whole = next(u for u in units if u.kind == "project")
        taken = set().union(*(u.resources for u in units if u.kind == "registry"))
        return set(whole.resources) - taken

    def closure(self, urns: Iterable[str]) -> set[str]:
        """``urns`` and everything they depend on: parents, dependencies, providers."""
        found: set[str] = set()
        todo = list(urns)
        while todo:
            urn = todo.pop()
            resource = self.by_urn.get(urn)
            if urn in found or resource is None:
                continue
            found.add(urn)
            todo.extend(resource["depends_on"])
            todo.extend(u for u in (resource["parent"], resource["provider"]) if u)
        return found

    def select(self, units: Sequence[Unit]) -> Selection:
        seeds: set[str] = set()
        for unit in units:
            seeds |= unit.resources
            if unit.kind == "registry":
                seeds |= self.shared(unit.project)
        dependents = all(unit.kind == "project" for unit in units)
        return Selection(self.stack, tuple(units), tuple(sorted(self.closure(seeds))), dependents)


def matches(unit: Unit, name: str) -> bool:
    """``foo`` names the project ``k8s-staging-foo`` and any registry ``foo``."""
    if unit.name == name:
        return True
    return unit.kind == "project" and unit.name == names.STAGING_PREFIX + name


def find_units(
    indexes: Sequence[PlanIndex], requested: Sequence[str]
) -> tuple[list[Unit], list[str]]:
    """The units the names point at, and the names found nowhere."""
    units: list[Unit] = []
    unknown = []
    for name in dict.fromkeys(requested):
        found = [u for index in indexes for u in index.units if matches(u, name)]
        if not found:
            unknown.append(name)
        units += [u for u in found if u not in units]
    return units, unknown


def select(indexes: Sequence[PlanIndex], units: Sequence[Unit]) -> list[Selection]:
    """One selection per stack the units belong to, in the order of ``indexes``."""
    return [
        index.select([u for u in units if u.stack == index.stack])
        for index in indexes
        if any(u.stack == index.stack for u in units)
    ]


def pick(stack: str, plan: Mapping[str, Any], requested: Sequence[str]) -> Picked:
    """What `staging ensure` would target for these names in one stack's plan
    (the staging concern's ``picks``, which `adopt STACK NAME...` uses)."""
    index = PlanIndex(stack, plan)
    units, unknown = find_units([index], requested)
    selections = select([index], units)
    urns, dependents = (selections[0].urns, selections[0].dependents) if selections else ((), False)
    return Picked(
        urns=urns,
        dependents=dependents,
        described="; ".join(unit.describe() for unit in units),
        unknown=tuple(unknown),
        hint="name staging projects (`foo` or `k8s-staging-foo`) or registries of this stack",
    )


@dataclass(frozen=True)
class Changed:
    """What a merge changed in the staging stacks: units, or whole stacks."""

    units: tuple[Unit, ...]
    whole_stacks: tuple[str, ...]


def changed_units(indexes: Sequence[PlanIndex], diffs: Iterable[Mapping[str, Any]]) -> Changed:
    """The units whose resources a ``plan --base`` diff creates or updates.

    A deletion, or a change outside every unit, takes the whole stack: the
    targets come from the current plan, where a deleted resource is absent.
    """
    by_stack = {index.stack: index for index in indexes}
    found: list[Unit] = []
    whole: list[str] = []
    for diff in diffs:
        index = by_stack.get(diff.get("stack", ""))
        if index is None:
            continue
        urns = [*diff.get("create", ()), *(u["urn"] for u in diff.get("update", ()))]
        owners = [index.owner(urn) for urn in urns]
        if diff.get("delete") or None in owners:
            whole.append(index.stack)
            continue
        registries = [u for u in owners if u is not None and u.kind == "registry"]
        for unit in owners:
            # a registry's targets hold its project's shared resources
            covered = (
                unit is not None
                and unit.kind == "project"
                and any(r.project == unit.project for r in registries)
            )
            if unit is not None and not covered and unit not in found:
                found.append(unit)
    return Changed(tuple(found), tuple(whole))
