"""The `registry-mirrors` component of a stack: both mirror sets and what they need."""

from __future__ import annotations

import pulumi

from infra.core.errors import ProblemsFound
from infra.core.fields import Fields, locate_file
from infra.core.problems import Position, Problems
from infra.declarations.layout import stack_path
from infra.declarations.loaded import Declarations
from infra.declarations.stacks import StackSettings
from infra.mirrors.artifact_registry import (
    ArtifactRegistryMirrors,
    ArtifactRegistryMirrorsArgs,
)
from infra.mirrors.model import COMPONENT, S3_BUCKETS_FILE, Mirrors, check_account_pin
from infra.mirrors.project import MirrorProject, MirrorProjectArgs
from infra.mirrors.s3_mirror_set import S3MirrorSet, S3MirrorSetArgs
from infra.mirrors.s3_writer import S3Writer, S3WriterArgs
from infra.mirrors.settings import parse_mirror_settings


def build_registry_mirrors(settings: StackSettings, declarations: Declarations) -> None:
    display = stack_path(settings.stack)
    problems = Problems()
    mirrors = declarations.model(COMPONENT, Mirrors)
    if mirrors is None:
        problems.error(
            Position(S3_BUCKETS_FILE),
            "the mirror data files were not loaded",
            "run `k8s-infra validate`",
        )
        raise ProblemsFound(problems.sorted())
    # The config the engine hands over is what counts, not the file on disk.
    check_account_pin(
        mirrors.s3.account_id,
        pulumi.Config("aws").get_object("allowedAccountIds"),
        Position(display),
        problems,
    )
    spec = parse_mirror_settings(
        settings.values.get("mirrors"), Fields(locate_file(display), problems)
    )
    if spec is None or problems.has_errors:
        raise ProblemsFound(problems.sorted())

    MirrorProject("mirror-project", MirrorProjectArgs(mirrors.artifact_registry.project, spec))
    ArtifactRegistryMirrors(
        "artifact-registry", ArtifactRegistryMirrorsArgs(mirrors.artifact_registry)
    )
    writer = S3Writer("s3-writer", S3WriterArgs(spec.s3_writer))
    S3MirrorSet("s3-mirrors", S3MirrorSetArgs(mirrors.s3, writer.role.arn))

    # For the proxy and for people; other stacks compute the same from the data.
    pulumi.export(
        "bucketEndpoints", {region: b.endpoint for region, b in mirrors.s3.buckets.items()}
    )
    pulumi.export(
        "repositoryUrls",
        {region: r.url for region, r in mirrors.artifact_registry.repositories.items()},
    )
