"""Many API calls in few HTTP requests.

``BatchHttpRequest`` sends up to 1000 calls in one multipart/mixed request
(the documented limit of both APIs) but retries nothing except 401s, and a
batch can come back with a 429 or 5xx in some parts only, or without some
parts at all. ``run_calls`` sends the calls in chunks, then re-submits
every retryable failure (a failed part, a missing part, or a whole chunk
whose envelope failed) after a backoff, until each call has an answer or
has used its attempts. Once the run's deadline has passed nothing more is
sent: every call left gets ``RunDeadlinePassed`` as its answer.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

from infra.groups.engine.apis import Api
from infra.groups.engine.deadline import RunDeadlinePassed
from infra.groups.engine.retry import Backoff, MissingReply, is_retryable

MAX_BATCH = 1000  # calls per batch request, per the Directory and Groups Settings docs
DEFAULT_BATCH = 100  # smaller batches keep one overloaded request from failing hundreds of calls

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Outcome:
    """One call's answer: the decoded response, or the error that ended its tries."""

    response: Any = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


Progress = Callable[[int], None]  # called with how many calls just got their final answer


def run_calls(
    api: Api,
    calls: Mapping[K, Any],
    backoff: Backoff,
    size: int = DEFAULT_BATCH,
    progress: Progress | None = None,
    also_retry: Callable[[K, BaseException], bool] | None = None,
) -> dict[K, Outcome]:
    """Run ``HttpRequest`` objects of one API in batches; every key gets an Outcome.

    ``also_retry`` marks more failures as worth another try, per call.
    """
    size = max(1, min(size, MAX_BATCH))
    results: dict[K, Outcome] = {}
    last_error: dict[K, BaseException] = {}
    pending = list(calls)
    retry = 0

    def settle(keys: list[K], error: BaseException | None = None) -> None:
        for key in keys:
            results[key] = Outcome(error=error or last_error[key])
        if progress is not None:
            progress(len(keys))

    while pending:
        again: list[K] = []
        for start in range(0, len(pending), size):
            chunk = pending[start : start + size]
            if backoff.deadline.remaining() <= 0:
                settle(pending[start:], RunDeadlinePassed(backoff.deadline.seconds or 0.0))
                return results
            for key, outcome in _submit(api, chunk, calls).items():
                error = outcome.error
                if error is not None and (
                    is_retryable(error) or (also_retry is not None and also_retry(key, error))
                ):
                    again.append(key)
                    last_error[key] = error
                else:
                    results[key] = outcome
            if progress is not None:
                progress(sum(1 for key in chunk if key in results))
        if not again:
            break
        if retry + 1 >= backoff.attempts:
            settle(again)
            break
        try:
            backoff.wait(retry)
        except RunDeadlinePassed as passed:
            settle(again, passed)
            break
        retry += 1
        pending = again
    return results


def _submit(api: Api, chunk: list[K], calls: Mapping[K, Any]) -> dict[K, Outcome]:
    """One batch request; an envelope failure becomes every part's outcome."""
    answers: dict[K, Outcome] = {}
    by_id = {str(index): key for index, key in enumerate(chunk)}

    def collect(request_id: str, response: Any, error: BaseException | None) -> None:
        missing = request_id in batch.missing
        answers[by_id[request_id]] = Outcome(response, MissingReply() if missing else error)

    batch = _batch_class()(callback=collect, batch_uri=api.batch_uri)
    for request_id, key in by_id.items():
        batch.add(calls[key], request_id=request_id)
    try:
        batch.execute()
    except Exception as error:
        return {key: answers.get(key) or Outcome(error=error) for key in chunk}
    return {key: answers[key] for key in chunk}


@cache
def _batch_class() -> Any:
    from googleapiclient.http import BatchHttpRequest

    class Batch(BatchHttpRequest):  # type: ignore[misc]
        """A batch that survives a reply missing some parts.

        The client library looks every call's part up and raises KeyError for a
        missing one, losing the answers of all the others. Here a missing part is
        recorded (and answered with a stand-in the callback turns into
        ``MissingReply``), so only that call is sent again.
        """

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.missing: set[str] = set()

        def _execute(self, http: Any, order: list[str], requests: Any) -> None:
            import httplib2

            super()._execute(http, order, requests)
            for request_id in order:
                if request_id not in self._responses:
                    self.missing.add(request_id)
                    stand_in = httplib2.Response({"status": "200"})
                    self._responses[request_id] = (stand_in, b"{}")

    return Batch
