"""Both proxy stacks as the offline planner records them."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.declarations.resources import PlanContext
from infra.planner.placeholders import placeholders
from tests.conftest import REPO, invoke

STACKS = ("registry-prod", "registry-sandbox")
DATA = REPO / "infra" / "data" / "registry"
ROOT = "registry-proxy"
# The resources of the named flags, by stack: nothing else may differ in kind.
FLAGGED = {
    "registry-prod": {f"{ROOT}-logs-pii"},
    "registry-sandbox": {
        f"{ROOT}-project-deploy-run-admin",
        f"{ROOT}-project-deploy-storage-objectadmin",
        f"{ROOT}-project-deploy-viewer",
    },
}
PROTECTED = {
    f"{ROOT}-certificate-certificate",
    f"{ROOT}-certificate-dns-authorization",
    f"{ROOT}-certificate-map",
    f"{ROOT}-certificate-map-entry",
    f"{ROOT}-lb-ipv4",
    f"{ROOT}-lb-ipv6",
}

pytestmark = pytest.mark.plan


def config(stack: str) -> dict[str, Any]:
    text = (REPO / "stacks" / f"Pulumi.{stack}.yaml").read_text()
    return {k.removeprefix("k8s-infra:"): v for k, v in yaml.safe_load(text)["config"].items()}


def serving_regions() -> list[str]:
    return list(yaml.safe_load((DATA / "artifact-registry.yaml").read_text())["regions"]["serving"])


def bucket_endpoint(region: str) -> str:
    """A bucket's endpoint, computed here from the data file, independently of the code."""
    data = yaml.safe_load((DATA / "s3-buckets.yaml").read_text())
    spec = data["buckets"][region] or {}
    name = spec.get("name", data["name_pattern"].replace("{region}", region))
    return str(data["endpoint_pattern"]).replace("{bucket}", name).replace("{region}", region)


def named(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in plan["resources"]}


def of_type(plan: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in plan["resources"] if r["type"] == kind}


