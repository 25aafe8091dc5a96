"""Every planned resource is imported under its documented id or created idempotently."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from infra.adoption.ids import AdoptionRefused, Target, adoption_steps, import_id, rules
from infra.declarations.resources import Created, Imported
from infra.declarations.stacks import stack_names
from tests.conftest import REPO

TARGET = Target(aws_region="us-east-2", aws_account="513428760722")
P = "k8s-infra-oci-proxy"

# One case per imported type: inputs as the plan records them, and the id the
# provider's import documentation gives for them.
IMPORTED: dict[str, tuple[dict[str, Any], str]] = {
    "gcp:organizations/project:Project": ({"projectId": "k8s-staging-kind"}, "k8s-staging-kind"),
    "gcp:storage/bucket:Bucket": (
        {"project": "k8s-staging-kind", "name": "k8s-staging-kind"},
        "k8s-staging-kind/k8s-staging-kind",
    ),
    "gcp:artifactregistry/repository:Repository": (
        {"project": "k8s-staging-kind", "location": "us-central1", "repositoryId": "images"},
        "projects/k8s-staging-kind/locations/us-central1/repositories/images",
    ),
    "gcp:serviceaccount/account:Account": (
        {"project": "k8s-staging-kind", "accountId": "gcb-image-builder"},
        "projects/k8s-staging-kind/serviceAccounts/"
        "gcb-image-builder@k8s-staging-kind.iam.gserviceaccount.com",
    ),
    "gcp:projects/iAMBinding:IAMBinding": (
        {"project": "k8s-staging-images", "role": "roles/viewer", "members": []},
        "k8s-staging-images roles/viewer",
    ),
    "gcp:projects/iAMAuditConfig:IAMAuditConfig": (
        {"project": "k8s-artifacts-prod", "service": "artifactregistry.googleapis.com"},
        "k8s-artifacts-prod artifactregistry.googleapis.com",
    ),
    "gcp:serviceaccount/iAMBinding:IAMBinding": (
        {
            "serviceAccountId": "projects/p/serviceAccounts/a@p.iam.gserviceaccount.com",
            "role": "roles/iam.workloadIdentityUser",
        },
        "projects/p/serviceAccounts/a@p.iam.gserviceaccount.com roles/iam.workloadIdentityUser",
    ),
    "gcp:cloudrunv2/service:Service": (
        {"project": P, "location": "us-east1", "name": f"{P}-us-east1"},
        f"projects/{P}/locations/us-east1/services/{P}-us-east1",
    ),
    "gcp:compute/globalAddress:GlobalAddress": (
        {"project": P, "name": f"{P}-ipv4"},
        f"projects/{P}/global/addresses/{P}-ipv4",
    ),
    "gcp:compute/globalForwardingRule:GlobalForwardingRule": (
        {"project": P, "name": "https"},
        f"projects/{P}/global/forwardingRules/https",
    ),
    "gcp:compute/backendService:BackendService": (
        {"project": P, "name": "bes"},
        f"projects/{P}/global/backendServices/bes",
    ),
    "gcp:compute/regionNetworkEndpointGroup:RegionNetworkEndpointGroup": (
        {"project": P, "region": "us-east1", "name": "neg"},
        f"projects/{P}/regions/us-east1/networkEndpointGroups/neg",
    ),
    "gcp:compute/securityPolicy:SecurityPolicy": (
        {"project": P, "name": "armor"},
        f"projects/{P}/global/securityPolicies/armor",
    ),
    "gcp:compute/targetHttpProxy:TargetHttpProxy": (
        {"project": P, "name": "http"},
        f"projects/{P}/global/targetHttpProxies/http",
    ),
    "gcp:compute/targetHttpsProxy:TargetHttpsProxy": (
        {"project": P, "name": "https"},
        f"projects/{P}/global/targetHttpsProxies/https",
    ),
    "gcp:compute/uRLMap:URLMap": (
        {"project": P, "name": "map"},
        f"projects/{P}/global/urlMaps/map",
    ),
    "gcp:certificatemanager/certificate:Certificate": (
        {"project": P, "name": "registry-k8s-io-20230508"},
        f"projects/{P}/locations/global/certificates/registry-k8s-io-20230508",
    ),
    "gcp:certificatemanager/certificateMap:CertificateMap": (
        {"project": P, "name": "registry-k8s-io"},
        f"projects/{P}/locations/global/certificateMaps/registry-k8s-io",
    ),
    "gcp:certificatemanager/certificateMapEntry:CertificateMapEntry": (
        {"project": P, "map": "m", "name": "e"},
        f"projects/{P}/locations/global/certificateMaps/m/certificateMapEntries/e",
    ),
    "gcp:certificatemanager/dnsAuthorization:DnsAuthorization": (
        {"project": P, "name": "auth"},
        f"projects/{P}/locations/global/dnsAuthorizations/auth",
    ),
    "gcp:bigquery/dataset:Dataset": (
        {"project": P, "datasetId": "analytics"},
        f"projects/{P}/datasets/analytics",
    ),
    "gcp:logging/projectSink:ProjectSink": (
        {"project": P, "name": "analytics"},
        f"projects/{P}/sinks/analytics",
    ),
    "gcp:monitoring/alertPolicy:AlertPolicy": (
        {"project": P, "displayName": "x"},
        f"projects/{P}/alertPolicies/4242",
    ),
    "gcp:monitoring/notificationChannel:NotificationChannel": (
        {"project": P, "displayName": "x"},
        f"projects/{P}/notificationChannels/4242",
    ),
    "gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig": (
        {"project": P, "displayName": "x"},
        f"projects/{P}/uptimeCheckConfigs/4242",
    ),
    "gcp:serviceusage/consumerQuotaOverride:ConsumerQuotaOverride": (
        {"project": "p", "service": "s.googleapis.com", "metric": "m%2Fx", "limit": "%2Fmin"},
        "projects/p/services/s.googleapis.com/consumerQuotaMetrics/m%2Fx/limits/%2Fmin"
        "/consumerOverrides/4242",
    ),
    "aws:s3/bucket:Bucket": (
        {"bucket": "prod-registry-k8s-io-us-east-2", "region": "us-east-2"},
        "prod-registry-k8s-io-us-east-2",
    ),
    "aws:iam/role:Role": ({"name": "registry.k8s.io_s3writer"}, "registry.k8s.io_s3writer"),
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": (
        {"url": "https://container.googleapis.com/v1/projects/x/locations/l/clusters/c"},
        "arn:aws:iam::513428760722:oidc-provider/"
        "container.googleapis.com/v1/projects/x/locations/l/clusters/c",
    ),
}


def test_every_imported_type_has_a_case() -> None:
    imported = {t for t, rule in rules().items() if isinstance(rule, Imported)}
    assert imported == set(IMPORTED)


@pytest.mark.parametrize("type_", sorted(IMPORTED))
def test_the_id_follows_the_documented_format(type_: str) -> None:
    rule = rules()[type_]
    assert isinstance(rule, Imported)
    inputs, expected = IMPORTED[type_]
    live = "4242" if rule.needs_live_id else None
    derived = import_id(rule, inputs, TARGET, live)
    assert derived == expected
    assert rule.pattern.fullmatch(derived)
    # a malformed id does not pass the format
    assert not rule.pattern.fullmatch(derived + "/x y")


def test_an_s3_bucket_outside_the_stack_region_is_region_qualified() -> None:
    rule = rules()["aws:s3/bucket:Bucket"]
    assert isinstance(rule, Imported)
    bucket = {"bucket": "prod-registry-k8s-io-eu-west-1", "region": "eu-west-1"}
    assert import_id(rule, bucket, TARGET) == "prod-registry-k8s-io-eu-west-1@eu-west-1"
    assert rule.pattern.fullmatch("prod-registry-k8s-io-eu-west-1@eu-west-1")
    # IAM is global: never qualified
    role = rules()["aws:iam/role:Role"]
    assert isinstance(role, Imported)
    assert import_id(role, {"name": "r", "region": "eu-west-1"}, TARGET) == "r"


def _resource(type_: str, name: str, inputs: dict[str, Any], custom: bool = True) -> dict[str, Any]:
    return {
        "urn": f"urn:pulumi:s::k8s-infra::{type_}::{name}",
        "type": type_,
        "name": name,
        "custom": custom,
        "mode": "managed",
        "inputs": inputs,
    }


def test_a_type_without_a_rule_is_refused() -> None:
    unknown = _resource("gcp:compute/network:Network", "net", {"name": "net"})
    with pytest.raises(AdoptionRefused, match="no adoption rule for the resource type"):
        adoption_steps([unknown], TARGET, {})


def test_an_id_the_plan_cannot_know_is_refused() -> None:
    bucket = _resource("gcp:storage/bucket:Bucket", "b", {"name": {"$unknown": "x"}})
    with pytest.raises(AdoptionRefused, match="the input `project` is not known"):
        adoption_steps([bucket], TARGET, {})


def test_service_generated_ids_are_asked_for_with_the_command_that_finds_them() -> None:
    alert = _resource(
        "gcp:monitoring/alertPolicy:AlertPolicy",
        "uptime-alert",
        {"project": P, "displayName": "Up"},
    )
    with pytest.raises(AdoptionRefused) as refused:
        adoption_steps([alert], TARGET, {})
    assert "uptime-alert: gcloud alpha monitoring policies list --project=k8s-infra-oci-proxy" in (
        refused.value.message
    )
    assert 'displayName="Up"' in refused.value.message
    (step,) = adoption_steps([alert], TARGET, {"uptime-alert": "77"})
    assert step.id == f"projects/{P}/alertPolicies/77"
    with pytest.raises(AdoptionRefused, match="--id names no resource"):
        adoption_steps([alert], TARGET, {"uptime-alert": "77", "other": "1"})


def _live_ids(plan: dict[str, Any]) -> dict[str, str]:
    """Distinct ids, as the service gives them, for the resources it names."""
    named = [
        r["name"]
        for r in plan["resources"]
        if (rule := rules().get(r["type"])) and isinstance(rule, Imported) and rule.needs_live_id
    ]
    return {name: str(1000 + i) for i, name in enumerate(named)}


ADOPTED_STACKS = [s for s in stack_names(REPO) if s != "groups"]


@pytest.mark.parametrize("stack", ADOPTED_STACKS)
def test_every_planned_resource_is_imported_or_created_idempotently(
    repo_plan: Callable[[str], dict[str, Any]], stack: str
) -> None:
    """The groups stack is left out by design: dynamic resources cannot be imported."""
    plan = repo_plan(stack)
    steps = adoption_steps(plan["resources"], TARGET, _live_ids(plan))
    managed = [r for r in plan["resources"] if r["mode"] == "managed"]
    assert [s.urn for s in steps] == [r["urn"] for r in managed]
    for step in steps:
        rule = rules().get(step.type)
        if step.action == "import":
            assert isinstance(rule, Imported)
            assert step.id and rule.pattern.fullmatch(step.id), (step.urn, step.id)
        else:
            assert step.id is None
            assert isinstance(rule, Created) or step.type.startswith("k8s-infra:"), step.type
    counts = Counter(s.action for s in steps)
    assert counts["import"] > 0
    # no two resources claim one live object
    ids = [s.id for s in steps if s.id]
    assert len(ids) == len(set(ids))
