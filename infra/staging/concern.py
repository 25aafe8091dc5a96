"""The catalog entry of per-project staging (component `staging`)."""

from __future__ import annotations

from infra.access.extractors import readers
from infra.core.problems import Problems
from infra.declarations.concern import CheckContext, Checked, Concern, Declarations, GroupReference
from infra.declarations.stacks import ConfigKey, StackSettings
from infra.staging.commands import commands
from infra.staging.model import (
    PROJECT_KEYS,
    SECTION,
    SECTION_KEYS,
    check_staging_options,
    load_staging,
    staging_settings,
)

NAME = "staging"


def check(context: CheckContext, problems: Problems) -> Checked:
    """The staging section, with each building stack's settings (or alone)."""
    if context.estate is None:
        return Checked()
    references: list[GroupReference] = []
    settings_usable: list[bool] = []
    for settings in context.building(NAME):
        shared = staging_settings(settings, problems)
        settings_usable.append(shared is not None)
        if shared is not None:
            staging = load_staging(context.estate, shared, problems)
            references += (GroupReference(a, w) for a, w in staging.group_references)
    if not any(settings_usable):
        # No stack builds it, or none has usable settings: the section is still checked.
        check_staging_options(context.estate, problems)
    return Checked(None, tuple(references))


def build(settings: StackSettings, declarations: Declarations) -> None:
    from infra.staging.build import build_staging

    build_staging(settings, declarations)


CONCERN = Concern(
    name=NAME,
    summary="per-project staging: projects, repositories, buckets, IAM (infra.yaml `staging`)",
    check=check,
    build=build,
    config_keys={
        "staging": ConfigKey("object", "settings shared by every staging project", required=True)
    },
    needs=frozenset({"organization_id", "billing_account", "domain"}),
    section=SECTION,
    section_keys=SECTION_KEYS,
    project_keys=PROJECT_KEYS,
    grants=readers(
        "gcp:projects/iAMMember:IAMMember",
        "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember",
        "gcp:storage/bucketIAMMember:BucketIAMMember",
        "gcp:serviceaccount/iAMMember:IAMMember",
    ),
    commands=commands,
)
