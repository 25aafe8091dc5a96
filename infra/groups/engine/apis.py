"""The two API clients and where they send requests.

Clients are built from the discovery documents shipped in the
google-api-python-client wheel (no network). ``K8S_INFRA_GOOGLE_API_ENDPOINT``
points both APIs at another root URL with anonymous credentials, each
keeping its service path and batch path under that root, as its discovery
document gives them. ``api_endpoint`` replaces root and service path
together and ``new_batch_http_request()`` ignores it, so both URIs are
built here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from google.auth.credentials import Credentials

    from infra.groups.access import GroupsAccess

ENDPOINT_ENV = "K8S_INFRA_GOOGLE_API_ENDPOINT"
HTTP_TIMEOUT_SECONDS = 60.0


@dataclass(frozen=True)
class ApiSpec:
    """One API as its discovery document describes it (tests check these)."""

    name: str
    version: str
    root_url: str
    service_path: str
    batch_path: str


# The Directory API's method paths carry its version (admin/directory/v1/...),
# so its service path is empty.
DIRECTORY = ApiSpec("admin", "directory_v1", "https://admin.googleapis.com/", "", "batch")
GROUPS_SETTINGS = ApiSpec(
    "groupssettings",
    "v1",
    "https://www.googleapis.com/",
    "groups/v1/groups/",
    "batch/groupssettings/v1",
)


def endpoint_override() -> str | None:
    """The root URL from ``K8S_INFRA_GOOGLE_API_ENDPOINT``, with a trailing slash."""
    value = os.environ.get(ENDPOINT_ENV, "").strip()
    if not value:
        return None
    return value if value.endswith("/") else value + "/"


@dataclass(frozen=True)
class Api:
    """A built client and the URI its batches go to."""

    client: Any  # googleapiclient.discovery.Resource
    batch_uri: str


@dataclass(frozen=True)
class GoogleApis:
    directory: Api
    settings: Api
    real: bool  # False when an endpoint override is in effect


def build_api(spec: ApiSpec, credentials: Credentials, root: str | None) -> Api:
    import google_auth_httplib2
    import httplib2
    from googleapiclient.discovery import build

    base = root or spec.root_url
    http = google_auth_httplib2.AuthorizedHttp(
        credentials, http=httplib2.Http(timeout=HTTP_TIMEOUT_SECONDS)
    )
    client = build(
        spec.name,
        spec.version,
        http=http,
        static_discovery=True,
        cache_discovery=False,
        client_options={"api_endpoint": base + spec.service_path} if root else None,
    )
    return Api(client, base + spec.batch_path)


def build_apis(credentials: Credentials | None = None) -> GoogleApis:
    """Both clients: against the override with anonymous credentials, else the real APIs.

    ``credentials`` is required for the real APIs (see ``infra.groups.engine.credentials``).
    """
    root = endpoint_override()
    if root is not None:
        from google.auth.credentials import AnonymousCredentials

        credentials = AnonymousCredentials()  # type: ignore[no-untyped-call]
    if credentials is None:
        raise ValueError("credentials are required without an endpoint override")
    return GoogleApis(
        build_api(DIRECTORY, credentials, root),
        build_api(GROUPS_SETTINGS, credentials, root),
        real=root is None,
    )


def connect(access: GroupsAccess) -> GoogleApis:
    """Clients for a run: the override when set, else keyless delegated credentials."""
    if endpoint_override() is not None:
        return build_apis()
    from infra.groups.engine.credentials import delegated_credentials

    return build_apis(delegated_credentials(access.service_account, access.admin_subject))
