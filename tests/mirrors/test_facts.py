"""The region facts the mirror declarations are checked against."""

from __future__ import annotations

import pulumi_aws

from infra.mirrors.regions import load_region_facts


def test_aws_regions_are_those_of_the_installed_provider() -> None:
    """A provider upgrade that knows a new region fails here until the facts list it."""
    installed = {region.value for region in pulumi_aws.Region}
    assert set(load_region_facts().aws) == installed


def test_every_aws_region_has_a_known_partition() -> None:
    partitions = set(load_region_facts().aws.values())
    assert partitions <= {
        "aws",
        "aws-cn",
        "aws-us-gov",
        "aws-eusc",
        "aws-iso",
        "aws-iso-b",
        "aws-iso-e",
        "aws-iso-f",
    }
    regions = load_region_facts().aws
    assert regions["cn-north-1"] == "aws-cn" and regions["us-gov-west-1"] == "aws-us-gov"
    assert all(
        p == "aws"
        for r, p in regions.items()
        if not r.startswith(("cn-", "us-gov", "eusc")) and "iso" not in r
    )


def test_artifact_registry_regions_and_multi_regions_are_apart() -> None:
    facts = load_region_facts()
    assert facts.artifact_registry_multi_regions == {"asia", "europe", "us"}
    assert not facts.artifact_registry_multi_regions & set(facts.artifact_registry)
    assert "me-central2" in facts.artifact_registry
