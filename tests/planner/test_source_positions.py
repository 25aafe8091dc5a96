"""An offline plan sends no source positions: the SDK's stack walk is skipped."""

from __future__ import annotations

import pulumi.runtime.resource as registration
import pytest
from pulumi.runtime.proto import source_pb2

from infra.planner import child


def test_the_sdk_walk_the_planner_skips_is_still_there() -> None:
    """Without it (a renamed SDK function), plans stay right but a quarter slower."""
    assert callable(getattr(registration, "_get_stack_trace", None))


def test_registrations_under_the_planner_carry_an_empty_stack(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    walk = registration._get_stack_trace
    monkeypatch.setattr(registration, "_get_stack_trace", walk)  # put back after the test
    child._without_source_positions()
    assert registration._get_stack_trace is not walk
    assert registration._get_stack_trace() == source_pb2.StackTrace()
