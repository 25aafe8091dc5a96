"""The catalog entry of the registry mirrors (component `registry-mirrors`)."""

from __future__ import annotations

from infra.core.problems import Problems
from infra.declarations.concern import CheckContext, Checked, Concern
from infra.declarations.loaded import Declarations
from infra.declarations.stacks import ConfigKey, StackSettings
from infra.mirrors.guardrails import GUARDRAILS
from infra.mirrors.model import (
    ARTIFACT_REGISTRY_FILE,
    COMPONENT,
    S3_BUCKETS_FILE,
    load_mirror_declarations,
)
from infra.mirrors.resources import RESOURCES


def check(context: CheckContext, problems: Problems) -> Checked:
    """The mirror data files and every building stack's setting and account pin."""
    return Checked(load_mirror_declarations(context.root, context.stacks, problems))


def build(settings: StackSettings, declarations: Declarations) -> None:
    from infra.mirrors.build import build_registry_mirrors

    build_registry_mirrors(settings, declarations)


CONCERN = Concern(
    name=COMPONENT,
    summary="Artifact Registry and S3 mirrors of the production images",
    check=check,
    build=build,
    inputs=lambda _settings: (ARTIFACT_REGISTRY_FILE, S3_BUCKETS_FILE),
    config_keys={
        "mirrors": ConfigKey(
            "object",
            "who administers and writes the mirrors: APIs, grants, identities, audit logs, "
            "quota caps, the S3 writer role (regions and buckets are data files)",
            required=True,
        )
    },
    guardrails=GUARDRAILS,
    resources=RESOURCES,
)
