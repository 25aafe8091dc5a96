"""The staging-images section as the concern reads it: resolved with each building
stack's settings once, by the check; the builder takes the model from there."""

from __future__ import annotations

from infra.declarations.per_stack import PerStackSection
from infra.staging_images.model import (
    check_staging_images_options,
    load_staging_images,
    staging_images_settings,
)

NAME = "staging-images"

SECTION_READER = PerStackSection(
    NAME, staging_images_settings, load_staging_images, check_staging_images_options
)