@pytest.fixture(scope="module", params=STACKS)
def stack(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def plan(repo_plan: Callable[[str], dict[str, Any]], stack: str) -> dict[str, Any]:
    return repo_plan(stack)


def test_one_of_each_piece_and_one_per_region(plan: dict[str, Any], stack: str) -> None:
    flags = {"registry-prod": {"gcp:logging/projectSink:ProjectSink": 1},
             "registry-sandbox": {"gcp:projects/iAMBinding:IAMBinding": 3}}[stack]  # fmt: skip
    assert Counter(r["type"] for r in plan["resources"]) == Counter(
        {
            "gcp:cloudrunv2/service:Service": 22,
            "gcp:cloudrunv2/serviceIamMember:ServiceIamMember": 22,
            "gcp:compute/regionNetworkEndpointGroup:RegionNetworkEndpointGroup": 22,
            "gcp:compute/securityPolicy:SecurityPolicy": 1,
            "gcp:compute/backendService:BackendService": 1,
            "gcp:compute/uRLMap:URLMap": 2,
            "gcp:compute/targetHttpsProxy:TargetHttpsProxy": 1,
            "gcp:compute/targetHttpProxy:TargetHttpProxy": 1,
            "gcp:compute/globalAddress:GlobalAddress": 2,
            "gcp:compute/globalForwardingRule:GlobalForwardingRule": 4,
            "gcp:certificatemanager/dnsAuthorization:DnsAuthorization": 1,
            "gcp:certificatemanager/certificate:Certificate": 1,
            "gcp:certificatemanager/certificateMap:CertificateMap": 1,
            "gcp:certificatemanager/certificateMapEntry:CertificateMapEntry": 1,
            "gcp:monitoring/notificationChannel:NotificationChannel": 1,
            "gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig": 1,
            "gcp:monitoring/alertPolicy:AlertPolicy": 2,
            "gcp:logging/projectSink:ProjectSink": 1,
            "gcp:bigquery/dataset:Dataset": 1,
            "gcp:bigquery/datasetIamMember:DatasetIamMember": 1,
            "gcp:projects/service:Service": 10,  # nine, and BigQuery for the analytics dataset
            "gcp:projects/iAMMember:IAMMember": 1,
            "gcp:serviceaccount/account:Account": 1,
            "k8s-infra:proxy:RegistryProxy": 1,
            "k8s-infra:proxy:ProxyProject": 1,
            "k8s-infra:proxy:ArcheioServices": 1,
            "k8s-infra:proxy:ProxyCertificate": 1,
            "k8s-infra:proxy:ProxyLoadBalancer": 1,
            "k8s-infra:proxy:ProxyMonitoring": 1,
            "k8s-infra:proxy:ProxyLogSinks": 1,
        }
    ) + Counter(flags)
    assert {r["provider"] for r in plan["resources"]} == {None}


def test_every_service_runs_archeio_against_its_own_region(
    plan: dict[str, Any], stack: str
) -> None:
    settings = config(stack)
    proxy, regions = settings["proxy"], settings["proxy_regions"]
    project = proxy["project"]
    services = of_type(plan, "gcp:cloudrunv2/service:Service")
    assert sorted(s["inputs"]["location"] for s in services.values()) == sorted(serving_regions())
    digest = proxy["image"].rsplit("@", 1)[1]
    for service in services.values():
        inputs, region = service["inputs"], service["inputs"]["location"]
        assert inputs["name"] == f"{project}-{region}" and inputs["project"] == project
        (container,) = inputs["template"]["containers"]
        assert container["image"] == (
            f"us-central1-docker.pkg.dev/k8s-staging-images/infra-tools/archeio@{digest}"
        )
        assert container["args"] == [f"-v={proxy['verbosity']}"]
        env = {e["name"]: e["value"] for e in container["envs"]}
        default = regions[region] and bucket_endpoint(regions[region])
        assert env == {
            "UPSTREAM_REGISTRY_ENDPOINT": f"https://{region}-docker.pkg.dev",
            "UPSTREAM_REGISTRY_PATH": "k8s-artifacts-prod/images",
            "DEFAULT_AWS_BASE_URL": default or proxy["global_aws_base_url"],
            "GOMAXPROCS": "1",
            "SIGNATURE_UPSTREAM_ENDPOINT": "https://us-central1-docker.pkg.dev",
        }
        assert container["resources"] == {"limits": {"cpu": "1000m", "memory": "512Mi"}}
        assert container["startupProbe"] == {
            "tcpSocket": {"port": 8080}, "initialDelaySeconds": 0, "periodSeconds": 240,
            "timeoutSeconds": 240, "failureThreshold": 1,
        }  # fmt: skip
        template = inputs["template"]
        assert template["maxInstanceRequestConcurrency"] == 800
        assert template["timeout"] == "60s"
        assert template["scaling"] == {"maxInstanceCount": 10}
        assert template["serviceAccount"] == (
            f"{proxy['service_account']}@{project}.iam.gserviceaccount.com"
        )
        assert inputs["deletionProtection"] is proxy["deletion_protection"]
        assert inputs["traffics"] == [
            {"type": "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", "percent": 100}
        ]


def test_sandbox_regions_use_their_buckets_and_prod_the_cdn(
    repo_plan: Callable[[str], dict[str, Any]],
) -> None:
    def defaults(stack: str) -> set[str]:
        return {
            e["value"]
            for s in of_type(repo_plan(stack), "gcp:cloudrunv2/service:Service").values()
            for e in s["inputs"]["template"]["containers"][0]["envs"]
            if e["name"] == "DEFAULT_AWS_BASE_URL"
        }

    assert defaults("registry-prod") == {"https://cdn.registry.k8s.io"}
    sandbox = defaults("registry-sandbox")
    assert len(sandbox) > 1 and all(".s3.dualstack." in url for url in sandbox)
    assert config("registry-prod")["proxy"]["deletion_protection"] is True
    assert config("registry-sandbox")["proxy"]["deletion_protection"] is False


def test_public_invokers_and_the_backend_holds_every_region(
    plan: dict[str, Any], stack: str
) -> None:
    project = config(stack)["proxy"]["project"]
    items = named(plan)
    groups = of_type(plan, "gcp:compute/regionNetworkEndpointGroup:RegionNetworkEndpointGroup")
    for region in serving_regions():
        invoker = items[f"{ROOT}-archeio-{region}-invoker"]["inputs"]
        assert (invoker["member"], invoker["role"]) == ("allUsers", "roles/run.invoker")
        assert invoker["name"] == f"{project}-{region}" and invoker["location"] == region
        group = items[f"{ROOT}-lb-{region}"]["inputs"]
        assert group == {
            "project": project, "name": f"{project}-{region}-neg", "region": region,
            "networkEndpointType": "SERVERLESS", "cloudRun": {"service": f"{project}-{region}"},
        }  # fmt: skip
    backend = items[f"{ROOT}-lb-backend"]["inputs"]
    assert sorted(b["group"] for b in backend["backends"]) == sorted(
        "https://www.googleapis.com/compute/v1/"
        f"projects/{project}/regions/{g['inputs']['region']}/networkEndpointGroups/"
        f"{g['inputs']['name']}"
        for g in groups.values()
    )
    assert all(set(b) == {"group"} for b in backend["backends"])  # no balancing settings
    assert {k: v for k, v in backend.items() if k != "backends"} == {
        "project": project,
        "name": f"{project}-default-bes",
        "loadBalancingScheme": "EXTERNAL_MANAGED",
        "enableCdn": False,
        "securityPolicy": f"https://www.googleapis.com/compute/v1/projects/{project}/global/"
        "securityPolicies/security-policy-oci-proxy",
        "logConfig": {"enable": True, "sampleRate": 1},
    }


def test_the_listeners_and_the_redirect(plan: dict[str, Any], stack: str) -> None:
    project = config(stack)["proxy"]["project"]
    items = named(plan)
    link = f"https://www.googleapis.com/compute/v1/projects/{project}/global"
    assert items[f"{ROOT}-lb-http-url-map"]["inputs"]["defaultUrlRedirect"] == {
        "httpsRedirect": True, "redirectResponseCode": "MOVED_PERMANENTLY_DEFAULT",
        "stripQuery": False,
    }  # fmt: skip
    assert items[f"{ROOT}-lb-https-url-map"]["inputs"]["defaultService"] == (
        f"{link}/backendServices/{project}-default-bes"
    )
    domain_id = config(stack)["proxy"]["domain"].replace(".", "-")
    assert items[f"{ROOT}-lb-https-proxy"]["inputs"]["certificateMap"] == (
        f"//certificatemanager.googleapis.com/projects/{project}/locations/global/"
        f"certificateMaps/{domain_id}"
    )
    for version in (4, 6):
        address = items[f"{ROOT}-lb-ipv{version}"]["inputs"]
        assert address == {"project": project, "name": f"{project}-ipv{version}",
                           "addressType": "EXTERNAL", "ipVersion": f"IPV{version}"}  # fmt: skip
        listeners = (
            ("http", "80", f"targetHttpProxies/{project}-http-default"),
            ("https", "443", f"targetHttpsProxies/{project}-default-https-proxy"),
        )
        for scheme, port, target in listeners:
            rule = items[f"{ROOT}-lb-ipv{version}-{scheme}"]["inputs"]
            assert rule["name"] == f"{project}-ipv{version}-{scheme}-managed"
            assert rule["portRange"] == port and rule["target"] == f"{link}/{target}"
            assert rule["ipAddress"] == plan["outputs"][f"ipv{version}Address"]
            assert rule["loadBalancingScheme"] == "EXTERNAL_MANAGED"


def test_the_cloud_armor_rules(plan: dict[str, Any]) -> None:
    (policy,) = of_type(plan, "gcp:compute/securityPolicy:SecurityPolicy").values()
    allow, throttle = policy["inputs"]["rules"]
    assert allow == {
        "priority": 1,
        "action": "deny(404)",
        "description": "Block invalid request paths.",
        "match": {"expr": {"expression": "!request.path.matches('^/$|^/privacy$|^/token$|"
                           "^/v2/?$|^/v2/.+/blobs/.+$|^/v2/.+/manifests/.+$|^/v2/.*tags/list$|"
                           "^/v2/.+/referrers/.+$')"}},
    }  # fmt: skip
    assert throttle == {
        "priority": 2147483647,
        "action": "throttle",
        "description": "Default rule. Limit excessive usage.",
        "match": {"versionedExpr": "SRC_IPS_V1", "config": {"srcIpRanges": ["*"]}},
        "rateLimitOptions": {
            "conformAction": "allow", "exceedAction": "deny(429)", "enforceOnKey": "IP",
            "rateLimitThreshold": {"count": 2490, "intervalSec": 30},
        },
    }  # fmt: skip


def allow_list_pattern(plan: dict[str, Any]) -> str:
    (policy,) = of_type(plan, "gcp:compute/securityPolicy:SecurityPolicy").values()
    expression = policy["inputs"]["rules"][0]["match"]["expr"]["expression"]
    found = re.fullmatch(r"!request\.path\.matches\('(.*)'\)", expression)
    assert found, expression
    return found.group(1)


def test_every_path_archeio_serves_passes_the_planned_rule(plan: dict[str, Any]) -> None:
    """CEL's matches() is a partial match, as re.search; the expression is RE2-compatible."""
    pattern = allow_list_pattern(plan)
    paths = yaml.safe_load((DATA / "archeio-paths.yaml").read_text())
    served = [*paths["serves"]["always"], *paths["serves"]["with_referrers"]]
    assert "/token" in served and any("/referrers/" in p for p in served)
    assert [p for p in served if not re.search(pattern, p)] == []
    assert len(paths["refuses"]) > 10
    assert [p for p in paths["refuses"] if re.search(pattern, p)] == []


def test_the_alert_thresholds(plan: dict[str, Any], stack: str) -> None:
    proxy = config(stack)["proxy"]
    domain, project = proxy["domain"], proxy["project"]
    items = named(plan)
    check = items[f"{ROOT}-monitoring-uptime-check"]["inputs"]
    assert check["displayName"] == proxy["live_names"]["uptime_check"]
    assert check["httpCheck"] == {"path": "/", "port": 443, "requestMethod": "GET", "useSsl": True,
                                  "validateSsl": True, "maskHeaders": False}  # fmt: skip
    assert (check["period"], check["timeout"]) == ("60s", "10s")
    assert check["monitoredResource"] == {
        "type": "uptime_url", "labels": {"host": domain, "project_id": project}}  # fmt: skip
    down = items[f"{ROOT}-monitoring-uptime-alert"]["inputs"]
    expiry = items[f"{ROOT}-monitoring-certificate-alert"]["inputs"]
    assert down["displayName"] == proxy["live_names"]["uptime_alert"]
    assert expiry["displayName"] == proxy["live_names"]["certificate_alert"]
    (up,) = down["conditions"]
    (cert,) = expiry["conditions"]
    threshold = up["conditionThreshold"]
    assert {k: v for k, v in threshold.items() if k != "filter"} == {
        "comparison": "COMPARISON_GT", "thresholdValue": 1, "duration": "120s",
        "aggregations": [{"alignmentPeriod": "300s", "perSeriesAligner": "ALIGN_NEXT_OLDER",
                          "crossSeriesReducer": "REDUCE_COUNT_FALSE",
                          "groupByFields": ["resource.*"]}],
        "trigger": {"count": 1},
    }  # fmt: skip
    threshold = cert["conditionThreshold"]
    assert {k: v for k, v in threshold.items() if k != "filter"} == {
        "comparison": "COMPARISON_LT", "thresholdValue": 15, "duration": "600s",
        "aggregations": [{"alignmentPeriod": "1200s", "perSeriesAligner": "ALIGN_NEXT_OLDER",
                          "crossSeriesReducer": "REDUCE_MEAN",
                          "groupByFields": ["resource.label.*"]}],
        "trigger": {"count": 1},
    }  # fmt: skip
    # Both select the check by the id Google gives it, never by the domain.
    check_ids = {re.search(r'check_id="([^"]+)"', c["conditionThreshold"]["filter"]).group(1)  # type: ignore[union-attr]
                 for c in (up, cert)}  # fmt: skip
    assert len(check_ids) == 1 and domain not in check_ids.pop()
    email = items[f"{ROOT}-monitoring-email"]["inputs"]
    assert email["labels"] == {"email_address": proxy["alert_email"]}
    for policy in (down, expiry):
        manual, mailed = policy["notificationChannels"]
        assert (
            manual == f"projects/{project}/notificationChannels/{proxy['notification_channel_id']}"
        )
        assert mailed.startswith(f"projects/{project}/notificationChannels/")


def test_only_the_addresses_and_the_certificate_are_protected(plan: dict[str, Any]) -> None:
    assert {r["name"] for r in plan["resources"] if r["protect"]} == PROTECTED
    assert not any(r["retain_on_delete"] for r in plan["resources"])


def test_the_certificate_keeps_its_live_name(plan: dict[str, Any], stack: str) -> None:
    proxy = config(stack)["proxy"]
    domain, domain_id = proxy["domain"], proxy["domain"].replace(".", "-")
    items = named(plan)
    assert (
        items[f"{ROOT}-certificate-certificate"]["inputs"]["name"]
        == (proxy["live_names"]["certificate"])
    )
    assert proxy["live_names"]["certificate"] == f"{domain_id}-20230508"
    assert (
        items[f"{ROOT}-certificate-dns-authorization"]["inputs"]["name"] == f"{domain_id}-dnsauth"
    )
    assert items[f"{ROOT}-certificate-dns-authorization"]["inputs"]["domain"] == domain
    entry = items[f"{ROOT}-certificate-map-entry"]["inputs"]
    assert (entry["name"], entry["map"], entry["matcher"]) == (
        f"{domain_id}-default", domain_id, "PRIMARY")  # fmt: skip


def test_the_outputs_a_dns_operator_publishes(plan: dict[str, Any], stack: str) -> None:
    domain = config(stack)["proxy"]["domain"]
    outputs = plan["outputs"]
    (record,) = outputs["dnsAuthorizationRecords"]
    assert record["name"] == f"_acme-challenge.{domain}." and record["type"] == "CNAME"
    assert "." in outputs["ipv4Address"] and ":" in outputs["ipv6Address"]
    pii = "piiLogSinkWriterIdentity"
    assert (pii in outputs) is (stack == "registry-prod")


def test_the_log_exports(plan: dict[str, Any], stack: str) -> None:
    project = config(stack)["proxy"]["project"]
    items = named(plan)
    analytics = items[f"{ROOT}-logs-analytics"]["inputs"]
    assert analytics == {
        "project": project, "name": "analytics", "filter": "jsonPayload.message = image_pull",
        "destination": f"bigquery.googleapis.com/projects/{project}/datasets/analytics",
        "uniqueWriterIdentity": True, "bigqueryOptions": {"usePartitionedTables": False},
    }  # fmt: skip
    writer = items[f"{ROOT}-logs-analytics-writer"]["inputs"]
    assert writer["role"] == "roles/bigquery.dataEditor" and writer["datasetId"] == "analytics"
    assert writer["member"].endswith("@gcp-sa-logging.iam.gserviceaccount.com")
    if stack == "registry-prod":
        pii = items[f"{ROOT}-logs-pii"]["inputs"]
        assert pii["destination"] == (
            "bigquery.googleapis.com/projects/k8s-infra-public-pii/datasets/registry_k8s_io_logs"
        )
        assert pii["filter"] == (
            'resource.type = "cloud_run_revision" AND log_name= '
            '"projects/k8s-infra-oci-proxy-prod/logs/run.googleapis.com%2Frequests"'
        )


# -- the two stacks differ only in config values and the named flags -----------------------


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def computed(plan: dict[str, Any], stack: str) -> dict[str, str]:
    """Values the planner computed for a resource (addresses, ids...) -> where they came from."""
    found = {}
    for resource in plan["resources"]:
        if resource["name"] in FLAGGED[stack]:
            continue
        for prop, make in placeholders(resource["type"]).items():
            value = make(resource["inputs"], resource["name"], PlanContext())
            for text in strings(value):
                found[text] = f"<{resource['name']}.{prop}>"
    return found


def configured(stack: str) -> dict[str, str]:
    """Every config value of the stack (and the domain as a name part) -> its key."""
    settings = config(stack)
    proxy = settings["proxy"]
    found = {v: f"<{k}>" for k, v in proxy.items() if isinstance(v, str)}
    found.update({v: f"<live_names.{k}>" for k, v in proxy["live_names"].items()})
    found[proxy["image"].split(":v")[0].split("@")[0] + "@" + proxy["image"].rsplit("@")[1]] = (
        "<image>"
    )
    found[proxy["domain"].replace(".", "-")] = "<domain as a name>"
    found[f"-v={proxy['verbosity']}"] = "<verbosity>"
    for bucket in settings["proxy_regions"].values():
        found[bucket_endpoint(bucket) if bucket else proxy["global_aws_base_url"]] = "<base url>"
    return found


def normalised(plan: dict[str, Any], stack: str) -> dict[str, Any]:
    values = {**computed(plan, stack), **configured(stack)}
    order = sorted(values, key=len, reverse=True)

    def swap(value: Any) -> Any:
        if isinstance(value, str):
            for text in order:
                value = value.replace(text, values[text])
            return value
        if isinstance(value, dict):
            return {k: swap(v) for k, v in value.items()}
        if isinstance(value, list):
            return [swap(v) for v in value]
        return value

    resources = {}
    for resource in plan["resources"]:
        if resource["name"] in FLAGGED[stack]:
            continue
        inputs = dict(resource["inputs"])
        if "deletionProtection" in inputs:
            inputs["deletionProtection"] = "<deletion_protection>"
        kept = {k: v for k, v in resource.items() if k not in ("urn", "parent", "depends_on")}
        resources[resource["name"]] = swap({**kept, "inputs": inputs})
    outputs = {k: v for k, v in plan["outputs"].items() if k != "piiLogSinkWriterIdentity"}
    return {"resources": resources, "outputs": swap(outputs)}


def test_the_stacks_differ_only_in_config_values_and_the_named_flags(
    repo_plan: Callable[[str], dict[str, Any]],
) -> None:
    prod, sandbox = repo_plan("registry-prod"), repo_plan("registry-sandbox")
    assert {r["name"] for r in prod["resources"]} - {r["name"] for r in sandbox["resources"]} == (
        FLAGGED["registry-prod"]
    )
    assert {r["name"] for r in sandbox["resources"]} - {r["name"] for r in prod["resources"]} == (
        FLAGGED["registry-sandbox"]
    )
    left, right = normalised(prod, "registry-prod"), normalised(sandbox, "registry-sandbox")
    assert left["outputs"] == right["outputs"]
    differing = [n for n in left["resources"] if left["resources"][n] != right["resources"][n]]
    assert differing == [], json.dumps(
        [left["resources"][differing[0]], right["resources"][differing[0]]], indent=1
    )
    # and the stack files hold the same keys, but for the flags
    prod_keys, sandbox_keys = (
        set(config("registry-prod")["proxy"]),
        set(config("registry-sandbox")["proxy"]),
    )
    assert prod_keys - sandbox_keys == {"pii_log_sink", "global_aws_base_url"}
    assert sandbox_keys - prod_keys == {"deploy_identity"}


# -- a change that replaces a protected resource shows in the review diff ---------------


def test_renaming_the_ipv6_address_shows_as_a_refused_replacement(
    git_checkout: Callable[..., Path], cli: Any
) -> None:
    """A new name makes Google replace the address (and the domain's IPv6 with it): the
    review diff says so, and the strict PR check refuses it."""
    repo = git_checkout()
    stack = repo / "stacks" / "Pulumi.registry-prod.yaml"
    text = stack.read_text()
    anchor = "      certificate_alert: SSL/TLS certificate expiration check\n"
    stack.write_text(text.replace(anchor, anchor + "      ipv6_address: registry-k8s-io-ipv6\n"))
    result = invoke(cli, "--root", str(repo), "plan", "registry-prod", "--base", "HEAD", "--json")
    assert result.exit_code == 0, result.output
    diff = json.loads(result.stdout)
    assert diff["create"] == [] and diff["delete"] == []
    updates = {u["urn"].rsplit("::", 1)[1]: u for u in diff["update"]}
    address = updates.pop(f"{ROOT}-lb-ipv6")
    assert address["urn"] == (
        "urn:pulumi:registry-prod::k8s-infra::k8s-infra:proxy:RegistryProxy$"
        "k8s-infra:proxy:ProxyLoadBalancer$gcp:compute/globalAddress:GlobalAddress"
        f"::{ROOT}-lb-ipv6"
    )
    assert address["keys"] == ["name"]
    assert address["replace"] == ["name"]
    # The listeners on it follow the new address; nothing else moves.
    assert {name: u["keys"] for name, u in updates.items()} == {
        f"{ROOT}-lb-ipv6-http": ["ipAddress"],
        f"{ROOT}-lb-ipv6-https": ["ipAddress"],
    }
    strict = invoke(cli, "--root", str(repo), "plan", "registry-prod", "--base", "HEAD",
                    "--strict")  # fmt: skip
    assert strict.exit_code == 1, strict.output
    refused = [line for line in strict.stderr.splitlines() if line.startswith("error: ")]
    assert refused[0] == (
        "error: registry-prod: registry-proxy-lb › GlobalAddress ipv6: replaces a protected "
        "resource (name: k8s-infra-oci-proxy-prod-ipv6 → registry-k8s-io-ipv6); `pulumi up` "
        "refuses to delete it"
    ), strict.stderr
