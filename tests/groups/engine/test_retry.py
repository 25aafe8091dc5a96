"""Backoff delays and which errors are retried."""

from __future__ import annotations

import json

import httplib2
import pytest
from googleapiclient.errors import BatchError, HttpError

from infra.groups.engine.deadline import CallTimedOut, Deadline, RunDeadlinePassed
from infra.groups.engine.retry import (
    Backoff,
    MalformedReply,
    MissingReply,
    PagingFailed,
    is_retryable,
)


def http_error(status: int, reason: str = "") -> HttpError:
    body = {"error": {"code": status, "message": "m", "errors": [{"reason": reason}]}}
    return HttpError(httplib2.Response({"status": status}), json.dumps(body).encode())


def test_delays_grow_exponentially_with_jitter_up_to_the_cap() -> None:
    low = Backoff(base=1.0, cap=8.0, random=lambda: 0.0)
    high = Backoff(base=1.0, cap=8.0, random=lambda: 0.9)
    assert [low.delay(n) for n in range(5)] == [0.5, 1.0, 2.0, 4.0, 4.0]
    assert [round(high.delay(n), 2) for n in range(5)] == [0.95, 1.9, 3.8, 7.6, 7.6]


@pytest.mark.parametrize(
    ("error", "retry"),
    [
        (http_error(429), True),
        (http_error(500), True),
        (http_error(503), True),
        (http_error(403, "rateLimitExceeded"), True),
        (http_error(403, "userRateLimitExceeded"), True),
        (http_error(403, "forbidden"), False),
        (http_error(404, "notFound"), False),
        (http_error(409, "duplicate"), False),
        (ConnectionResetError(), True),
        (MissingReply(), True),
        (CallTimedOut(1.0), True),
        (BatchError("Response not in multipart/mixed format."), True),
        (MalformedReply("settings: expected a JSON object"), False),
        (PagingFailed("page token repeated"), False),
        (RunDeadlinePassed(60.0), False),
        (ValueError(), False),
    ],
)
def test_what_is_retried(error: BaseException, retry: bool) -> None:
    assert is_retryable(error) is retry


def test_a_wait_past_the_run_s_deadline_is_not_taken() -> None:
    slept: list[float] = []
    backoff = Backoff(sleep=slept.append, random=lambda: 0.0, deadline=Deadline(1.5))
    backoff.wait(0)  # 0.5 s: within the deadline
    with pytest.raises(RunDeadlinePassed, match=r"deadline of 1\.5 s"):
        backoff.wait(2)  # 2 s: past it
    assert slept == [0.5]
