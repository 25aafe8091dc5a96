"""What the shared staging registries tell the guard rails about their resources.

Their projects are created by the program (their accounts are known
members) and hold data that cannot be made again; the public reads their
registries; their buckets have uniform access.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from infra.declarations.guardrails import GuardRails, PolicyFacts
from infra.staging_images.model import SECTION

if TYPE_CHECKING:
    from infra.declarations.loaded import Declarations

PROJECT = "gcp:organizations/project:Project"
BUCKET = "gcp:storage/bucket:Bucket"
REPOSITORY_READER = (
    "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember",
    "roles/artifactregistry.reader",
)


def facts(declarations: Declarations) -> PolicyFacts:
    """Its projects, from its infra.yaml section."""
    return PolicyFacts(
        projects=frozenset(p.project_id for p in declarations.estate.projects(SECTION))
    )


GUARDRAILS = GuardRails(
    facts=facts,
    public_reads=frozenset({REPOSITORY_READER}),
    production=frozenset({PROJECT}),
    uniform_access=frozenset({BUCKET}),
)
