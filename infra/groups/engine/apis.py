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

import contextlib
import os
import socket
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from infra.core.environment import GOOGLE_API_ENDPOINT_ENV
from infra.core.errors import UsageError
from infra.groups.engine.deadline import DEFAULT_CALL_SECONDS, CallTimedOut

if TYPE_CHECKING:
    from google.auth.credentials import Credentials

    from infra.groups.access import GroupsAccess

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
    """The root URL from ``K8S_INFRA_GOOGLE_API_ENDPOINT``, with a trailing slash.

    Only an http or https URL with a host is taken (a usage error otherwise),
    and one that embeds credentials is refused without showing them.
    """
    value = os.environ.get(GOOGLE_API_ENDPOINT_ENV, "").strip()
    if not value:
        return None
    try:
        parts = urlsplit(value)
        host = parts.hostname
        _ = parts.port  # reading it checks it
    except ValueError:
        raise UsageError(f"{GOOGLE_API_ENDPOINT_ENV} is not a URL", _ENDPOINT_HINT) from None
    if parts.username is not None or parts.password is not None:
        shown = parts._replace(netloc=f"***@{host or ''}").geturl()
        raise UsageError(f"{GOOGLE_API_ENDPOINT_ENV} embeds credentials ({shown})", _ENDPOINT_HINT)
    if parts.scheme not in ("http", "https") or not host:
        scheme = parts.scheme or "none"
        raise UsageError(
            f"{GOOGLE_API_ENDPOINT_ENV} must be an http or https URL with a host "
            f"(scheme: {scheme})",
            _ENDPOINT_HINT,
        )
    return value if value.endswith("/") else value + "/"


_ENDPOINT_HINT = (
    "set it to the root URL of a local fake server, e.g. http://127.0.0.1:8089/, "
    "or unset it to use the real Google APIs"
)


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


def bounded_http(call_seconds: float) -> Any:
    """An ``httplib2.Http`` whose every request ends within ``call_seconds``.

    The per-read timeout alone lets a reply trickled one byte at a time run
    for ever: a timer shuts the connection down at the deadline, refuses the
    reconnect httplib2 would try next, and the request raises ``CallTimedOut``.
    """
    import httplib2

    class BoundedHttp(httplib2.Http):  # type: ignore[misc]
        def request(self, *args: Any, **kwargs: Any) -> Any:
            fired = threading.Event()
            timer = threading.Timer(call_seconds, self._abort, (fired,))
            timer.daemon = True
            timer.start()
            try:
                return super().request(*args, **kwargs)
            except Exception:
                if fired.is_set():
                    raise CallTimedOut(call_seconds) from None
                raise
            finally:
                timer.cancel()
                if fired.is_set():
                    self._drop_connections()

        def _abort(self, fired: threading.Event) -> None:
            fired.set()
            for conn in list(self.connections.values()):
                conn.connect = _refuse_reconnect(call_seconds)
                sock = getattr(conn, "sock", None)
                if sock is not None:
                    with contextlib.suppress(OSError):
                        sock.shutdown(socket.SHUT_RDWR)

        def _drop_connections(self) -> None:
            for key, conn in list(self.connections.items()):
                conn.close()
                del self.connections[key]

    return BoundedHttp(timeout=min(HTTP_TIMEOUT_SECONDS, call_seconds))


def _refuse_reconnect(call_seconds: float) -> Any:
    def refuse() -> None:
        raise CallTimedOut(call_seconds)

    return refuse


def build_api(
    spec: ApiSpec,
    credentials: Credentials,
    root: str | None,
    call_seconds: float = DEFAULT_CALL_SECONDS,
) -> Api:
    import google_auth_httplib2
    from googleapiclient.discovery import build

    base = root or spec.root_url
    http = google_auth_httplib2.AuthorizedHttp(credentials, http=bounded_http(call_seconds))
    client = build(
        spec.name,
        spec.version,
        http=http,
        static_discovery=True,
        cache_discovery=False,
        client_options={"api_endpoint": base + spec.service_path} if root else None,
    )
    return Api(client, base + spec.batch_path)


def build_apis(
    credentials: Credentials | None = None, call_seconds: float = DEFAULT_CALL_SECONDS
) -> GoogleApis:
    """Both clients: against the override with anonymous credentials, else the real APIs.

    ``credentials`` is required for the real APIs (see ``infra.groups.engine.credentials``);
    ``call_seconds`` bounds each HTTP request.
    """
    root = endpoint_override()
    if root is not None:
        from google.auth.credentials import AnonymousCredentials

        credentials = AnonymousCredentials()  # type: ignore[no-untyped-call]
    if credentials is None:
        raise ValueError("credentials are required without an endpoint override")
    return GoogleApis(
        build_api(DIRECTORY, credentials, root, call_seconds),
        build_api(GROUPS_SETTINGS, credentials, root, call_seconds),
        real=root is None,
    )


def connect(access: GroupsAccess, call_seconds: float = DEFAULT_CALL_SECONDS) -> GoogleApis:
    """Clients for a run: the override when set, else keyless delegated credentials."""
    if endpoint_override() is not None:
        return build_apis(call_seconds=call_seconds)
    from infra.groups.engine.credentials import delegated_credentials

    credentials = delegated_credentials(access.service_account, access.admin_subject)
    return build_apis(credentials, call_seconds)
