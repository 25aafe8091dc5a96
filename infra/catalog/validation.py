"""Every declaration under a data root, loaded and checked in one pass, through the catalog.

Each concern's check runs even when another found errors, so one run
reports every problem: a broken groups file never hides a bad registry.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType

from infra import catalog
from infra.core.problems import Problems
from infra.declarations.concern import CheckContext, Concern, GroupReference
from infra.declarations.estate import load_estate
from infra.declarations.facts import load_facts
from infra.declarations.loaded import Declarations
from infra.declarations.stacks import (
    COMPONENTS_KEY,
    StackSettings,
    check_stack_file_names,
    load_stack_settings,
    stack_names,
)


def load_stacks(root: Path, problems: Problems) -> dict[str, StackSettings]:
    """Every stack under ``stacks/`` that could be read, by name; problems reported."""
    schema = catalog.stack_schema()
    check_stack_file_names(root, problems)
    found = {}
    for stack in stack_names(root):
        settings = load_stack_settings(root, stack, problems, schema)
        if settings is not None:
            found[stack] = settings
    check_single_instances(found.values(), problems)
    return found


def check_single_instances(stacks: Iterable[StackSettings], problems: Problems) -> None:
    """A single-instance component built by two stacks is an error at the second one:
    both would manage the same resources (every group, for the groups)."""
    for concern in catalog.CONCERNS:
        if not concern.single_instance:
            continue
        building = sorted(
            (s for s in stacks if concern.name in s.components), key=lambda s: s.stack
        )
        for extra in building[1:]:
            problems.error(
                extra.where(COMPONENTS_KEY),
                f"component `{concern.name}` is already built by stack `{building[0].stack}`",
                f"one stack builds `{concern.name}`: remove it from one of the two",
            )


def find_stack_building(root: Path, component: str, problems: Problems) -> StackSettings | None:
    """The stack whose ``components`` include ``component``.

    The problems of that stack's file go to ``problems``, and so do those of a
    file too broken to read (it may be the one) and of a second stack building
    a single-instance component; the other stacks' problems are left to
    ``k8s-infra validate``.
    """
    schema = catalog.stack_schema()
    check_stack_file_names(root, problems)
    building: list[StackSettings] = []
    for stack in stack_names(root):
        own = Problems()
        settings = load_stack_settings(root, stack, own, schema)
        if settings is None or component in settings.components:
            problems.extend(own)
        if settings is not None and component in settings.components:
            building.append(settings)
    check_single_instances(building, problems)
    return building[0] if building else None


def load_declarations(
    root: Path,
    problems: Problems,
    only_stack: str | None = None,
    across: Problems | None = None,
) -> Declarations | None:
    """Load and check every declaration under ``root``; problems go to ``problems``.

    With ``only_stack``, load just what that stack's program builds from:
    infra.yaml, that stack's file and the concerns it names. Checks across
    concerns (grants to groups no file declares) need every declaration and
    are left to a whole load: the offline planner makes one before any
    program runs, so each plan reads, and depends on, only its own stack's
    declarations.

    ``across``: where the checks across concerns report (default
    ``problems``): the planner keeps them apart, since they stop no stack's
    plan (each stack plans from its own files) but fail the command.

    Returns None only when infra.yaml cannot be read at all; the caller
    decides whether errors in ``problems`` stop it.
    """
    estate = load_estate(root, load_facts(), problems, catalog.section_extensions())
    if only_stack is None:
        stacks = MappingProxyType(load_stacks(root, problems))
    else:
        own = load_stack(root, only_stack, problems)
        stacks = MappingProxyType({only_stack: own} if own is not None else {})
    models: dict[str, object] = {}
    references: list[GroupReference] = []
    for concern in _concerns_for(stacks, whole=only_stack is None):
        context = CheckContext(root, estate, stacks, MappingProxyType(dict(models)))
        checked = concern.check(context, problems)
        if checked.model is not None:
            models[concern.name] = checked.model
        references += checked.group_references
    if estate is None:
        return None
    for concern in catalog.CONCERNS if only_stack is None else ():
        model = models.get(concern.name)
        if concern.check_group_references is not None and model is not None:
            concern.check_group_references(
                model, references, across if across is not None else problems
            )
    return Declarations(root, estate, stacks, MappingProxyType(models))


def _concerns_for(stacks: Mapping[str, StackSettings], whole: bool) -> list[Concern]:
    """Every concern for a whole load; else those the loaded stacks build, in catalog order."""
    if whole:
        return list(catalog.CONCERNS)
    built = {name for settings in stacks.values() for name in settings.components}
    return [c for c in catalog.CONCERNS if c.name in built]


def load_stack(root: Path, stack: str, problems: Problems) -> StackSettings | None:
    """One stack's settings, checked against the catalog's schema."""
    return load_stack_settings(root, stack, problems, catalog.stack_schema())
