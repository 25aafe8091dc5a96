"""The path allow-list against every path archeio serves, from the data files alone."""

from __future__ import annotations

import re

import pytest

from infra.core.problems import Problems
from infra.proxy.armor import Edge, load_edge
from tests.conftest import REPO

# Upstream's rule (kubernetes/k8s.io modules/oci-proxy/cloud-armor.tf at 01b5ec2b).
UPSTREAM = (
    "!request.path.matches('^/$|^/privacy$|^/token$|^/v2/?$|^/v2/.+/blobs/.+$|"
    "^/v2/.+/manifests/.+$|^/v2/.*tags/list$')"
)


@pytest.fixture(scope="module")
def edge() -> Edge:
    problems = Problems()
    found = load_edge(REPO, problems)
    assert found is not None and not problems.has_errors, [p.format() for p in problems]
    return found


def test_without_referrers_the_rule_is_upstreams(edge: Edge) -> None:
    assert edge.armor.allow_list.expression(referrers=False) == UPSTREAM


@pytest.mark.parametrize("referrers", [False, True])
def test_every_path_archeio_always_serves_passes(edge: Edge, referrers: bool) -> None:
    pattern = edge.armor.allow_list.pattern(referrers)
    assert "/token" in edge.paths.always
    assert [p for p in edge.paths.always if not re.search(pattern, p)] == []


def test_referrers_pass_only_with_the_switch(edge: Edge) -> None:
    allow = edge.armor.allow_list
    assert edge.paths.with_referrers
    assert all(allow.admits(p, referrers=True) for p in edge.paths.with_referrers)
    assert not any(allow.admits(p, referrers=False) for p in edge.paths.with_referrers)


@pytest.mark.parametrize("referrers", [False, True])
def test_paths_archeio_does_not_serve_are_refused(edge: Edge, referrers: bool) -> None:
    pattern = edge.armor.allow_list.pattern(referrers)
    assert {"/v2/_catalog", "/v1/_ping", "/v2x", "/v2/pause/manifests/"} <= set(edge.paths.refuses)
    assert [p for p in edge.paths.refuses if re.search(pattern, p)] == []


def test_the_data_names_the_archeio_version_it_was_checked_against(edge: Edge) -> None:
    assert edge.paths.archeio_version == "v0.8.0"
    assert edge.armor.name == "security-policy-oci-proxy"
    throttle = edge.armor.throttle
    assert (throttle.count, throttle.interval_sec, throttle.exceed_action) == (
        2490,
        30,
        "deny(429)",
    )
