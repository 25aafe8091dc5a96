"""Which failures are worth another try, and how long to wait before it.

Google answers overload with 429, 5xx or a 403 whose reason is a rate
limit; the client library retries none of them unless asked, and inside a
batch it retries only 401s. Everything here takes its sleep and its random
source from ``Backoff`` so tests run without waiting.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from infra.groups.engine.deadline import CallTimedOut, Deadline, RunDeadlinePassed

RATE_LIMIT_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})


def _sleep(seconds: float) -> None:
    time.sleep(seconds)  # looked up at each call, so a test can make waiting instant


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with jitter: retry n waits between half and all of base * 2**n."""

    attempts: int = 7  # tries per call, the first included
    base: float = 1.0
    cap: float = 32.0
    sleep: Callable[[float], None] = field(default=_sleep, repr=False)
    random: Callable[[], float] = field(default=random.random, repr=False)
    deadline: Deadline = field(default_factory=lambda: Deadline(None), repr=False)

    def delay(self, retry: int) -> float:
        ceiling = min(self.cap, self.base * 2.0**retry)
        return ceiling / 2 + float(self.random()) * ceiling / 2

    def wait(self, retry: int) -> None:
        """Sleep before retry ``retry``; a sleep past the run's deadline is not taken."""
        delay = self.delay(retry)
        if delay >= self.deadline.remaining():
            raise RunDeadlinePassed(self.deadline.seconds or 0.0)
        self.sleep(delay)


class MalformedReply(ValueError):
    """A reply whose body is not what the API documents (not JSON, or the wrong shape)."""


class MissingReply(ConnectionError):
    """A batch reply without the part of a call: whether it ran is unknown, so it is retried."""

    def __init__(self) -> None:
        super().__init__("the batch reply has no part for this call")


class PagingFailed(Exception):
    """A list that repeats a page token, or goes on past the page cap."""


def status_of(error: BaseException) -> int | None:
    resp = getattr(error, "resp", None)
    status = getattr(resp, "status", None)
    return int(status) if status is not None else None


def reasons_of(error: BaseException) -> set[str]:
    """The ``error.errors[].reason`` values of a Google JSON error body."""
    content = getattr(error, "content", b"")
    try:
        body = json.loads(content.decode("utf-8") if isinstance(content, bytes) else content)
        items = body["error"].get("errors") or []
        return {str(item.get("reason")) for item in items if isinstance(item, dict)}
    except (ValueError, KeyError, TypeError, AttributeError):
        return set()


def is_retryable(error: BaseException) -> bool:
    """429, 5xx, a rate-limit 403, or the connection failing."""
    import httplib2
    from googleapiclient.errors import BatchError, HttpError

    if isinstance(error, BatchError):
        return True  # a batch reply that cannot be split into parts: as if it were lost
    if isinstance(error, HttpError):
        status = status_of(error) or 0
        if status == 429 or status >= 500:
            return True
        return status == 403 and bool(reasons_of(error) & RATE_LIMIT_REASONS)
    # A dropped connection, a call past its deadline, a batch part missing.
    return isinstance(error, OSError | httplib2.HttpLib2Error | CallTimedOut | MissingReply)


def is_api_error(error: BaseException) -> bool:
    """A failure of the API or of reaching it (or of the run's deadline), not a bug."""
    import httplib2
    from google.auth.exceptions import GoogleAuthError
    from googleapiclient.errors import HttpError

    return isinstance(
        error,
        HttpError
        | GoogleAuthError
        | OSError
        | httplib2.HttpLib2Error
        | MalformedReply
        | PagingFailed
        | RunDeadlinePassed,
    )


def describe(error: BaseException) -> str:
    """One line for a person: the status and Google's own message when there is one."""
    status = status_of(error)
    content = getattr(error, "content", b"")
    message = ""
    try:
        body = json.loads(content.decode("utf-8") if isinstance(content, bytes) else content)
        message = str(body["error"]["message"])
    except (ValueError, KeyError, TypeError, AttributeError):
        message = str(error)
    if status:
        return f"HTTP {status}: {message}"
    own = (MalformedReply, MissingReply, PagingFailed, CallTimedOut, RunDeadlinePassed)
    return message if isinstance(error, own) else f"{type(error).__name__}: {message}"


def execute(request: Any, backoff: Backoff) -> Any:
    """Run one ``HttpRequest``, retrying what ``is_retryable`` allows, within the run's
    deadline."""
    retry = 0
    while True:
        backoff.deadline.check()
        try:
            return request.execute()
        except Exception as error:
            if retry + 1 >= backoff.attempts or not is_retryable(error):
                raise
            backoff.wait(retry)
            retry += 1
