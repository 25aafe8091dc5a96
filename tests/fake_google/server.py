"""An HTTP server speaking the Directory API v1 and Groups Settings API v1 wire protocol.

It serves the real REST paths under one root (as ``K8S_INFRA_GOOGLE_API_ENDPOINT``
arranges), the multipart/mixed batch endpoints of both APIs, pages lists as
Google does (200 per page at most), keeps state in a ``Workspace``, injects
``Fault``s and counts every HTTP request it receives.
"""

from __future__ import annotations

import email.parser
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qs, unquote, urlsplit

from tests.fake_google.faults import Effect, Fault, Where
from tests.fake_google.state import ENUMS, ROLES, FakeGroup, Workspace

DIRECTORY = "/admin/directory/v1/"
SETTINGS = "/groups/v1/groups/"
DIRECTORY_BATCH = "/batch"
SETTINGS_BATCH = "/batch/groupssettings/v1"
MAX_PAGE = 200
MAX_BATCH = 1000
_REASON_TEXT = {200: "OK", 204: "No Content", 400: "Bad Request", 404: "Not Found"}


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json; charset=UTF-8"
    drop: bool = False  # close the connection instead of replying
    trickle: float = 0.0  # seconds per byte of the reply


def _json(status: int, data: Any) -> Response:
    return Response(status, json.dumps(data).encode())


def _error(status: int, message: str, reason: str) -> Response:
    error = {"domain": "global", "reason": reason, "message": message}
    return _json(status, {"error": {"code": status, "message": message, "errors": [error]}})


def _not_found(what: str) -> Response:
    return _error(404, f"Resource Not Found: {what}", "notFound")


@dataclass
class Counters:
    http_requests: int = 0  # every request received on the socket
    batch_requests: int = 0
    calls: int = 0  # API calls received, each batch part counted, failed ones too
    log: list[tuple[str, str]] = field(default_factory=list)  # (method, path) of every call


