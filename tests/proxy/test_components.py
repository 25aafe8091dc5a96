"""Rules of the proxy's components, on a two-region model, in this process."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from infra.core.problems import Problems
from infra.proxy.armor import load_edge
from infra.proxy.component import RegistryProxy, RegistryProxyArgs
from infra.proxy.model import (
    ArcheioImage,
    DeployIdentity,
    LiveNames,
    PiiLogSink,
    ProxyRegion,
    ProxySpec,
)
from tests.components import record
from tests.conftest import REPO

DIGEST = "sha256:" + "0123456789abcdef" * 4
LB = "k8s-infra:proxy:ProxyLoadBalancer"


def armor() -> Any:
    problems = Problems()
    edge = load_edge(REPO, problems)
    assert edge is not None and not problems.has_errors
    return edge.armor


SPEC = ProxySpec(
    project="demo-proxy",
    domain="registry.example.com",
    owner="group:proxy-admins@example.com",
    service_account="demo-runtime",
    image=ArcheioImage("registry.example.com/archeio", None, DIGEST),
    verbosity=2,
    upstream_path="demo-artifacts/images",
    regions=(
        ProxyRegion("europe-west1", "https://europe-west1-docker.pkg.dev",
                    "https://eu.bucket.example.com", "eu-central-1"),
        ProxyRegion("us-east1", "https://us-east1-docker.pkg.dev",
                    "https://us.bucket.example.com", "us-east-1"),
    ),
    signature_upstream=None,
    allow_referrers=False,
    deletion_protection=True,
    alert_email="alerts@example.com",
    notification_channel_id="1234567",
    live_names=LiveNames("registry-example-com-20240101", "Uptime check", "Uptime alert",
                         "Certificate alert", "demo-proxy-ipv4", "demo-proxy-ipv6"),
    armor=armor(),
)  # fmt: skip


def build(spec: ProxySpec = SPEC) -> dict[str, dict[str, Any]]:
    return record(lambda: RegistryProxy("proxy", RegistryProxyArgs(spec)))


def of_type(resources: dict[str, dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in resources.items() if r["type"] == kind}


def test_one_service_invoker_and_endpoint_group_per_region() -> None:
    resources = build()
    services = of_type(resources, "gcp:cloudrunv2/service:Service")
    assert sorted(r["inputs"]["location"] for r in services.values()) == [
        "europe-west1",
        "us-east1",
    ]
    for region in ("europe-west1", "us-east1"):
        service = resources[f"proxy-archeio-{region}"]["inputs"]
        assert service["name"] == f"demo-proxy-{region}"
        invoker = resources[f"proxy-archeio-{region}-invoker"]["inputs"]
        assert invoker == {"project": "demo-proxy", "location": region, "name": service["name"],
                           "role": "roles/run.invoker", "member": "allUsers"}  # fmt: skip
        group = resources[f"proxy-lb-{region}"]["inputs"]
        assert group["cloudRun"] == {"service": service["name"]}
        assert group["networkEndpointType"] == "SERVERLESS" and group["region"] == region
    backend = resources["proxy-lb-backend"]["inputs"]
    assert [b["group"] for b in backend["backends"]] == [
        "https://www.googleapis.com/compute/v1/"
        f"projects/demo-proxy/regions/{r}/networkEndpointGroups/demo-proxy-{r}-neg"
        for r in ("europe-west1", "us-east1")
    ]


def test_each_region_runs_archeio_against_its_own_upstream() -> None:
    resources = build()
    for region in SPEC.regions:
        container = resources[f"proxy-archeio-{region.region}"]["inputs"]["template"]["containers"]
        (only,) = container
        assert only["image"] == f"registry.example.com/archeio@{DIGEST}"
        assert only["args"] == ["-v=2"]
        assert {e["name"]: e["value"] for e in only["envs"]} == {
            "DEFAULT_AWS_BASE_URL": region.default_aws_base_url,
            "UPSTREAM_REGISTRY_ENDPOINT": region.upstream_endpoint,
            "UPSTREAM_REGISTRY_PATH": "demo-artifacts/images",
            "GOMAXPROCS": "1",
        }


def test_a_signature_upstream_reaches_every_region() -> None:
    spec = dataclasses.replace(SPEC, signature_upstream="https://us-east1-docker.pkg.dev")
    resources = build(spec)
    for region in spec.regions:
        (container,) = resources[f"proxy-archeio-{region.region}"]["inputs"]["template"][
            "containers"
        ]
        envs = {e["name"]: e["value"] for e in container["envs"]}
        assert envs["SIGNATURE_UPSTREAM_ENDPOINT"] == "https://us-east1-docker.pkg.dev"


@pytest.mark.parametrize("protected", [True, False])
def test_deletion_protection_follows_the_setting(protected: bool) -> None:
    resources = build(dataclasses.replace(SPEC, deletion_protection=protected))
    services = of_type(resources, "gcp:cloudrunv2/service:Service")
    assert {r["inputs"]["deletionProtection"] for r in services.values()} == {protected}


def test_addresses_and_certificate_pieces_are_protected_and_nothing_else() -> None:
    resources = build()
    protected = sorted(name for name, r in resources.items() if r["protect"])
    assert protected == [
        "proxy-certificate-certificate",
        "proxy-certificate-dns-authorization",
        "proxy-certificate-map",
        "proxy-certificate-map-entry",
        "proxy-lb-ipv4",
        "proxy-lb-ipv6",
    ]
    assert resources["proxy-lb-ipv6"]["inputs"]["name"] == "demo-proxy-ipv6"
    assert resources["proxy-certificate-certificate"]["inputs"]["name"] == (
        "registry-example-com-20240101"
    )


def test_four_listeners_on_two_addresses() -> None:
    rules = of_type(build(), "gcp:compute/globalForwardingRule:GlobalForwardingRule")
    found = {(r["inputs"]["ipAddress"], r["inputs"]["portRange"], r["inputs"]["target"].rsplit(
        "/", 2)[1]) for r in rules.values()}  # fmt: skip
    v4 = next(a for a, _, _ in found if "." in a)
    v6 = next(a for a, _, _ in found if ":" in a)
    assert found == {
        (v4, "80", "targetHttpProxies"), (v4, "443", "targetHttpsProxies"),
        (v6, "80", "targetHttpProxies"), (v6, "443", "targetHttpsProxies"),
    }  # fmt: skip
    assert {r["inputs"]["loadBalancingScheme"] for r in rules.values()} == {"EXTERNAL_MANAGED"}


def test_both_alerts_select_the_uptime_check_by_its_id() -> None:
    resources = build()
    check_id = "uptime-"  # the placeholder of the id Google gives the check
    for name in ("proxy-monitoring-uptime-alert", "proxy-monitoring-certificate-alert"):
        (condition,) = resources[name]["inputs"]["conditions"]
        text = condition["conditionThreshold"]["filter"]
        assert f'metric.label.check_id="{check_id}' in text
        assert 'registry.example.com"' not in text
        assert resources[name]["inputs"]["notificationChannels"][0] == (
            "projects/demo-proxy/notificationChannels/1234567"
        )


def test_referrers_widen_the_allow_list() -> None:
    def expression(spec: ProxySpec) -> str:
        policy = build(spec)["proxy-lb-armor"]["inputs"]
        return str(policy["rules"][0]["match"]["expr"]["expression"])

    without = expression(SPEC)
    with_referrers = expression(dataclasses.replace(SPEC, allow_referrers=True))
    assert "referrers" not in without
    assert with_referrers == without.replace("$')", "$|^/v2/.+/referrers/.+$')")


def test_the_named_flags_add_their_resources_only() -> None:
    plain = build()
    flagged = build(
        dataclasses.replace(
            SPEC,
            pii_log_sink=PiiLogSink("pii-sink", "demo-pii", "requests"),
            deploy_identity=DeployIdentity("user:deployer@example.com", ("roles/run.admin",)),
        )
    )
    assert sorted(set(flagged) - set(plain)) == ["proxy-logs-pii", "proxy-project-deploy-run-admin"]
    assert set(plain) <= set(flagged)
    sink = flagged["proxy-logs-pii"]["inputs"]
    assert sink["destination"] == "bigquery.googleapis.com/projects/demo-pii/datasets/requests"
    assert flagged["proxy-project-deploy-run-admin"]["inputs"]["members"] == [
        "user:deployer@example.com"
    ]
