"""The catalog entry of the shared staging registries (component `staging-images`)."""

from __future__ import annotations

from infra.core.problems import Problems
from infra.declarations.concern import CheckContext, Checked, Concern
from infra.declarations.loaded import Declarations
from infra.declarations.stacks import ConfigKey, StackSettings
from infra.staging_images.guardrails import GUARDRAILS
from infra.staging_images.model import (
    PROJECT_KEYS,
    SECTION,
)
from infra.staging_images.resources import RESOURCES
from infra.staging_images.section import NAME, SECTION_READER


def check(context: CheckContext, problems: Problems) -> Checked:
    """The staging-images section, with each building stack's settings (or alone)."""
    return SECTION_READER.check(context, problems)


def build(settings: StackSettings, declarations: Declarations) -> None:
    from infra.staging_images.build import build_staging_images

    build_staging_images(settings, declarations)


CONCERN = Concern(
    name=NAME,
    summary="the shared staging registry project (infra.yaml `staging-images`)",
    check=check,
    build=build,
    config_keys={
        "staging_images": ConfigKey(
            "object", "settings of the shared staging registry project", required=True
        )
    },
    needs=frozenset({"organization_id", "billing_account"}),
    section=SECTION,
    project_keys=PROJECT_KEYS,
    guardrails=GUARDRAILS,
    resources=RESOURCES,
)
