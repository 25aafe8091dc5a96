"""The facts of the resource types the registry proxy creates.

See ``infra.declarations.resources`` for the vocabulary.

Cloud Run, the global load balancer, Cloud Armor, the certificate, and the
monitoring, logs and BigQuery around them; plus the shared Google types it
uses (its services, accounts and IAM).
"""

from __future__ import annotations

import hashlib

from infra.declarations.google_resources import (
    ADDITIVE_IAM,
    PROJECT_IAM_BINDING,
    PROJECT_IAM_MEMBER,
    PROJECT_SERVICE,
    SERVICE_ACCOUNT,
)
from infra.declarations.resources import (
    DOCSTRING,
    Created,
    GrantsOn,
    Imported,
    Inputs,
    Placeholder,
    PlanContext,
    ResourceFacts,
    joined,
    replaced_by,
    stable_number,
    values,
)

_MEMBER = "google-beta/tpgiamresource/resource_iam_member.go"


def _compute_link(collection: str) -> Placeholder:
    """A global compute resource's self link."""
    return lambda i, _n, _c: (
        f"https://www.googleapis.com/compute/v1/projects/{i.get('project')}"
        f"/global/{collection}/{i.get('name')}"
    )


def _endpoint_group_link(i: Inputs, _n: str, _c: PlanContext) -> str:
    region, name = i.get("region"), i.get("name")
    return (
        f"https://www.googleapis.com/compute/v1/projects/{i.get('project')}"
        f"/regions/{region}/networkEndpointGroups/{name}"
    )


def _global_address(i: Inputs, _n: str, _c: PlanContext) -> str:
    """An address from the documentation ranges (RFC 5737, RFC 3849): never a real one."""
    host = int(stable_number(str(i.get("project")), str(i.get("name")), digits=3)) % 254 + 1
    return f"2001:db8::{host:x}" if i.get("ipVersion") == "IPV6" else f"192.0.2.{host}"


def _dns_authorization_records(i: Inputs, _n: str, _c: PlanContext) -> list[dict[str, str]]:
    token = hashlib.sha256(f"{i.get('project')}/{i.get('domain')}".encode()).hexdigest()
    return [
        {
            "name": f"_acme-challenge.{i.get('domain')}.",
            "type": "CNAME",
            "data": f"{token[:8]}-{token[8:12]}.1.authorize.certificatemanager.goog.",
        }
    ]


def _logging_agent(i: Inputs, _n: str, _c: PlanContext) -> str:
    """Project sinks write as the project's logging service agent."""
    number = stable_number(str(i.get("project")))
    return f"serviceAccount:service-{number}@gcp-sa-logging.iam.gserviceaccount.com"


def _live_id(collection: str, command: str) -> Imported:
    """Named by the service when created: a second create makes a duplicate (two alerts
    paging for one outage), so it is imported too, under the id a person reads from the
    live project."""
    return Imported(
        f"projects/{{project}}/{collection}/{{live}}",
        DOCSTRING,
        find=f"{command} --project={{project}} "
        "--filter='displayName=\"{displayName}\"' --format='value(name)'",
    )


def _compute(service: str, product: str) -> tuple[str, str]:
    return (
        f"google-beta/services/compute/resource_compute_{service}.go",
        f"mmv1/products/compute/{product}.yaml",
    )


def _certificates(service: str, product: str) -> tuple[str, str]:
    return (
        f"google-beta/services/certificatemanager/resource_certificate_manager_{service}.go",
        f"mmv1/products/certificatemanager/{product}.yaml",
    )


def _monitoring(service: str, product: str) -> tuple[str, str]:
    return (
        f"google-beta/services/monitoring/resource_monitoring_{service}.go",
        f"mmv1/products/monitoring/{product}.yaml",
    )


# --- Cloud Run -----------------------------------------------------------------------