class FakeGoogle:
    """The server; ``url`` is the root to put in K8S_INFRA_GOOGLE_API_ENDPOINT."""

    def __init__(self) -> None:
        self.workspace = Workspace()
        self.faults: list[Fault] = []
        self.counters = Counters()
        self.latency = 0.0  # seconds added to every HTTP request (round-trip time)
        # how list pages end: "normal"; "repeat": every page names the first token
        # again; "endless": a new token on every page, for ever
        self.paging: Literal["normal", "repeat", "endless"] = "normal"
        self.paging_list: Literal["groups", "members", "any"] = "any"  # which lists do
        self._lock = threading.Lock()
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/"

    def start(self) -> FakeGoogle:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def fail(
        self,
        status: int,
        *,
        times: int | None = 1,
        method: str | None = None,
        path: str | None = None,
        where: Where = "any",
        reason: str | None = None,
        effect: Effect = "status",
        payload: bytes = b"",
        trickle: float = 0.0,
    ) -> Fault:
        fault = Fault(status, times, method, path, where, reason, effect, payload, trickle)
        self.faults.append(fault)
        return fault

    def reset_counters(self) -> None:
        self.counters = Counters()

    # -- dispatch -------------------------------------------------------------

    def handle(self, method: str, target: str, body: bytes, content_type: str) -> Response:
        with self._lock:
            self.counters.http_requests += 1
        if self.latency:
            time.sleep(self.latency)
        path = urlsplit(target).path
        is_batch = method == "POST" and path in (DIRECTORY_BATCH, SETTINGS_BATCH)
        if is_batch:
            with self._lock:
                self.counters.batch_requests += 1
        else:
            self._record(method, path)
        fault = self._fault(method, path, in_batch=False)
        if fault is not None and fault.effect in ("status", "omit"):
            return Response(fault.status, fault.body())
        answer = (
            self._batch(path, body, content_type) if is_batch else self.call(method, target, body)
        )
        return answer if fault is None else _after(fault, answer)

    def _record(self, method: str, path: str) -> None:
        with self._lock:
            self.counters.calls += 1
            self.counters.log.append((method, path))

    def _fault(self, method: str, path: str, in_batch: bool) -> Fault | None:
        path = unquote(path)  # faults name addresses as written, the wire has %40
        with self._lock:
            for fault in self.faults:
                if fault.matches(method, path, in_batch):
                    fault.hits += 1
                    return fault
        return None

    def call(self, method: str, target: str, body: bytes) -> Response:
        """One API call, top-level or from a batch."""
        parts = urlsplit(target)
        path = parts.path
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        with self._lock:
            try:
                payload = json.loads(body) if body.strip() else {}
            except ValueError:
                return _error(400, "Invalid JSON payload received.", "parseError")
            if path.startswith(DIRECTORY):
                return self._directory(method, path.removeprefix(DIRECTORY), query, payload)
            if path.startswith(SETTINGS):
                return self._settings(method, unquote(path.removeprefix(SETTINGS)), payload)
            return _not_found(path)

    def _paging(self, listed: str) -> str:
        return self.paging if self.paging_list in (listed, "any") else "normal"

    # -- batch ----------------------------------------------------------------

    def _batch(self, batch_path: str, body: bytes, content_type: str) -> Response:
        if not content_type.startswith("multipart/mixed"):
            return _error(400, "batch requests must be multipart/mixed", "badRequest")
        message = email.parser.BytesParser().parsebytes(
            b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
        )
        parts = message.get_payload()
        if not isinstance(parts, list) or not parts:
            return _error(400, "empty batch", "badRequest")
        if len(parts) > MAX_BATCH:
            return _error(400, f"A batch may hold at most {MAX_BATCH} calls", "badRequest")
        allowed = DIRECTORY if batch_path == DIRECTORY_BATCH else SETTINGS
        boundary = f"batch_{uuid.uuid4().hex}"
        out: list[bytes] = []
        for part in parts:
            if not isinstance(part, Message):
                return _error(400, "a batch part is no message", "badRequest")
            content_id = str(part.get("Content-ID", ""))
            inner = part.get_payload(decode=False)
            method, target, inner_body = _parse_inner(inner)
            path = urlsplit(target).path
            self._record(method, path)
            fault = self._fault(method, path, in_batch=True)
            if fault is not None and fault.effect == "omit":
                continue  # the reply will lack this part
            if fault is not None and fault.effect == "status":
                answer = Response(fault.status, fault.body())
            elif not path.startswith(allowed):
                # Every call of a batch must go to the API the batch endpoint belongs to.
                answer = _error(400, f"{path} does not belong to {batch_path}", "badRequest")
            else:
                answer = self.call(method, target, inner_body)
                if fault is not None and fault.effect == "twice":
                    answer = self.call(method, target, inner_body)
                elif fault is not None:
                    answer = _after(fault, answer)
            response_id = "<response-" + content_id.strip("<>") + ">"
            out.append(
                (
                    f"--{boundary}\r\nContent-Type: application/http\r\n"
                    f"Content-ID: {response_id}\r\n\r\n"
                    f"HTTP/1.1 {answer.status} {_REASON_TEXT.get(answer.status, 'Error')}\r\n"
                    f"Content-Type: {answer.content_type}\r\n"
                    f"Content-Length: {len(answer.body)}\r\n\r\n"
                ).encode()
                + answer.body
                + b"\r\n"
            )
        out.append(f"--{boundary}--\r\n".encode())
        return Response(200, b"".join(out), f"multipart/mixed; boundary={boundary}")

    # -- Directory API ----------------------------------------------------------

    # A router: one answer per route of the REST API, hence the returns.
    def _directory(  # noqa: PLR0911
        self, method: str, rest: str, query: dict[str, str], payload: dict[str, Any]
    ) -> Response:
        segments = [unquote(s) for s in rest.split("/")]
        if segments[0] != "groups":
            return _not_found(rest)
        ws = self.workspace
        if len(segments) == 1:
            if method == "GET":
                return self._list_groups(query)
            if method == "POST":
                return self._insert_group(payload)
        group = ws.find(segments[1]) if len(segments) > 1 else None
        if group is None:
            return _not_found("groupKey")
        if len(segments) == 2:
            if method == "GET":
                return _json(200, group.resource())
            if method in ("PATCH", "PUT"):
                for key in ("name", "description"):
                    if key in payload:
                        setattr(group, key, str(payload[key]))
                return _json(200, group.resource())
            if method == "DELETE":
                del ws.groups[group.id]
                return Response(204)
        if len(segments) >= 3 and segments[2] == "members":
            return self._members(method, group, segments[3:], query, payload)
        return _not_found(rest)

    def _list_groups(self, query: dict[str, str]) -> Response:
        customer, domain = query.get("customer"), query.get("domain")
        if not customer and not domain:
            return _error(400, "Bad Request", "badRequest")
        if customer and customer not in ("my_customer", Workspace.CUSTOMER_ID):
            return _error(400, "Bad Request", "badRequest")
        groups = sorted(self.workspace.groups.values(), key=lambda g: g.email.lower())
        if domain:
            groups = [g for g in groups if g.email.lower().endswith("@" + domain.lower())]
        page = _page(groups, query, self._paging("groups"))
        if isinstance(page, Response):
            return page
        items, token = page
        body: dict[str, Any] = {"kind": "admin#directory#groups", "etag": '"fake"'}
        if items:
            body["groups"] = [g.resource() for g in items]
        if token:
            body["nextPageToken"] = token
        return _json(200, body)

    def _insert_group(self, payload: dict[str, Any]) -> Response:
        address = str(payload.get("email") or "")
        if "@" not in address:
            return _error(400, "Invalid Input: email", "invalid")
        if self.workspace.find(address) is not None:
            return _error(409, "Entity already exists.", "duplicate")
        group = self.workspace.add_group(
            address, str(payload.get("name") or ""), str(payload.get("description") or "")
        )
        return _json(200, group.resource())

    # A router: one answer per route and method, hence the returns and branches.
    def _members(  # noqa: PLR0911, PLR0912
        self,
        method: str,
        group: FakeGroup,
        rest: list[str],
        query: dict[str, str],
        payload: dict[str, Any],
    ) -> Response:
        if not rest:
            if method == "GET":
                members = group.members
                if "roles" in query:
                    wanted = set(query["roles"].split(","))
                    members = [m for m in members if m.role in wanted]
                page = _page(members, query, self._paging("members"))
                if isinstance(page, Response):
                    return page
                items, token = page
                body: dict[str, Any] = {"kind": "admin#directory#members", "etag": '"fake"'}
                if items:
                    body["members"] = [m.resource() for m in items]
                if token:
                    body["nextPageToken"] = token
                return _json(200, body)
            if method == "POST":
                address = str(payload.get("email") or "")
                role = str(payload.get("role") or "MEMBER")
                if "@" not in address:
                    return _error(400, "Missing required field: memberKey", "required")
                if role not in ROLES:
                    return _error(400, "Invalid Input: role", "invalid")
                if group.member(address) is not None:
                    return _error(409, "Member already exists.", "duplicate")
                member = self.workspace.new_member(address, role)
                group.members.append(member)
                return _json(200, member.resource())
            return _error(405, "Method not allowed", "badRequest")
        found = group.member(rest[0])
        if found is None:
            return _error(404, "Resource Not Found: memberKey", "notFound")
        if method == "GET":
            return _json(200, found.resource())
        if method in ("PATCH", "PUT"):
            role = str(payload.get("role") or found.role)
            if role not in ROLES:
                return _error(400, "Invalid Input: role", "invalid")
            found.role = role
            return _json(200, found.resource())
        if method == "DELETE":
            group.members.remove(found)
            return Response(204)
        return _error(405, "Method not allowed", "badRequest")

    # -- Groups Settings API ------------------------------------------------------

    def _settings(self, method: str, unique_id: str, payload: dict[str, Any]) -> Response:
        group = self.workspace.find(unique_id) if "@" in unique_id else None
        if group is None:
            return _not_found("groupUniqueId")
        if method in ("PATCH", "PUT"):
            for key, value in payload.items():
                if key in ("kind", "email", "name", "description"):
                    continue
                if not isinstance(value, str) or (key in ENUMS and value not in ENUMS[key]):
                    return _error(400, f"Invalid value for: {key}", "invalid")
            for key, value in payload.items():
                if key not in ("kind", "email", "name", "description"):
                    group.settings[key] = value
        elif method != "GET":
            return _error(405, "Method not allowed", "badRequest")
        body = {
            "kind": "groupsSettings#groups",
            "email": group.email,
            "name": group.name,
            "description": group.description,
            "maxMessageBytes": 26214400,
            **group.settings,
        }
        return _json(200, body)


