"""Fixtures for the groups engine: a fake Google server and clients pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from infra.models.group import Group, GroupsTree
from infra.workspace.apis import ENDPOINT_ENV, GoogleApis, build_apis
from infra.workspace.reconcile import Options, Report, apply_plan, plan_all
from infra.workspace.retry import Backoff
from tests.fake_google import FakeGoogle


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGoogle]:
    """A running fake server; the environment points the engine at it (no trailing slash,
    to prove one is added)."""
    server = FakeGoogle().start()
    monkeypatch.setenv(ENDPOINT_ENV, server.url.rstrip("/"))
    yield server
    server.stop()


@pytest.fixture
def apis(fake: FakeGoogle) -> GoogleApis:
    return build_apis()


class Sleeps(list[float]):
    """Records the backoff's sleeps instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def options(sleeps: Sleeps) -> Options:
    return Options(backoff=Backoff(sleep=sleeps, random=lambda: 0.5))


def group(
    email: str,
    *,
    owners: tuple[str, ...] = (),
    managers: tuple[str, ...] = (),
    members: tuple[str, ...] = (),
    reconcile: bool = False,
    settings: dict[str, str] | None = None,
    description: str = "",
) -> Group:
    """A declaration as the loader would make it (name: the address's local part)."""
    return Group(
        email=email,
        name=email.split("@", maxsplit=1)[0],
        description=description,
        settings=settings or {},
        reconcile_members=reconcile,
        owners=owners,
        managers=managers,
        members=members,
        file="groups/sig-test/groups.yaml",
        line=3,
    )


def sync(apis: GoogleApis, options: Options, *groups: Group) -> Report:
    """Plan and apply, as `groups sync --confirm` does."""
    tree = GroupsTree(tuple(groups))
    return apply_plan(apis, plan_all(apis, tree, options), options)