RUN_SERVICE = ResourceFacts(
    "gcp:cloudrunv2/service:Service",
    adoption=Imported("projects/{project}/locations/{location}/services/{name}", DOCSTRING),
    replacement=replaced_by(
        "project",
        "location",
        "name",
        "tags",
        source=(
            "google-beta/services/cloudrunv2/resource_cloud_run_v2_service.go",
            "mmv1/products/cloudrunv2/Service.yaml",
        ),
    ),
    key=values("project", "location", "name"),
)
RUN_SERVICE_IAM_MEMBER = ResourceFacts(
    "gcp:cloudrunv2/serviceIamMember:ServiceIamMember",
    adoption=Created(ADDITIVE_IAM),
    replacement=replaced_by(
        "project",
        "location",
        "name",
        "role",
        "member",
        "condition",
        source=("google-beta/services/cloudrunv2/iam_cloud_run_v2_service.go", _MEMBER),
    ),
    # the review calls it a service, the access report a cloud run service
    grants_on=GrantsOn(
        RUN_SERVICE.token,
        values("project", "location", "name"),
        "service",
        "cloud run service",
        joined("project", "location", "name"),
    ),
)

# --- The global load balancer ------------------------------------------------------------

ENDPOINT_GROUP = ResourceFacts(
    "gcp:compute/regionNetworkEndpointGroup:RegionNetworkEndpointGroup",
    adoption=Imported(
        "projects/{project}/regions/{region}/networkEndpointGroups/{name}", DOCSTRING
    ),
    # no update method: every input replaces it
    replacement=replaced_by(
        "project",
        "region",
        "name",
        "description",
        "networkEndpointType",
        "pscTargetService",
        "network",
        "subnetwork",
        "pscData",
        "cloudRun",
        "appEngine",
        "cloudFunction",
        "serverlessDeployment",
        source=_compute("region_network_endpoint_group", "RegionNetworkEndpointGroup"),
    ),
    placeholders={"selfLink": _endpoint_group_link},
)
BACKEND_SERVICE = ResourceFacts(
    "gcp:compute/backendService:BackendService",
    adoption=Imported("projects/{project}/global/backendServices/{name}", DOCSTRING),
    replacement=replaced_by(
        "project",
        "name",
        "params",
        "dynamicForwarding.ipPortSelection.enabled",
        source=_compute("backend_service", "BackendService"),
    ),
    placeholders={"selfLink": _compute_link("backendServices")},
)
URL_MAP = ResourceFacts(
    "gcp:compute/uRLMap:URLMap",
    adoption=Imported("projects/{project}/global/urlMaps/{name}", DOCSTRING),
    replacement=replaced_by("project", "name", source=_compute("url_map", "UrlMap")),
    placeholders={"selfLink": _compute_link("urlMaps")},
)
HTTPS_PROXY = ResourceFacts(
    "gcp:compute/targetHttpsProxy:TargetHttpsProxy",
    adoption=Imported("projects/{project}/global/targetHttpsProxies/{name}", DOCSTRING),
    # urlMap, certificates, certificateMap, sslPolicy, quicOverride have update calls
    replacement=replaced_by(
        "project",
        "name",
        "description",
        "tlsEarlyData",
        "proxyBind",
        "httpKeepAliveTimeoutSec",
        source=_compute("target_https_proxy", "TargetHttpsProxy"),
    ),
    placeholders={"selfLink": _compute_link("targetHttpsProxies")},
)
HTTP_PROXY = ResourceFacts(
    "gcp:compute/targetHttpProxy:TargetHttpProxy",
    adoption=Imported("projects/{project}/global/targetHttpProxies/{name}", DOCSTRING),
    replacement=replaced_by(
        "project",
        "name",
        "description",
        "proxyBind",
        "httpKeepAliveTimeoutSec",
        source=_compute("target_http_proxy", "TargetHttpProxy"),
    ),
    placeholders={"selfLink": _compute_link("targetHttpProxies")},
)
GLOBAL_ADDRESS = ResourceFacts(
    "gcp:compute/globalAddress:GlobalAddress",
    adoption=Imported("projects/{project}/global/addresses/{name}", DOCSTRING),
    # labels have an update call
    replacement=replaced_by(
        "project",
        "name",
        "address",
        "addressType",
        "description",
        "ipVersion",
        "network",
        "prefixLength",
        "purpose",
        source=_compute("global_address", "GlobalAddress"),
    ),
    placeholders={"address": _global_address, "selfLink": _compute_link("addresses")},
    stateful=True,
)
FORWARDING_RULE = ResourceFacts(
    "gcp:compute/globalForwardingRule:GlobalForwardingRule",
    adoption=Imported("projects/{project}/global/forwardingRules/{name}", DOCSTRING),
    # target and labels have update calls
    replacement=replaced_by(
        "project",
        "name",
        "ipAddress",
        "ipProtocol",
        "ipVersion",
        "description",
        "portRange",
        "network",
        "subnetwork",
        "networkTier",
        "metadataFilters",
        "sourceIpRanges",
        "allowPscGlobalAccess",
        "noAutomateDnsZone",
        "serviceDirectoryRegistrations",
        source=_compute("global_forwarding_rule", "GlobalForwardingRule"),
    ),
)
SECURITY_POLICY = ResourceFacts(
    "gcp:compute/securityPolicy:SecurityPolicy",
    adoption=Imported("projects/{project}/global/securityPolicies/{name}", DOCSTRING),
    replacement=replaced_by(
        "project",
        "name",
        "type",
        source="google-beta/services/compute/resource_compute_security_policy.go",
    ),
    placeholders={"selfLink": _compute_link("securityPolicies")},
)

