"""The resource types the shared staging registry creates: all shared Google types
(see ``infra.declarations.google_resources``)."""

from __future__ import annotations

from infra.declarations.google_resources import (
    BUCKET,
    BUCKET_IAM_MEMBER,
    PROJECT,
    PROJECT_IAM_BINDING,
    PROJECT_SERVICE,
    REPOSITORY,
    REPOSITORY_IAM_MEMBER,
    SERVICE_ACCOUNT,
    SERVICE_ACCOUNT_IAM_BINDING,
)
from infra.declarations.resources import ResourceFacts

RESOURCES: tuple[ResourceFacts, ...] = (
    PROJECT,
    PROJECT_SERVICE,
    PROJECT_IAM_BINDING,
    REPOSITORY,
    REPOSITORY_IAM_MEMBER,
    BUCKET,
    BUCKET_IAM_MEMBER,
    SERVICE_ACCOUNT,
    SERVICE_ACCOUNT_IAM_BINDING,
)
