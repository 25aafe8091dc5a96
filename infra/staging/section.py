"""The staging section as the concern reads it: resolved with each building stack's
settings once, by the check; the builder takes the model from there."""

from __future__ import annotations

from infra.declarations.per_stack import PerStackSection
from infra.staging.model import check_staging_options, load_staging, staging_settings

NAME = "staging"

SECTION_READER = PerStackSection(NAME, staging_settings, load_staging, check_staging_options)
