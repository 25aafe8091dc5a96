"""Every concern the program can build, registered once.

Stack settings (which components and keys a stack may name), the infra.yaml
reader (which keys a section may hold), validation, the program, the
command tree of ``k8s-infra`` and the facts of resource types (adoption,
replacements, placeholders, grants) take their lists from ``CONCERNS``.
Adding a concern is its own package under ``infra/`` with a ``concern.py``,
one line here, and its tests.

What is computed directly over the list lives beside it in this package:
every declaration loaded and checked (``validation``) and the JSON Schemas
(``schemas``). They read ``catalog.CONCERNS`` when called, never a copy taken
at import, so a registered concern is seen everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from infra.declarations.concern import Commands, Concern
from infra.declarations.estate import SectionKeys
from infra.declarations.resources import ResourceFacts, facts_by_type
from infra.declarations.stacks import SHARED_KEYS, ConfigKey, StackSchema
from infra.groups.concern import CONCERN as GROUPS
from infra.mirrors.concern import CONCERN as REGISTRY_MIRRORS
from infra.prod_storage.concern import CONCERN as PROD_STORAGE
from infra.promoter.commands import commands as promoter_commands
from infra.proxy.concern import CONCERN as REGISTRY_PROXY
from infra.staging.concern import CONCERN as STAGING
from infra.staging_images.concern import CONCERN as STAGING_IMAGES

# Checked in this order: a concern's check sees the models of those before it.
CONCERNS: tuple[Concern, ...] = (
    STAGING,
    STAGING_IMAGES,
    GROUPS,
    REGISTRY_MIRRORS,
    PROD_STORAGE,
    REGISTRY_PROXY,
)

# Dependency order: what a concern's resources name is applied before them
# (grants name groups; the proxy serves what the mirrors hold). `up all` and
# `preview all` run the stacks in this order, and `k8s-infra --help` lists the
# concerns' commands in it. A concern not named here comes after, in catalog order.
DEPENDENCY_ORDER: tuple[str, ...] = (
    GROUPS.name,
    STAGING.name,
    STAGING_IMAGES.name,
    REGISTRY_MIRRORS.name,
    PROD_STORAGE.name,
    REGISTRY_PROXY.name,
)

# Commands of tools that are no concern: the image promoter's files.
TOOL_COMMANDS: tuple[Commands, ...] = (promoter_commands,)


def concern(name: str) -> Concern:
    """The entry of the component ``name`` (stack settings only name registered ones)."""
    return next(c for c in CONCERNS if c.name == name)


def stack_schema() -> StackSchema:
    """The components a stack may build and the `k8s-infra:` keys it may set."""
    keys: dict[str, ConfigKey] = dict(SHARED_KEYS)
    needs: dict[str, frozenset[str]] = {}
    for entry in CONCERNS:
        keys.update(entry.config_keys)
        own = {key for key, spec in entry.config_keys.items() if spec.required}
        needs[entry.name] = frozenset(own | entry.needs)
    return StackSchema(
        components=MappingProxyType({c.name: c.summary for c in CONCERNS}),
        keys=MappingProxyType(keys),
        needs=MappingProxyType(needs),
    )


def section_extensions() -> Mapping[str, SectionKeys]:
    """infra.yaml section -> the keys its concern adds."""
    return MappingProxyType(
        {
            c.section: SectionKeys(c.section_keys, c.project_keys)
            for c in CONCERNS
            if c.section is not None
        }
    )


def resource_facts() -> Mapping[str, ResourceFacts]:
    """Type token -> its facts, as the registered concerns declare them (read at each call,
    so that a concern registered later, as a test does, is seen)."""
    return facts_by_type(*(c.resources for c in CONCERNS))


def dependency_rank() -> dict[str, int]:
    """Concern name -> its place in the dependency order (those unnamed there after)."""
    names = [*DEPENDENCY_ORDER, *(c.name for c in CONCERNS if c.name not in DEPENDENCY_ORDER)]
    return {name: rank for rank, name in enumerate(names)}


def command_groups() -> list[Commands]:
    """Every command group of ``k8s-infra``: the concerns' in dependency order, then the tools'."""
    rank = dependency_rank()
    ordered = sorted(CONCERNS, key=lambda c: rank[c.name])
    return [*(c.commands for c in ordered if c.commands is not None), *TOOL_COMMANDS]
