"""What the proxy's check reads: the mirror data, the edge data, each building stack.

The mirror data is the mirrors concern's model when some stack builds the
mirrors (checked just before); otherwise the proxy reads the same two files
itself, so a checkout without a mirrors stack still has its proxy checked
against the regions and buckets that exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from infra.core.problems import Problems
from infra.declarations.concern import CheckContext, GroupReference
from infra.mirrors.model import COMPONENT as MIRRORS
from infra.mirrors.model import (
    Mirrors,
    builds_mirrors,
    load_artifact_registry,
    load_s3_mirrors,
)
from infra.mirrors.regions import load_region_facts
from infra.proxy.armor import Edge, load_edge
from infra.proxy.model import COMPONENT, SETTINGS_KEY, ProxySpec, load_proxy, owner_group


@dataclass(frozen=True)
class ProxyDeclarations:
    mirrors: Mirrors
    edge: Edge
    proxies: Mapping[str, ProxySpec]  # by stack, as the stack files declare them


def load_mirror_data(context: CheckContext, problems: Problems) -> Mirrors | None:
    """The mirrors concern's model, or the mirror data files read here."""
    if builds_mirrors(context.stacks):
        found = context.earlier.get(MIRRORS)
        return found if isinstance(found, Mirrors) else None  # its problems are reported
    facts = load_region_facts()
    registry = load_artifact_registry(context.root, facts, problems)
    buckets = load_s3_mirrors(context.root, facts, problems)
    return Mirrors(registry, buckets) if registry and buckets else None


def load_proxy_declarations(
    context: CheckContext, problems: Problems
) -> tuple[ProxyDeclarations | None, tuple[GroupReference, ...]]:
    """Every stack building the proxy, checked; and the groups they make owners."""
    stacks = context.building(COMPONENT)
    references = tuple(
        GroupReference(group, settings.where(f"{SETTINGS_KEY}.owner"))
        for settings in stacks
        if (group := owner_group(settings))
    )
    if not stacks:
        return None, references
    mirrors = load_mirror_data(context, problems)
    edge = load_edge(context.root, problems)
    if mirrors is None or edge is None:
        return None, references
    proxies = {
        settings.stack: spec
        for settings in stacks
        if (spec := load_proxy(settings, mirrors, edge.armor, problems)) is not None
    }
    return ProxyDeclarations(mirrors, edge, MappingProxyType(proxies)), references