# --- Certificates -----------------------------------------------------------------------

DNS_AUTHORIZATION = ResourceFacts(
    "gcp:certificatemanager/dnsAuthorization:DnsAuthorization",
    adoption=Imported(
        "projects/{project}/locations/{location}/dnsAuthorizations/{name}",
        DOCSTRING,
        defaults={"location": "global"},
    ),
    replacement=replaced_by(
        "project",
        "location",
        "name",
        "domain",
        "type",
        source=_certificates("dns_authorization", "DnsAuthorization"),
    ),
    placeholders={"dnsResourceRecords": _dns_authorization_records},
)
CERTIFICATE = ResourceFacts(
    "gcp:certificatemanager/certificate:Certificate",
    adoption=Imported(
        "projects/{project}/locations/{location}/certificates/{name}",
        DOCSTRING,
        defaults={"location": "global"},
    ),
    replacement=replaced_by(
        "project",
        "location",
        "name",
        "scope",
        "managed",
        source=_certificates("certificate", "Certificate"),
    ),
    stateful=True,
    live_inputs=("name",),  # dated when it was made: copied from the live project
)
CERTIFICATE_MAP = ResourceFacts(
    "gcp:certificatemanager/certificateMap:CertificateMap",
    adoption=Imported("projects/{project}/locations/global/certificateMaps/{name}", DOCSTRING),
    replacement=replaced_by(
        "project", "name", source=_certificates("certificate_map", "CertificateMap")
    ),
)
CERTIFICATE_MAP_ENTRY = ResourceFacts(
    "gcp:certificatemanager/certificateMapEntry:CertificateMapEntry",
    adoption=Imported(
        "projects/{project}/locations/global/certificateMaps/{map}/certificateMapEntries/{name}",
        DOCSTRING,
    ),
    replacement=replaced_by(
        "project",
        "map",
        "name",
        "hostname",
        "matcher",
        source=_certificates("certificate_map_entry", "CertificateMapEntry"),
    ),
)

# --- Monitoring, logs, BigQuery ----------------------------------------------------------

