"""The one table of placeholder values for computed outputs.

Under mocks nothing computes a project's number or a service account's
email, and the SDK silently drops an input built from an output the mock
did not return. So the mocks return, for every declared output property of
a resource: its input when one was given, else the placeholder below, else
a sentinel that the recorder turns into ``{"$unknown": "<type>.<property>"}``.
Placeholders are deterministic (derived from the resource's inputs), so a
plan is byte-stable from run to run.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

_SENTINEL = re.compile(r"\$unknown\(([^()]+)\)")


@dataclass(frozen=True)
class Context:
    """What placeholders may depend on besides the resource's own inputs."""

    aws_account_id: str = "123456789012"


Inputs = Mapping[str, Any]
Placeholder = Callable[[Inputs, str, Context], Any]


def stable_number(*parts: str, digits: int = 12) -> str:
    """A deterministic number that looks like a GCP project number."""
    digest = hashlib.sha256("/".join(parts).encode()).hexdigest()
    value = int(digest[:15], 16) % (9 * 10 ** (digits - 1))
    return str(10 ** (digits - 1) + value)


def _sa_email(i: Inputs, _n: str, _c: Context) -> str:
    return f"{i.get('accountId')}@{i.get('project')}.iam.gserviceaccount.com"


def _oidc_host(i: Inputs) -> str:
    return str(i.get("url", "")).removeprefix("https://")


def _compute_link(collection: str) -> Placeholder:
    """A global compute resource's self link."""
    return lambda i, _n, _c: (
        f"https://www.googleapis.com/compute/v1/projects/{i.get('project')}"
        f"/global/{collection}/{i.get('name')}"
    )


def _endpoint_group_link(i: Inputs, _n: str, _c: Context) -> str:
    region, name = i.get("region"), i.get("name")
    return (
        f"https://www.googleapis.com/compute/v1/projects/{i.get('project')}"
        f"/regions/{region}/networkEndpointGroups/{name}"
    )


def _global_address(i: Inputs, _n: str, _c: Context) -> str:
    """An address from the documentation ranges (RFC 5737, RFC 3849): never a real one."""
    host = int(stable_number(str(i.get("project")), str(i.get("name")), digits=3)) % 254 + 1
    return f"2001:db8::{host:x}" if i.get("ipVersion") == "IPV6" else f"192.0.2.{host}"


def _dns_authorization_records(i: Inputs, _n: str, _c: Context) -> list[dict[str, str]]:
    token = hashlib.sha256(f"{i.get('project')}/{i.get('domain')}".encode()).hexdigest()
    return [
        {
            "name": f"_acme-challenge.{i.get('domain')}.",
            "type": "CNAME",
            "data": f"{token[:8]}-{token[8:12]}.1.authorize.certificatemanager.goog.",
        }
    ]


def _logging_agent(i: Inputs, _n: str, _c: Context) -> str:
    """Project sinks write as the project's logging service agent."""
    number = stable_number(str(i.get("project")))
    return f"serviceAccount:service-{number}@gcp-sa-logging.iam.gserviceaccount.com"