def _after(fault: Fault, answer: Response) -> Response:
    """What a fault makes of a call that was carried out."""
    if fault.effect == "after_work":
        return Response(fault.status, fault.body())
    if fault.effect == "drop":
        return Response(answer.status, drop=True)
    if fault.effect == "body":
        return Response(200, fault.body())
    if fault.effect == "trickle":
        return Response(answer.status, answer.body, answer.content_type, trickle=fault.trickle)
    return answer


def _page(
    items: list[Any], query: dict[str, str], paging: str = "normal"
) -> tuple[list[Any], str | None] | Response:
    try:
        size = int(query.get("maxResults", MAX_PAGE))
        offset = int(query["pageToken"].removeprefix("page-")) if "pageToken" in query else 0
    except ValueError:
        return _error(400, "Invalid Input", "invalid")
    if not 1 <= size <= MAX_PAGE:
        return _error(400, "Invalid Input: maxResults", "invalid")
    chunk = items[offset : offset + size]
    more = offset + size < len(items)
    if paging == "repeat":
        return chunk, f"page-{size}"  # the second page names itself as the next
    if paging == "endless":
        return chunk, f"page-{offset + size}"
    return chunk, (f"page-{offset + size}" if more else None)


def _parse_inner(text: Any) -> tuple[str, str, bytes]:
    """``METHOD /path?query HTTP/1.1`` + headers + body, as the client serializes it."""
    raw = text if isinstance(text, str) else str(text)
    request_line, _, rest = raw.lstrip("\r\n").partition("\n")
    method, target, _version = request_line.strip().split(" ", 2)
    message = email.parser.Parser().parsestr(rest)
    body = message.get_payload()
    return method, target, (body if isinstance(body, str) else "").encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms stall between
    fake: FakeGoogle

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        response = self.fake.handle(
            self.command, self.path, body, self.headers.get("Content-Type", "")
        )
        if response.drop:
            self.close_connection = True
            return
        self.send_response(response.status)
        if response.body or response.status != 204:
            self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if not response.trickle:
            self.wfile.write(response.body)
            return
        try:
            for byte in response.body:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(response.trickle)
        except OSError:
            self.close_connection = True  # the client gave up

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:
        pass
