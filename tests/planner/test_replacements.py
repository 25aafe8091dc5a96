"""The replacement facts: every type the stacks use is covered, and they name real properties."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from infra.declarations.stacks import stack_names
from infra.planner import replacements
from infra.planner.diff import diff_plans
from infra.planner.placeholders import output_properties
from tests.conftest import REPO

# The registry proxy's resource types, planned once its component lands.
PROXY_TYPES = [
    "gcp:cloudrunv2/service:Service",
    "gcp:cloudrunv2/serviceIamMember:ServiceIamMember",
    "gcp:compute/regionNetworkEndpointGroup:RegionNetworkEndpointGroup",
    "gcp:compute/backendService:BackendService",
    "gcp:compute/uRLMap:URLMap",
    "gcp:compute/targetHttpsProxy:TargetHttpsProxy",
    "gcp:compute/targetHttpProxy:TargetHttpProxy",
    "gcp:compute/globalAddress:GlobalAddress",
    "gcp:compute/globalForwardingRule:GlobalForwardingRule",
    "gcp:compute/securityPolicy:SecurityPolicy",
    "gcp:certificatemanager/dnsAuthorization:DnsAuthorization",
    "gcp:certificatemanager/certificate:Certificate",
    "gcp:certificatemanager/certificateMap:CertificateMap",
    "gcp:certificatemanager/certificateMapEntry:CertificateMapEntry",
    "gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig",
    "gcp:monitoring/alertPolicy:AlertPolicy",
    "gcp:monitoring/notificationChannel:NotificationChannel",
    "gcp:logging/projectSink:ProjectSink",
    "gcp:bigquery/dataset:Dataset",
    "gcp:bigquery/datasetIamMember:DatasetIamMember",
    "gcp:projects/iAMMember:IAMMember",
]


@pytest.mark.parametrize("stack", stack_names(REPO))
def test_every_type_a_stack_plans_has_an_entry(
    repo_plan: Callable[[str], dict[str, Any]], stack: str
) -> None:
    planned = {
        r["type"] for r in repo_plan(stack)["resources"]
        if r["custom"] and not r["type"].startswith("pulumi:providers:")
    }  # fmt: skip
    assert sorted(t for t in planned if not replacements.is_covered(t)) == []


def test_the_proxy_types_have_entries() -> None:
    assert [t for t in PROXY_TYPES if not replacements.is_covered(t)] == []


@pytest.mark.parametrize("token", sorted(replacements.rules()))
def test_each_entry_names_inputs_of_the_provider_class_and_its_source(token: str) -> None:
    rule = replacements.rules()[token]
    assert rule.source, f"{token} cites no provider file"
    if token.startswith("pulumi-python:dynamic/"):
        return  # our own provider: its inputs are ours (infra/groups/provider.py)
    declared = output_properties(token)  # outputs include every input
    assert declared, f"{token} is not a class of the installed providers"
    for path in rule.replace:
        assert path.split(".")[0] in declared, f"{token} has no property {path}"


def resource(**inputs: Any) -> dict[str, Any]:
    token = "gcp:artifactregistry/repository:Repository"
    name = "k8s-staging-images-kueue"
    return {
        "urn": f"urn:pulumi:s::p::{token}::{name}", "type": token, "name": name,
        "custom": True, "mode": "managed", "parent": None, "provider": None,
        "protect": False, "retain_on_delete": True, "depends_on": [], "inputs": inputs,
    }  # fmt: skip


def test_a_location_change_is_a_replacement_a_description_change_is_not() -> None:
    base = {"stack": "s", "resources": [resource(location="us-central1", description="a")]}
    moved = {"stack": "s", "resources": [resource(location="europe-west4", description="a")]}
    described = {"stack": "s", "resources": [resource(location="us-central1", description="b")]}
    (update,) = diff_plans(base, moved, "0" * 40).update
    assert update.replace == ("location",) and update.replaced
    (update,) = diff_plans(base, described, "0" * 40).update
    assert update.replace == () and not update.replaced


def test_a_nested_property_forces_replacement_only_when_it_changes() -> None:
    token = "gcp:artifactregistry/repository:Repository"
    before = {"mavenConfig": {"versionPolicy": "RELEASE", "allowSnapshotOverwrites": False}}
    after = {"mavenConfig": {"versionPolicy": "SNAPSHOT", "allowSnapshotOverwrites": False}}
    assert replacements.forcing(token, before, after) == ["mavenConfig.versionPolicy"]
    assert replacements.forcing(token, before, before) == []


def test_an_unknown_type_is_not_guessed() -> None:
    assert replacements.forcing("gcp:new/thing:Thing", {"a": 1}, {"a": 2}) is None