# type token -> output property -> placeholder
PLACEHOLDERS: Mapping[str, Mapping[str, Placeholder]] = {
    "gcp:organizations/project:Project": {
        "number": lambda i, _n, _c: stable_number(str(i.get("projectId"))),
    },
    "gcp:serviceaccount/account:Account": {
        "email": _sa_email,
        "member": lambda i, n, c: "serviceAccount:" + _sa_email(i, n, c),
        "name": lambda i, n, c: f"projects/{i.get('project')}/serviceAccounts/{_sa_email(i, n, c)}",
        "uniqueId": lambda i, _n, _c: stable_number(
            str(i.get("project")), str(i.get("accountId")), digits=21
        ),
    },
    "gcp:storage/bucket:Bucket": {
        "url": lambda i, _n, _c: f"gs://{i.get('name')}",
        "selfLink": lambda i, _n, _c: f"https://www.googleapis.com/storage/v1/b/{i.get('name')}",
    },
    "gcp:artifactregistry/repository:Repository": {
        "name": lambda i, _n, _c: (
            f"projects/{i.get('project')}/locations/{i.get('location')}"
            f"/repositories/{i.get('repositoryId')}"
        ),
        "registryUri": lambda i, _n, _c: (
            f"{i.get('location')}-docker.pkg.dev/{i.get('project')}/{i.get('repositoryId')}"
        ),
    },
    "aws:s3/bucket:Bucket": {
        "arn": lambda i, _n, _c: f"arn:aws:s3:::{i.get('bucket')}",
        "bucketRegionalDomainName": lambda i, _n, _c: (
            f"{i.get('bucket')}.s3.{i.get('region')}.amazonaws.com"
        ),
    },
    "aws:iam/role:Role": {
        "arn": lambda i, _n, c: f"arn:aws:iam::{c.aws_account_id}:role/{i.get('name')}",
    },
    "gcp:compute/globalAddress:GlobalAddress": {
        "address": _global_address,
        "selfLink": _compute_link("addresses"),
    },
    "gcp:compute/regionNetworkEndpointGroup:RegionNetworkEndpointGroup": {
        "selfLink": _endpoint_group_link,
    },
    "gcp:compute/securityPolicy:SecurityPolicy": {"selfLink": _compute_link("securityPolicies")},
    "gcp:compute/backendService:BackendService": {"selfLink": _compute_link("backendServices")},
    "gcp:compute/uRLMap:URLMap": {"selfLink": _compute_link("urlMaps")},
    "gcp:compute/targetHttpsProxy:TargetHttpsProxy": {
        "selfLink": _compute_link("targetHttpsProxies")
    },
    "gcp:compute/targetHttpProxy:TargetHttpProxy": {"selfLink": _compute_link("targetHttpProxies")},
    "gcp:certificatemanager/dnsAuthorization:DnsAuthorization": {
        "dnsResourceRecords": _dns_authorization_records,
    },
    "gcp:monitoring/notificationChannel:NotificationChannel": {
        "name": lambda i, _n, _c: (
            f"projects/{i.get('project')}/notificationChannels/"
            + stable_number(str(i.get("project")), str(i.get("displayName")), digits=19)
        ),
    },
    "gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig": {
        "uptimeCheckId": lambda i, _n, _c: (
            "uptime-" + stable_number(str(i.get("project")), str(i.get("displayName")), digits=10)
        ),
    },
    "gcp:logging/projectSink:ProjectSink": {"writerIdentity": _logging_agent},
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": {
        "arn": lambda i, _n, c: f"arn:aws:iam::{c.aws_account_id}:oidc-provider/{_oidc_host(i)}",
    },
}


def sentinel(type_token: str, prop: str) -> str:
    return f"$unknown({type_token}.{prop})"


def unknown_source(text: str) -> str | None:
    """``<type>.<property>`` when ``text`` was built from an unknown output."""
    found = _SENTINEL.search(text)
    return found.group(1) if found else None


@cache
def output_properties(type_token: str) -> tuple[str, ...]:
    """Engine names of every output a provider resource class declares (empty if unknown)."""
    package, _, rest = type_token.partition(":")
    module_path, _, class_name = rest.partition(":")
    python_package = {"gcp": "pulumi_gcp", "aws": "pulumi_aws"}.get(package)
    if python_package is None or not class_name:
        return ()
    try:
        module = importlib.import_module(f"{python_package}.{module_path.split('/')[0]}")
    except ImportError:
        return ()
    cls = getattr(module, class_name, None)
    if cls is None:
        return ()
    return tuple(
        sorted(
            name
            for _attr, member in inspect.getmembers(cls)
            if isinstance(member, property) and (name := getattr(member.fget, "_pulumi_name", None))
        )
    )


def resource_state(type_token: str, name: str, inputs: Inputs, context: Context) -> dict[str, Any]:
    """Inputs as outputs, plus placeholders, plus sentinels for anything else computed."""
    state = dict(inputs)
    table = PLACEHOLDERS.get(type_token, {})
    for prop, make in table.items():
        state.setdefault(prop, make(inputs, name, context))
    for prop in output_properties(type_token):
        state.setdefault(prop, sentinel(type_token, prop))
    return state
