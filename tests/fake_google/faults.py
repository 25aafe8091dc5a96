"""Failures the fake server injects, for matching requests, a number of times.

``effect`` says what happens to a matching request:

- ``status``: answered with ``status`` and a Google error body, nothing done;
- ``after_work``: the call is carried out, then answered with ``status``
  (a 503 after the work: the reply says failure, the work is done);
- ``drop``: the call is carried out, then the connection is closed without
  a reply (a lost reply);
- ``body``: the call is carried out and answered 200 with ``body`` instead
  of its own (a malformed reply);
- ``twice``: the call is carried out twice, and answered as the second time (a
  create answered 409: someone made the group a moment before);
- ``omit``: inside a batch, the part is left out of the reply (not carried out);
- ``trickle``: the reply is sent ``trickle`` seconds per byte.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

Where = Literal["any", "top", "part"]  # any request, only top-level HTTP ones, only batch parts
Effect = Literal["status", "after_work", "drop", "body", "twice", "omit", "trickle"]

_MESSAGES = {
    403: "Rate Limit Exceeded",
    429: "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user'",
    500: "Backend Error",
    503: "The service is currently unavailable.",
}
_REASONS = {429: "rateLimitExceeded", 500: "backendError", 503: "backendError"}


@dataclass
class Fault:
    status: int
    times: int | None = 1  # None: for ever
    method: str | None = None
    path_contains: str | None = None
    where: Where = "any"
    reason: str | None = None  # the `errors[].reason` of the body (403: rateLimitExceeded)
    effect: Effect = "status"
    payload: bytes = b""  # the body of a `body` fault
    trickle: float = 0.0  # seconds per byte of a `trickle` fault
    hits: int = 0

    def matches(self, method: str, path: str, in_batch: bool) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        if self.where == "top" and in_batch:
            return False
        if self.where == "part" and not in_batch:
            return False
        if self.method and self.method != method:
            return False
        return not (self.path_contains and self.path_contains.lower() not in path.lower())

    def body(self) -> bytes:
        if self.effect == "body":
            return self.payload
        reason = self.reason or _REASONS.get(self.status, "failed")
        message = _MESSAGES.get(self.status, "injected failure")
        error = {"domain": "usageLimits", "reason": reason, "message": message}
        return json.dumps(
            {"error": {"code": self.status, "message": message, "errors": [error]}}
        ).encode()
