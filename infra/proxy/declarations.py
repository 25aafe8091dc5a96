"""What the proxy's check reads: the mirrors' model, the edge data, each building stack.

The mirrors' model comes from the mirrors concern (``mirror_data``): the one
it checked just before when some stack builds the mirrors, else its data
files alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from infra.core.problems import Problems
from infra.declarations.concern import CheckContext, GroupReference
from infra.mirrors.model import Mirrors, mirror_data
from infra.proxy.armor import Edge, load_edge
from infra.proxy.model import COMPONENT, SETTINGS_KEY, ProxySpec, load_proxy, owner_group


@dataclass(frozen=True)
class ProxyDeclarations:
    mirrors: Mirrors
    edge: Edge
    proxies: Mapping[str, ProxySpec]  # by stack, as the stack files declare them


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
    mirrors = mirror_data(context.root, context.stacks, context.earlier, problems)
    edge = load_edge(context.root, problems)
    if mirrors is None or edge is None:
        return None, references
    proxies = {
        settings.stack: spec
        for settings in stacks
        if (spec := load_proxy(settings, mirrors, edge.armor, problems)) is not None
    }
    return ProxyDeclarations(mirrors, edge, MappingProxyType(proxies)), references
