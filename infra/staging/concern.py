"""The catalog entry of per-project staging (component `staging`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from infra.core.problems import Problems
from infra.declarations.concern import CheckContext, Checked, Concern, Picked
from infra.declarations.loaded import Declarations
from infra.declarations.stacks import ConfigKey, StackSettings
from infra.staging.commands import commands
from infra.staging.guardrails import GUARDRAILS
from infra.staging.model import (
    PROJECT_KEYS,
    SECTION,
    SECTION_KEYS,
)
from infra.staging.resources import RESOURCES
from infra.staging.section import NAME, SECTION_READER


def check(context: CheckContext, problems: Problems) -> Checked:
    """The staging section, with each building stack's settings (or alone)."""
    return SECTION_READER.check(context, problems)


def picks(stack: str, plan: Mapping[str, Any], requested: Sequence[str]) -> Picked:
    from infra.staging.commands.selection import pick

    return pick(stack, plan, requested)


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
    guardrails=GUARDRAILS,
    resources=RESOURCES,
    commands=commands,
    picks=picks,
)
