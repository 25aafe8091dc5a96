"""Instantiates the shared staging registry projects of a stack."""

from __future__ import annotations

import pulumi

from infra.declarations.loaded import Declarations
from infra.declarations.stacks import StackSettings
from infra.staging_images.component import RegistryProjectArgs, RegistryProjectComponent
from infra.staging_images.section import SECTION_READER


def build_staging_images(settings: StackSettings, declarations: Declarations) -> None:
    """One RegistryProject per project of the ``staging-images`` section."""
    registries = SECTION_READER.model(settings, declarations)
    components = {
        project.project_id: RegistryProjectComponent(
            project.project_id, RegistryProjectArgs(project, registries.settings)
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
