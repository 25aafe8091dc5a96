"""The resource types the production storage creates: all shared Google types
(see ``infra.declarations.google_resources``)."""

from __future__ import annotations

from infra.declarations.google_resources import (
    BUCKET,
    BUCKET_IAM_MEMBER,
    PROJECT_IAM_MEMBER,
    SERVICE_ACCOUNT,
    SERVICE_ACCOUNT_IAM_MEMBER,
)
from infra.declarations.resources import ResourceFacts

RESOURCES: tuple[ResourceFacts, ...] = (
    PROJECT_IAM_MEMBER,
    BUCKET,
    BUCKET_IAM_MEMBER,
    SERVICE_ACCOUNT,
    SERVICE_ACCOUNT_IAM_MEMBER,
)
