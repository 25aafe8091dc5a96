"""Every declaration under a data root, loaded and checked in one pass."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from infra.core.problems import Position, Problems
from infra.declarations.estate import Estate, load_estate
from infra.declarations.facts import load_facts
from infra.declarations.stacks import (
    StackSettings,
    load_stack_settings,
    stack_names,
    stacks_building,
)
from infra.groups.access import parse_groups_object
from infra.groups.loader import GROUPS_COMPONENT, check_referenced_groups, load_declared_groups
from infra.groups.model import GroupsTree
from infra.mirrors.model import Mirrors, load_mirror_declarations
from infra.staging.model import check_staging_options, load_staging, staging_settings
from infra.staging_images.model import (
    check_staging_images_options,
    load_staging_images,
    staging_images_settings,
)


@dataclass(frozen=True)
class Declarations:
    root: Path
    estate: Estate
    stacks: Mapping[str, StackSettings]
    mirrors: Mirrors | None = None  # when a stack builds the registry mirrors
    groups: GroupsTree | None = None  # where the groups stack says (default groups/)


def load_declarations(root: Path, problems: Problems) -> Declarations | None:
    """Load every declaration under ``root``; problems go to ``problems``.

    Returns None only when a file the others depend on cannot be read at all;
    the caller decides whether errors in ``problems`` stop it.
    """
    facts = load_facts()
    estate = load_estate(root, facts, problems)
    stacks = {}
    for stack in stack_names(root):
        settings = load_stack_settings(root, stack, problems)
        if settings is not None:
            stacks[stack] = settings
    mirrors = load_mirror_declarations(root, stacks, problems)
    for settings in stacks.values():
        if "groups" in settings.values:
            parse_groups_object(settings.object("groups"), settings.where("groups"), problems)
    groups_stack = next(iter(stacks_building(stacks.values(), GROUPS_COMPONENT)), None)
    groups = load_declared_groups(root, groups_stack, problems)
    if estate is None:
        return None
    references = _check_staging(estate, stacks.values(), problems)
    if groups is not None:
        # A grant to a group that does not exist fails at apply time: catch it in the PR.
        check_referenced_groups(groups, references, problems, severity="error")
    return Declarations(root, estate, MappingProxyType(stacks), mirrors, groups)


def _check_staging(
    estate: Estate, stacks: Iterable[StackSettings], problems: Problems
) -> list[tuple[str, Position]]:
    """Check the staging sections with each building stack's settings (or alone).

    Returns every group their grants name, with where it is named.
    """
    stacks = list(stacks)
    references: list[tuple[str, Position]] = []
    staging_stacks = [s for s in stacks if "staging" in s.components]
    for settings in staging_stacks:
        shared = staging_settings(settings, problems)
        if shared is not None:
            references += load_staging(estate, shared, problems).group_references
    if not staging_stacks:
        check_staging_options(estate, problems)
    registry_stacks = [s for s in stacks if "staging-images" in s.components]
    for settings in registry_stacks:
        registry_settings = staging_images_settings(settings, problems)
        if registry_settings is not None:
            loaded = load_staging_images(estate, registry_settings, problems)
            references += loaded.group_references
    if not registry_stacks:
        check_staging_images_options(estate, problems)
    return references
