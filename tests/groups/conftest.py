"""Fixtures for the groups engine and provider: a fake Google server and clients pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from infra.core.environment import GOOGLE_API_ENDPOINT_ENV
from infra.groups.engine.apis import GoogleApis, build_apis
from infra.groups.engine.reconcile import Options
from infra.groups.engine.retry import Backoff
from tests.fake_google import FakeGoogle
from tests.groups.engine.helpers import Sleeps


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGoogle]:
    """A running fake server; the environment points the engine at it (no trailing slash,
    to prove one is added)."""
    server = FakeGoogle().start()
    monkeypatch.setenv(GOOGLE_API_ENDPOINT_ENV, server.url.rstrip("/"))
    yield server
    server.stop()


@pytest.fixture
def apis(fake: FakeGoogle) -> GoogleApis:
    return build_apis()


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def options(sleeps: Sleeps) -> Options:
    return Options(backoff=Backoff(sleep=sleeps, random=lambda: 0.5))
