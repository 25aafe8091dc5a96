"""Which regions AWS and Artifact Registry have: facts declarations are checked against.

Kept as data files beside the code (``infra/data/``), like every fact about
the world; the mirror declarations under the data root name regions, and
validation refuses a name these files do not list.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from infra.core.fields import Fields
from infra.declarations.facts import DATA_DIR, read_data_file

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


@cache
def load_region_facts(folder: Path | None = None) -> RegionFacts:
    """Both facts files (``folder``: the package's data folder unless given)."""
    place = folder or DATA_DIR
    aws: Mapping[str, str] = read_data_file(place / AWS_REGIONS_FACTS, _read_aws)
    registry: RegionFacts = read_data_file(place / ARTIFACT_REGISTRY_FACTS, _read_registry)
    return replace(registry, aws=aws)


def _regions(fields: Fields, data: Any, keys: Mapping[str, str]) -> dict[str, Any] | None:
    top = fields.mapping(data, (), keys, required=("regions",))
    if top is None or "regions" not in top:
        return None
    regions = fields.mapping(top["regions"], ("regions",), what="`regions`") or {}
    for region, value in regions.items():
        fields.text(value, ("regions", region))
    return top


def _read_aws(fields: Fields, data: Any) -> Mapping[str, str] | None:
    top = _regions(fields, data, {"regions": "region -> partition"})
    if top is None:
        return None
    return MappingProxyType({str(k): str(v) for k, v in top["regions"].items()})


def _read_registry(fields: Fields, data: Any) -> RegionFacts | None:
    keys = {"regions": "region -> the place it is in", "multi_regions": "multi-region names"}
    top = _regions(fields, data, keys)
    if top is None:
        return None
    multi = fields.texts(top.get("multi_regions"), ("multi_regions",))
    return RegionFacts(
        aws=MappingProxyType({}),
        artifact_registry=MappingProxyType({str(k): str(v) for k, v in top["regions"].items()}),
        artifact_registry_multi_regions=frozenset(multi),
    )
