"""Instantiates the groups component of a stack: one dynamic resource per group."""

from __future__ import annotations

from infra.core.errors import ProblemsFound
from infra.core.problems import Problems
from infra.declarations.loaded import Declarations
from infra.declarations.stacks import StackSettings
from infra.groups.component import GoogleGroups, GoogleGroupsArgs
from infra.groups.loader import load_declared_groups


def build_groups(settings: StackSettings, declarations: Declarations) -> None:
    """One GoogleGroup resource per declared group, under the folder the stack names."""
    problems = Problems()
    tree = load_declared_groups(declarations.root, settings, problems)
    if problems.has_errors:
        raise ProblemsFound(problems.sorted())
    GoogleGroups("groups", GoogleGroupsArgs(tree.groups if tree else ()))
