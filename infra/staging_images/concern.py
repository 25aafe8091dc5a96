"""The catalog entry of the shared staging registries (component `staging-images`)."""

from __future__ import annotations

from infra.core.problems import Problems
from infra.declarations.concern import CheckContext, Checked, Concern, Declarations, GroupReference
from infra.declarations.stacks import ConfigKey, StackSettings
from infra.staging_images.guardrails import GUARDRAILS
from infra.staging_images.model import (
    PROJECT_KEYS,
    SECTION,
    check_staging_images_options,
    load_staging_images,
    staging_images_settings,
)
from infra.staging_images.resources import RESOURCES

NAME = "staging-images"


def check(context: CheckContext, problems: Problems) -> Checked:
    """The staging-images section, with each building stack's settings (or alone)."""
    if context.estate is None:
        return Checked()
    references: list[GroupReference] = []
    settings_usable: list[bool] = []
    for settings in context.building(NAME):
        shared = staging_images_settings(settings, problems)
        settings_usable.append(shared is not None)
        if shared is not None:
            loaded = load_staging_images(context.estate, shared, problems)
            references += (GroupReference(a, w) for a, w in loaded.group_references)
    if not any(settings_usable):
        # No stack builds it, or none has usable settings: the section is still checked.
        check_staging_images_options(context.estate, problems)
    return Checked(None, tuple(references))


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
