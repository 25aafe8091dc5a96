"""Instantiates the staging components of a stack: one per project of the section."""

from __future__ import annotations

import pulumi

from infra.declarations.loaded import Declarations
from infra.declarations.stacks import StackSettings
from infra.staging.component import StagingProjectArgs, StagingProjectComponent
from infra.staging.section import SECTION_READER


def build_staging(settings: StackSettings, declarations: Declarations) -> None:
    """One StagingProject per project of the ``staging`` section."""
    staging = SECTION_READER.model(settings, declarations)
    components = {
        project.project_id: StagingProjectComponent(
            project.project_id, StagingProjectArgs(project, staging.settings)
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