UPTIME_CHECK = ResourceFacts(
    "gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig",
    adoption=_live_id("uptimeCheckConfigs", "gcloud monitoring uptime list-configs"),
    replacement=replaced_by(
        "project",
        "checkerType",
        "httpCheck.requestMethod",
        "monitoredResource",
        "resourceGroup",
        "syntheticMonitor",
        source=_monitoring("uptime_check_config", "UptimeCheckConfig"),
    ),
    placeholders={
        "uptimeCheckId": lambda i, _n, _c: (
            "uptime-" + stable_number(str(i.get("project")), str(i.get("displayName")), digits=10)
        ),
    },
)
ALERT_POLICY = ResourceFacts(
    "gcp:monitoring/alertPolicy:AlertPolicy",
    adoption=_live_id("alertPolicies", "gcloud alpha monitoring policies list"),
    replacement=replaced_by("project", source=_monitoring("alert_policy", "AlertPolicy")),
)
NOTIFICATION_CHANNEL = ResourceFacts(
    "gcp:monitoring/notificationChannel:NotificationChannel",
    adoption=_live_id("notificationChannels", "gcloud beta monitoring channels list"),
    replacement=replaced_by(
        "project", source=_monitoring("notification_channel", "NotificationChannel")
    ),
    placeholders={
        "name": lambda i, _n, _c: (
            f"projects/{i.get('project')}/notificationChannels/"
            + stable_number(str(i.get("project")), str(i.get("displayName")), digits=19)
        ),
    },
)
PROJECT_SINK = ResourceFacts(
    "gcp:logging/projectSink:ProjectSink",
    adoption=Imported("projects/{project}/sinks/{name}", DOCSTRING),
    # changing uniqueWriterIdentity gives a new writer identity, in place
    replacement=replaced_by(
        "project",
        "name",
        source=(
            "google-beta/services/logging/resource_logging_project_sink.go",
            "google-beta/services/logging/resource_logging_sink.go",
        ),
    ),
    placeholders={"writerIdentity": _logging_agent},
)
DATASET = ResourceFacts(
    "gcp:bigquery/dataset:Dataset",
    adoption=Imported("projects/{project}/datasets/{datasetId}", DOCSTRING),
    replacement=replaced_by(
        "project",
        "datasetId",
        "location",
        "externalDatasetReference",
        source=(
            "google-beta/services/bigquery/resource_bigquery_dataset.go",
            "mmv1/products/bigquery/Dataset.yaml",
        ),
    ),
    key=values("project", "datasetId"),
    stateful=True,
)
DATASET_IAM_MEMBER = ResourceFacts(
    "gcp:bigquery/datasetIamMember:DatasetIamMember",
    adoption=Created(ADDITIVE_IAM),
    replacement=replaced_by(
        "project",
        "datasetId",
        "role",
        "member",
        "condition",
        source=("google-beta/services/bigquery/iam_bigquery_member_dataset.go", _MEMBER),
    ),
    grants_on=GrantsOn(
        DATASET.token,
        values("project", "datasetId"),
        "dataset",
        "dataset",
        joined("project", "datasetId"),
    ),
)

RESOURCES: tuple[ResourceFacts, ...] = (
    PROJECT_SERVICE,
    PROJECT_IAM_MEMBER,
    PROJECT_IAM_BINDING,
    SERVICE_ACCOUNT,
    RUN_SERVICE,
    RUN_SERVICE_IAM_MEMBER,
    ENDPOINT_GROUP,
    BACKEND_SERVICE,
    URL_MAP,
    HTTPS_PROXY,
    HTTP_PROXY,
    GLOBAL_ADDRESS,
    FORWARDING_RULE,
    SECURITY_POLICY,
    DNS_AUTHORIZATION,
    CERTIFICATE,
    CERTIFICATE_MAP,
    CERTIFICATE_MAP_ENTRY,
    UPTIME_CHECK,
    ALERT_POLICY,
    NOTIFICATION_CHANNEL,
    PROJECT_SINK,
    DATASET,
    DATASET_IAM_MEMBER,
)
