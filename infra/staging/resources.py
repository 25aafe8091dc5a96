"""The resource types per-project staging creates: all shared Google types
(see ``infra.declarations.google_resources``)."""

from __future__ import annotations

from infra.declarations.google_resources import (
    BUCKET,
    BUCKET_IAM_MEMBER,
    PROJECT,
    PROJECT_IAM_MEMBER,
    PROJECT_SERVICE,
    REPOSITORY,
    REPOSITORY_IAM_MEMBER,
    SERVICE_ACCOUNT,
    SERVICE_ACCOUNT_IAM_MEMBER,
)
from infra.declarations.resources import ResourceFacts

RESOURCES: tuple[ResourceFacts, ...] = (
    PROJECT,
    PROJECT_SERVICE,
    PROJECT_IAM_MEMBER,
    REPOSITORY,
    REPOSITORY_IAM_MEMBER,
    BUCKET,
    BUCKET_IAM_MEMBER,
    SERVICE_ACCOUNT,
    SERVICE_ACCOUNT_IAM_MEMBER,
)
