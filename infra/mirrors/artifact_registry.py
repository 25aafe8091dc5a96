"""The Artifact Registry mirrors: one public Docker repository per region."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from infra.core import names
from infra.mirrors.model import ArtifactRegistryMirrors as Repositories

TYPE = "k8s-infra:mirrors:ArtifactRegistryMirrors"
READER_ROLE = "roles/artifactregistry.reader"
ADMIN_ROLE = "roles/artifactregistry.admin"
EVERYONE = "allUsers"


@dataclass(frozen=True)
class ArtifactRegistryMirrorsArgs:
    repositories: Repositories


class ArtifactRegistryMirrors(pulumi.ComponentResource):
    """Every regional repository, readable by anyone, keyed by region."""

    def __init__(
        self,
        name: str,
        args: ArtifactRegistryMirrorsArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(TYPE, name, None, opts)
        declared = args.repositories
        # The repositories hold every production image: deleting one takes a
        # region's pulls down until the promoter has copied everything back.
        self.repositories = {
            region: gcp.artifactregistry.Repository(
                f"{name}-{region}",
                project=declared.project,
                location=region,
                repository_id=declared.repository_id,
                format=declared.format,
                opts=pulumi.ResourceOptions(parent=self, protect=True),
            )
            for region in declared.repositories
        }
        self.public_readers = {
            region: gcp.artifactregistry.RepositoryIamMember(
                f"{name}-{region}-public-read",
                project=declared.project,
                location=region,
                repository=repository.repository_id,
                role=READER_ROLE,
                member=EVERYONE,
                opts=pulumi.ResourceOptions(parent=self),
            )
            for region, repository in self.repositories.items()
        }
        # Repository admins on top of the project's authoritative binding: the
        # script granted both, and adopting must not leave either behind.
        for region, repository in self.repositories.items():
            for member in declared.admins:
                gcp.artifactregistry.RepositoryIamMember(
                    f"{name}-{region}-admin-{names.member_slug(member)}",
                    project=declared.project,
                    location=region,
                    repository=repository.repository_id,
                    role=ADMIN_ROLE,
                    member=member,
                    opts=pulumi.ResourceOptions(parent=self),
                )
        self.register_outputs(
            {
                "repositories": {
                    region: repository.name for region, repository in self.repositories.items()
                },
                "urls": {region: repo.url for region, repo in declared.repositories.items()},
            }
        )
