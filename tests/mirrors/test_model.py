"""The mirrors model on the repository's data files, without Pulumi."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
import yaml

from infra.catalog.validation import load_stack
from infra.core.fields import Fields, locate_file
from infra.core.problems import Position, Problems
from infra.mirrors.model import (
    ARTIFACT_REGISTRY_FILE,
    S3_BUCKETS_FILE,
    Mirrors,
    check_account_pin,
    load_mirror_declarations,
)
from infra.mirrors.regions import load_region_facts
from infra.mirrors.settings import parse_mirror_settings
from tests.conftest import REPO

STACK = "registry-mirrors"
STACK_FILE = REPO / "stacks" / f"Pulumi.{STACK}.yaml"


@pytest.fixture(scope="module")
def mirrors() -> Mirrors:
    problems = Problems()
    settings = load_stack(REPO, STACK, problems)
    assert settings is not None
    found = load_mirror_declarations(REPO, {STACK: settings}, problems)
    assert not list(problems), [p.format() for p in problems]
    assert found is not None
    return found


@pytest.mark.e2e
def test_the_model_imports_no_pulumi() -> None:
    """Models stay importable (and fast) where no provider SDK is installed."""
    probe = (
        "import sys, infra.catalog.validation, infra.mirrors.model; "
        "print(sorted({m.split('.')[0] for m in sys.modules if m.startswith('pulumi')}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert done.stdout.strip() == "[]"


def test_repositories_and_their_urls(mirrors: Mirrors) -> None:
    registry = mirrors.artifact_registry
    assert (registry.project, registry.repository_id, registry.format) == (
        "k8s-artifacts-prod",
        "images",
        "DOCKER",
    )
    regions = yaml.safe_load((REPO / ARTIFACT_REGISTRY_FILE).read_text())["regions"]
    assert len(registry.repositories) == len(regions["serving"]) + len(regions["non_serving"])
    assert registry.serving_regions() == sorted(regions["serving"])
    central = registry.repositories["us-central1"]
    assert central.serving
    assert central.url == "us-central1-docker.pkg.dev/k8s-artifacts-prod/images"
    assert central.host == "us-central1-docker.pkg.dev"
    assert not registry.repositories["africa-south1"].serving
    assert "me-central2" not in registry.repositories  # pending Google's approval


def test_buckets_and_their_endpoints(mirrors: Mirrors) -> None:
    s3 = mirrors.s3
    assert s3.account_id == "513428760722"
    declared = yaml.safe_load((REPO / S3_BUCKETS_FILE).read_text())["buckets"]
    assert sorted(s3.buckets) == sorted(declared)
    not_replicated = {r for r, spec in declared.items() if (spec or {}).get("replicated") is False}
    assert not_replicated == {"me-south-1"}
    assert {r for r, b in s3.buckets.items() if not b.replicated} == not_replicated
    london = s3.buckets["eu-west-2"]
    assert london.name == "767373bbdcb8270361b96548387bf2a9ad0d48758c35-eu-west-2"
    assert london.endpoint == (
        "https://767373bbdcb8270361b96548387bf2a9ad0d48758c35-eu-west-2"
        ".s3.dualstack.eu-west-2.amazonaws.com"
    )
    assert london.arn == "arn:aws:s3:::767373bbdcb8270361b96548387bf2a9ad0d48758c35-eu-west-2"
    retired = s3.buckets["me-south-1"]
    assert (retired.name, retired.replicated, retired.priority) == (
        "prod-registry-k8s-io-me-south-1",
        False,
        None,
    )
    assert s3.source.region == "us-east-2" and s3.source.is_source
    assert s3.source.endpoint == (
        "https://prod-registry-k8s-io-us-east-2.s3.dualstack.us-east-2.amazonaws.com"
    )


def test_one_rule_per_bucket_in_service_with_its_data_priority(mirrors: Mirrors) -> None:
    data = yaml.safe_load((REPO / S3_BUCKETS_FILE).read_text())
    rules = mirrors.s3.rules
    with_priority = {r for r, spec in data["buckets"].items() if "priority" in (spec or {})}
    assert {r.destination.region for r in rules} == with_priority
    assert [r.priority for r in rules] == sorted(r.priority for r in rules)
    for rule in rules:
        region = rule.destination.region
        assert rule.priority == data["buckets"][region]["priority"]
        assert rule.rule_id == f"registry-k8s-io-us-east-2-to-registry-k8s-io-{region}"
    assert {r.destination.region for r in rules}.isdisjoint({"us-east-2", "me-south-1"})


def test_every_client_region_reaches_a_bucket_in_service(mirrors: Mirrors) -> None:
    s3 = mirrors.s3
    declared = yaml.safe_load((REPO / S3_BUCKETS_FILE).read_text())["client_regions"]
    assert dict(s3.client_regions) == declared
    for client in s3.client_regions:
        bucket = s3.bucket_for_client(client)
        assert bucket is not None and bucket.replicated, client
    served = s3.bucket_for_client("me-south-1")
    assert served is not None and served.region == "me-central-1"
    for client in ("ap-east-2", "cn-north-1", "cn-northwest-1"):
        borrowed = s3.bucket_for_client(client)
        assert borrowed is not None and borrowed.region == "ap-east-1"
    assert s3.bucket_for_client("us-gov-west-1") is None  # archeio's default URL


def test_regions_are_those_of_the_facts(mirrors: Mirrors) -> None:
    facts = load_region_facts()
    assert set(mirrors.artifact_registry.repositories) <= set(facts.artifact_registry)
    assert {facts.aws[r] for r in mirrors.s3.buckets} == {"aws"}


def test_the_stack_settings(mirrors: Mirrors) -> None:
    spec = mirrors.settings[STACK]
    assert spec.services == (
        "artifactregistry.googleapis.com",
        "iamcredentials.googleapis.com",
        "run.googleapis.com",
        "storage-component.googleapis.com",
    )
    assert spec.project_roles() == [
        "roles/artifactregistry.admin",
        "roles/artifactregistry.repoAdmin",
        "roles/errorreporting.user",
        "roles/serviceusage.serviceUsageConsumer",
        "roles/viewer",
    ]
    # both promoter accounts, as iam.tf@8544cbe: an authoritative binding without one drops it
    assert spec.accounts_holding("roles/artifactregistry.repoAdmin") == [
        "k8s-infra-gcr-promoter",
        "k8s-infra-image-promotion",
    ]
    promoter = spec.service_accounts["k8s-infra-gcr-promoter"]
    pool = spec.workload_identity_pool
    assert pool is not None
    assert [pool.principal(k) for k in promoter.kubernetes_service_accounts] == [
        "principal://iam.googleapis.com/projects/180382678033/locations/global/"
        f"workloadIdentityPools/k8s-infra-prow-build-trusted.svc.id.goog/subject/ns/test-pods/sa/{n}"
        for n in ("k8s-infra-gcr-promoter", "s3-sync")
    ]
    quota = spec.quota_overrides["artifact-registry-requests-per-user"]
    assert (quota.limit, quota.value) == ("/min/project/user", 5000)
    writer = spec.s3_writer
    assert writer.max_session_hours == 12
    assert writer.legacy_principals_enabled
    assert len(writer.trusted_legacy_principals) == 2


def engine_value() -> Any:
    """The setting as pulumi.Config hands it to the program: a JSON string, decoded."""
    config = yaml.safe_load(STACK_FILE.read_text())["config"]
    return json.loads(json.dumps(config["k8s-infra:mirrors"]))


def test_settings_from_the_engine_and_the_legacy_flag() -> None:
    raw = engine_value()
    raw["s3_writer"]["legacy_principals_enabled"] = False
    problems = Problems()
    spec = parse_mirror_settings(raw, Fields(locate_file("stacks/x.yaml"), problems))
    assert not list(problems)
    assert spec is not None
    assert spec.s3_writer.trusted_legacy_principals == ()
    assert len(spec.s3_writer.legacy_principals) == 2  # kept, for turning back on


def test_settings_problems_without_positions_name_the_stack_file() -> None:
    raw = engine_value()
    raw["s3_writer"]["max_session_hours"] = 13
    raw["service_accounts"]["x"] = {}
    problems = Problems()
    parse_mirror_settings(raw, Fields(locate_file("stacks/Pulumi.s.yaml"), problems))
    assert [p.format() for p in problems] == [
        "stacks/Pulumi.s.yaml:1:1: error: `max_session_hours` is 13; allowed: from 1 to 12",
        "stacks/Pulumi.s.yaml:1:1: error: service account id `x` has 1 characters; "
        "GCP allows 6 to 30 (hint: pick another account id)",
    ]


@pytest.mark.parametrize(
    ("allowed", "message"),
    [
        (None, "`aws:allowedAccountIds` must pin the mirrors' AWS account"),
        ([], "`aws:allowedAccountIds` allows nothing, but the buckets live in account"),
        (["111122223333"], "`aws:allowedAccountIds` allows 111122223333, but the buckets live"),
        (["513428760722", "111122223333"], "allows 513428760722, 111122223333, but"),
    ],
)
def test_the_account_pin_must_be_exactly_the_data_account(allowed: Any, message: str) -> None:
    problems = Problems()
    check_account_pin("513428760722", allowed, Position("stacks/s.yaml", 3, 3), problems)
    (problem,) = list(problems)
    assert message in problem.message
    assert problem.position == Position("stacks/s.yaml", 3, 3)


def test_the_exact_pin_passes() -> None:
    problems = Problems()
    check_account_pin("513428760722", ["513428760722"], Position("s"), problems)
    assert not list(problems)
