"""The Pulumi program: stack config and declarations in, components out.

``infra/__main__.py`` calls ``main()``; the real engine and the offline
planner run exactly this code. Components are chosen by the stack's
``k8s-infra:components`` setting, never by the stack's name, and built by
the concern the catalog registers under that name.
"""

from __future__ import annotations

import os

import pulumi

from infra import catalog
from infra.adoption.imports import register_from_environment
from infra.catalog.validation import load_declarations
from infra.core.environment import DECLARATIONS_CHECKED_ENV, IMPORTS_ENV
from infra.core.errors import ProblemsFound
from infra.core.paths import data_root
from infra.core.problems import Position, Problems
from infra.declarations.layout import stack_path
from infra.declarations.stacks import COMPONENTS_KEY, NAMESPACE, StackSettings, parse_settings

# Set by the offline planner, which checks every declaration of the data root
# once before any program runs (`k8s-infra plan` does it in the parent): each
# program then loads only what its own stack builds from, so a stack's plan
# depends on its own declarations alone. The real engine never sets it.


def settings_from_config(stack: str) -> StackSettings:
    """The stack's settings as the engine hands them over (secrets decrypted by it)."""
    schema = catalog.stack_schema()
    config = pulumi.Config(NAMESPACE)
    keys = [COMPONENTS_KEY, *schema.keys]
    raw = {key: value for key in keys if (value := config.get(key)) is not None}
    problems = Problems()
    display = stack_path(stack)
    settings = parse_settings(stack, raw, lambda _key: Position(display), problems, schema)
    if problems.has_errors:
        raise ProblemsFound(problems.sorted())
    return settings


def main() -> None:
    # Declarations first: their problems (stack files included) carry positions.
    problems = Problems()
    only_stack = pulumi.get_stack() if os.environ.get(DECLARATIONS_CHECKED_ENV) else None
    declarations = load_declarations(data_root(), problems, only_stack)
    if declarations is None or problems.has_errors:
        raise ProblemsFound(problems.sorted())
    settings = settings_from_config(pulumi.get_stack())
    # Only `k8s-infra adopt` sets it, for its import preview and update.
    imports_map = os.environ.get(IMPORTS_ENV)
    imports = (
        register_from_environment(imports_map, pulumi.get_stack(), pulumi.get_project())
        if imports_map
        else None
    )
    for component in settings.components:
        catalog.concern(component).build(settings, declarations)
    if imports is not None:
        imports.check_all_applied()
