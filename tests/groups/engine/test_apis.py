"""Endpoints: the discovery documents in the wheel, and the override."""

from __future__ import annotations

import json

import pytest
from googleapiclient.discovery_cache import get_static_doc

from infra.core.environment import GOOGLE_API_ENDPOINT_ENV
from infra.groups.engine.apis import (
    DIRECTORY,
    GROUPS_SETTINGS,
    ApiSpec,
    GoogleApis,
    endpoint_override,
)
from infra.groups.engine.live import get_group
from infra.groups.engine.retry import Backoff
from tests.fake_google import FakeGoogle


@pytest.mark.parametrize("spec", [DIRECTORY, GROUPS_SETTINGS], ids=lambda s: s.name)
def test_api_specs_match_the_shipped_discovery_documents(spec: ApiSpec) -> None:
    document = json.loads(get_static_doc(spec.name, spec.version))
    assert document["rootUrl"] == spec.root_url
    assert document["servicePath"] == spec.service_path
    assert document["batchPath"] == spec.batch_path


def test_the_override_gets_a_trailing_slash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(GOOGLE_API_ENDPOINT_ENV, "http://127.0.0.1:8089")
    assert endpoint_override() == "http://127.0.0.1:8089/"
    monkeypatch.setenv(GOOGLE_API_ENDPOINT_ENV, "http://127.0.0.1:8089/")
    assert endpoint_override() == "http://127.0.0.1:8089/"
    monkeypatch.delenv(GOOGLE_API_ENDPOINT_ENV)
    assert endpoint_override() is None


def test_calls_and_batches_go_to_each_apis_paths_under_the_root(
    fake: FakeGoogle, apis: GoogleApis
) -> None:
    assert not apis.real
    assert apis.directory.batch_uri == fake.url + "batch"
    assert apis.settings.batch_uri == fake.url + "batch/groupssettings/v1"
    fake.workspace.add_group("a@example.com", "a")
    found = get_group(apis, "A@example.com", Backoff())
    assert found is not None and found.email == "a@example.com"
    settings = apis.settings.client.groups().get(groupUniqueId="a@example.com").execute()
    assert settings["kind"] == "groupsSettings#groups"
    assert [p for _, p in fake.counters.log] == [
        "/admin/directory/v1/groups/A%40example.com",
        "/groups/v1/groups/a%40example.com",
    ]


def test_a_missing_group_is_none(fake: FakeGoogle, apis: GoogleApis) -> None:
    assert get_group(apis, "nobody@example.com", Backoff()) is None
