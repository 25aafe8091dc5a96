"""How long a run and each of its calls may take.

Every HTTP call has a deadline for the whole exchange (``apis`` enforces
it: a reply trickled one byte at a time within the per-read timeout would
otherwise be waited on for ever), and the whole run has one too. A run past
its deadline sends nothing more: what was not done is reported, per group
and per change, and the next run does it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

DEFAULT_CALL_SECONDS = 120.0  # one HTTP request: a batch of 100 calls included
DEFAULT_RUN_SECONDS = 3600.0  # a whole diff or sync


class CallTimedOut(TimeoutError):
    """One HTTP exchange took longer than its deadline; retried like a dropped connection."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"no complete reply within {seconds:g} s")


class RunDeadlinePassed(Exception):
    """The run's deadline passed: the call was not sent."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"not done: the run's deadline of {seconds:g} s passed")
        self.seconds = seconds


@dataclass(frozen=True)
class Deadline:
    """The end of a run, ``seconds`` after it was made (None: no end)."""

    seconds: float | None = DEFAULT_RUN_SECONDS
    started: float = field(default_factory=time.monotonic)

    def remaining(self) -> float:
        if self.seconds is None:
            return float("inf")
        return self.seconds - (time.monotonic() - self.started)

    def check(self) -> None:
        """Raise ``RunDeadlinePassed`` once the deadline has passed."""
        if self.seconds is not None and self.remaining() <= 0:
            raise RunDeadlinePassed(self.seconds)
