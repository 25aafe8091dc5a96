"""The catalog entry of the Google Groups (component `groups`)."""

from __future__ import annotations

from collections.abc import Sequence

from infra.core.problems import Problems
from infra.declarations.concern import CheckContext, Checked, Concern, GroupReference
from infra.declarations.inputs import EVERYTHING
from infra.declarations.loaded import Declarations
from infra.declarations.stacks import ConfigKey, StackSettings
from infra.groups.access import GROUPS_KEY, parse_groups_object, stack_fields
from infra.groups.commands import commands
from infra.groups.guardrails import GUARDRAILS
from infra.groups.loader import (
    GROUPS_COMPONENT,
    check_referenced_groups,
    groups_location,
    load_declared_groups,
)
from infra.groups.model import GROUPS_DIR, GroupsTree
from infra.groups.resources import RESOURCES


def check(context: CheckContext, problems: Problems) -> Checked:
    """The groups tree where the groups stack says (default groups/), and every
    stack's `k8s-infra:groups` object."""
    for settings in context.stacks.values():
        if GROUPS_KEY in settings.values:
            parse_groups_object(settings.object(GROUPS_KEY), stack_fields(settings, problems))
    stack = next(iter(context.building(GROUPS_COMPONENT)), None)
    return Checked(load_declared_groups(context.root, stack, problems))


def check_group_references(
    model: object, references: Sequence[GroupReference], problems: Problems
) -> None:
    """A grant to a group that does not exist fails at apply time: catch it in the PR."""
    if isinstance(model, GroupsTree):
        pairs = [(r.address, r.where) for r in references]
        check_referenced_groups(model, pairs, problems, severity="error")


def inputs(settings: StackSettings | None) -> tuple[str, ...]:
    """The whole groups folder: every groups.yaml, restrictions.yaml and any look-alike."""
    found = groups_location(settings, Problems()) if settings is not None else None
    folder = found[0] if found is not None else GROUPS_DIR
    return (folder + EVERYTHING,)


def build(settings: StackSettings, declarations: Declarations) -> None:
    from infra.groups.build import build_groups

    build_groups(settings, declarations)


CONCERN = Concern(
    name=GROUPS_COMPONENT,
    summary="Google Groups declared under the groups data root",
    check=check,
    build=build,
    config_keys={
        "groups": ConfigKey("object", "where groups are declared and how they are reconciled")
    },
    check_group_references=check_group_references,
    single_instance=True,
    inputs=inputs,
    guardrails=GUARDRAILS,
    resources=RESOURCES,
    commands=commands,
)
