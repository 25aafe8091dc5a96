"""The Pulumi program: stack config and declarations in, components out.

``infra/__main__.py`` calls ``main()``; the real engine and the offline
planner run exactly this code. Components are chosen by the stack's
``k8s-infra:components`` setting, never by the stack's name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pulumi

from infra.core.errors import ProblemsFound
from infra.core.paths import data_root
from infra.core.problems import Position, Problems
from infra.declarations.stacks import KEYS, NAMESPACE, StackSettings, parse_settings
from infra.validation import Declarations, load_declarations

Builder = Callable[[StackSettings, Declarations], None]


def settings_from_config(stack: str) -> StackSettings:
    """The stack's settings as the engine hands them over (secrets decrypted by it)."""
    config = pulumi.Config(NAMESPACE)
    raw = {key: value for key in KEYS if (value := config.get(key)) is not None}
    problems = Problems()
    display = f"stacks/Pulumi.{stack}.yaml"
    settings = parse_settings(stack, raw, lambda _key: Position(display), problems)
    if problems.has_errors:
        raise ProblemsFound(problems.sorted())
    return settings


def builders() -> Mapping[str, Builder]:
    """Component name -> the function that instantiates it.

    Each entry imports its components when called, so a stack pays only for
    the provider packages it uses.
    """
    return {
        "staging": build_staging,
        "staging-images": build_staging_images,
        "registry-mirrors": build_registry_mirrors,
        "groups": build_groups,
    }


def _checked(problems: Problems) -> None:
    if problems.has_errors:
        raise ProblemsFound(problems.sorted())


def build_groups(settings: StackSettings, declarations: Declarations) -> None:
    """One GoogleGroup resource per declared group, under the folder the stack names."""
    from infra.groups.component import GoogleGroups, GoogleGroupsArgs
    from infra.groups.loader import load_declared_groups

    problems = Problems()
    tree = load_declared_groups(declarations.root, settings, problems)
    _checked(problems)
    GoogleGroups("groups", GoogleGroupsArgs(tree.groups if tree else ()))


def build_staging_images(settings: StackSettings, declarations: Declarations) -> None:
    """One RegistryProject per project of the ``staging-images`` section."""
    from infra.staging_images.component import RegistryProjectArgs, RegistryProjectComponent
    from infra.staging_images.model import load_staging_images, staging_images_settings

    problems = Problems()
    shared = staging_images_settings(settings, problems)
    _checked(problems)
    assert shared is not None
    registries = load_staging_images(declarations.estate, shared, problems)
    _checked(problems)
    components = {
        project.project_id: RegistryProjectComponent(
            project.project_id, RegistryProjectArgs(project, shared)
        )
        for project in registries.projects
    }
    pulumi.export(
        "stagingRegistries",
        {
            f"{project_id}/{name}": repository.registry_uri
            for project_id, component in components.items()
            for name, repository in component.repositories.items()
        },
    )


def build_staging(settings: StackSettings, declarations: Declarations) -> None:
    """One StagingProject per project of the ``staging`` section."""
    from infra.staging.component import StagingProjectArgs, StagingProjectComponent
    from infra.staging.model import load_staging, staging_settings

    problems = Problems()
    shared = staging_settings(settings, problems)
    _checked(problems)
    assert shared is not None
    staging = load_staging(declarations.estate, shared, problems)
    _checked(problems)
    components = {
        project.project_id: StagingProjectComponent(
            project.project_id, StagingProjectArgs(project, shared)
        )
        for project in staging.projects
    }
    pulumi.export(
        "stagingRepositories",
        {
            project_id: component.repository.registry_uri
            for project_id, component in components.items()
            if component.repository is not None
        },
    )


def main() -> None:
    # Declarations first: their problems (stack files included) carry positions.
    problems = Problems()
    declarations = load_declarations(data_root(), problems)
    if declarations is None or problems.has_errors:
        raise ProblemsFound(problems.sorted())
    settings = settings_from_config(pulumi.get_stack())
    available = builders()
    for component in settings.components:
        available[component](settings, declarations)


def build_registry_mirrors(settings: StackSettings, declarations: Declarations) -> None:
    """Artifact Registry and S3 mirrors of the production images."""
    from infra.mirrors.build import build_registry_mirrors as build

    build(settings, declarations)
