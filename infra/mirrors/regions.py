"""Which regions AWS and Artifact Registry have: facts declarations are checked against.

Kept as data files beside the code (``infra/data/``), like every fact about
the world; the mirror declarations under the data root name regions, and
validation refuses a name these files do not list.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Any

import yaml

from infra.declarations.facts import DATA_DIR

AWS_REGIONS_FACTS = "aws-regions.yaml"
ARTIFACT_REGISTRY_FACTS = "artifact-registry-locations.yaml"
# The partition the registry's account lives in; buckets can be made only there.
AWS_PARTITION = "aws"


@dataclass(frozen=True)
class RegionFacts:
    aws: Mapping[str, str]  # region -> partition
    artifact_registry: Mapping[str, str]  # region -> the place it is in
    artifact_registry_multi_regions: frozenset[str]

    def aws_partition_regions(self) -> list[str]:
        return sorted(r for r, partition in self.aws.items() if partition == AWS_PARTITION)


def _read(name: str) -> Any:
    with (DATA_DIR / name).open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@cache
def load_region_facts() -> RegionFacts:
    aws = _read(AWS_REGIONS_FACTS)["regions"]
    registry = _read(ARTIFACT_REGISTRY_FACTS)
    return RegionFacts(
        aws=MappingProxyType({str(k): str(v) for k, v in aws.items()}),
        artifact_registry=MappingProxyType(
            {str(k): str(v) for k, v in registry["regions"].items()}
        ),
        artifact_registry_multi_regions=frozenset(registry.get("multi_regions") or ()),
    )
