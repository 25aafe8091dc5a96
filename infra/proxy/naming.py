"""Every name the registry proxy derives, in one place.

The patterns are upstream's (kubernetes/k8s.io
infra/gcp/terraform/modules/oci-proxy/network.tf at
d849ba309085a0c6dd0e05142711660188880aeb and main.tf at
3ca41f506262aed659a3a76877db17f1232618ba), so the live proxy is adopted
under the names it has. Live names that follow no pattern (the dated
certificate, the monitoring display names) are stack config.
"""

from __future__ import annotations

# Cloud Run service names are at most 49 characters.
MAX_SERVICE_NAME = 49


def domain_id(domain: str) -> str:
    """``registry.k8s.io`` -> ``registry-k8s-io``: a domain usable in resource names."""
    return domain.replace(".", "-")


def service_name(project: str, region: str) -> str:
    return f"{project}-{region}"


def endpoint_group_name(project: str, region: str) -> str:
    return f"{project}-{region}-neg"


def load_balancer_name(project: str, piece: str) -> str:
    """``<project>-<piece>``: every load balancer piece carries the project's id."""
    return f"{project}-{piece}"


def address_name(project: str, ip_version: int) -> str:
    return f"{project}-ipv{ip_version}"


def forwarding_rule_name(project: str, ip_version: int, scheme: str) -> str:
    return f"{project}-ipv{ip_version}-{scheme}-managed"


def dns_authorization_name(domain: str) -> str:
    return f"{domain_id(domain)}-dnsauth"


def certificate_map_name(domain: str) -> str:
    return domain_id(domain)


def certificate_map_entry_name(domain: str) -> str:
    return f"{domain_id(domain)}-default"


def notification_channel(project: str, channel_id: str) -> str:
    """The resource name of a notification channel made by hand."""
    return f"projects/{project}/notificationChannels/{channel_id}"


def bigquery_destination(project: str, dataset: str) -> str:
    """A log sink's destination for a BigQuery dataset."""
    return f"bigquery.googleapis.com/projects/{project}/datasets/{dataset}"
