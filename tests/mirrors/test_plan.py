"""The `registry-mirrors` stack as the offline planner records it."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from infra.planner.diff import diff_plans
from infra.planner.runner import PlanRequest, plan_one
from tests.conftest import REPO, invoke
from tests.inventory import assert_inventory, by_name, load_inventory, resources_under

STACK = "registry-mirrors"
INVENTORIES = sorted((Path(__file__).parent / "inventories").glob("*.yaml"))
assert INVENTORIES, "found no files"
BUCKETS_FILE = REPO / "infra" / "data" / "registry" / "s3-buckets.yaml"
REGISTRY_FILE = REPO / "infra" / "data" / "registry" / "artifact-registry.yaml"
ACCOUNT = "513428760722"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/registry.k8s.io_s3writer"
ISSUER = (
    "container.googleapis.com/v1/projects/k8s-infra-prow-build-trusted/locations/us-central1/"
    "clusters/prow-build-trusted"
)
COMPANIONS = {
    "public-access": "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "ownership": "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "versioning": "aws:s3/bucketVersioning:BucketVersioning",
    "policy": "aws:s3/bucketPolicy:BucketPolicy",
}

pytestmark = pytest.mark.plan


@pytest.fixture(scope="module")
def plan(repo_plan: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
    return repo_plan(STACK)


@pytest.fixture(scope="module")
def named(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return custom(plan)


def declared_buckets() -> dict[str, dict[str, Any]]:
    """region -> {name, priority, replicated}, read straight from the data file."""
    data = yaml.safe_load(BUCKETS_FILE.read_text())
    pattern = data["name_pattern"]
    return {
        region: {
            "name": (spec or {}).get("name", pattern.replace("{region}", region)),
            "priority": (spec or {}).get("priority"),
            "replicated": (spec or {}).get("replicated", True),
        }
        for region, spec in data["buckets"].items()
        # a bucket managed elsewhere is only an address archeio sends clients to
        if (spec or {}).get("managed", True)
    }


def declared_registry_regions() -> list[str]:
    regions = yaml.safe_load(REGISTRY_FILE.read_text())["regions"]
    return [*regions["serving"], *regions["non_serving"]]


@pytest.mark.parametrize("inventory", INVENTORIES, ids=lambda p: p.stem)
def test_inventory(plan: dict[str, Any], inventory: Path) -> None:
    expected = load_inventory(inventory)
    assert_inventory(plan, expected, component=expected["component"])


def test_the_whole_stack_and_nothing_else(plan: dict[str, Any]) -> None:
    found = Counter(r["type"] for r in plan["resources"])
    assert found == Counter(
        {
            "gcp:artifactregistry/repository:Repository": 41,
            # public read and the artifact admins on each
            "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember": 82,
            "gcp:projects/service:Service": 4,
            # the two promoter accounts, and prod-storage's four
            "gcp:serviceaccount/account:Account": 6,
            "gcp:serviceaccount/iAMBinding:IAMBinding": 2,
            "gcp:serviceaccount/iAMMember:IAMMember": 3,
            "gcp:projects/iAMBinding:IAMBinding": 5,
            "gcp:projects/iAMMember:IAMMember": 4,
            "gcp:projects/iAMAuditConfig:IAMAuditConfig": 1,
            "gcp:serviceusage/consumerQuotaOverride:ConsumerQuotaOverride": 1,
            "gcp:storage/bucket:Bucket": 6,
            "gcp:storage/bucketIAMMember:BucketIAMMember": 40,
            "aws:s3/bucket:Bucket": 32,
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 32,
            "aws:s3/bucketOwnershipControls:BucketOwnershipControls": 32,
            "aws:s3/bucketVersioning:BucketVersioning": 32,
            "aws:s3/bucketPolicy:BucketPolicy": 32,
            "aws:s3/bucketReplicationConfig:BucketReplicationConfig": 1,
            "aws:iam/openIdConnectProvider:OpenIdConnectProvider": 1,
            "aws:iam/role:Role": 1,
            "aws:iam/rolePolicy:RolePolicy": 1,
            "k8s-infra:mirrors:ArtifactRegistryMirrors": 1,
            "k8s-infra:mirrors:MirrorProject": 1,
            "k8s-infra:mirrors:S3MirrorSet": 1,
            "k8s-infra:mirrors:S3Mirror": 32,
            "k8s-infra:mirrors:S3Writer": 1,
            "k8s-infra:prod:ProdStorage": 1,
        }
    )
    # One provider for every region: the default one, pinned by stack config.
    assert {r["provider"] for r in plan["resources"]} == {None}


def test_one_repository_per_declared_region(named: dict[str, dict[str, Any]]) -> None:
    regions = declared_registry_regions()
    repositories = {
        r["inputs"]["location"]: r
        for r in named.values()
        if r["type"] == "gcp:artifactregistry/repository:Repository"
    }
    assert sorted(repositories) == sorted(regions)
    for region, repository in repositories.items():
        assert repository["name"] == f"artifact-registry-{region}"
        assert repository["protect"] is True
        reader = named[f"artifact-registry-{region}-public-read"]
        assert reader["inputs"]["member"] == "allUsers"
        assert reader["inputs"]["location"] == region


def test_every_bucket_in_its_own_region_with_its_companions(
    named: dict[str, dict[str, Any]],
) -> None:
    declared = declared_buckets()
    buckets = {
        r["inputs"]["region"]: r for r in named.values() if r["type"] == "aws:s3/bucket:Bucket"
    }
    assert sorted(buckets) == sorted(declared)
    for region, spec in declared.items():
        bucket = buckets[region]
        assert bucket["name"] == f"s3-mirrors-{region}"
        assert bucket["inputs"]["bucket"] == spec["name"]
        assert bucket["protect"] is True
        assert bucket["inputs"]["forceDestroy"] is False
        for suffix, kind in COMPANIONS.items():
            companion = named[f"s3-mirrors-{region}-{suffix}"]
            assert companion["type"] == kind
            assert companion["inputs"]["region"] == region
            assert companion["inputs"]["bucket"] == spec["name"]
            assert companion["parent"] == bucket["parent"]


def test_bucket_policies_are_upstreams_word_for_word(
    named: dict[str, dict[str, Any]],
) -> None:
    for region, spec in declared_buckets().items():
        resource = named[f"s3-mirrors-{region}-policy"]
        policy = json.loads(resource["inputs"]["policy"])
        arn = f"arn:aws:s3:::{spec['name']}"
        assert policy["Id"] == "Public-Access"
        # s3/bucket.tf@7159e9d's statements (the public ones have no Sid), the
        # TLS deny widened to the bucket as the s3-bucket-hardening guard rail needs
        list_bucket, get_object, deny = policy["Statement"]
        assert list_bucket == {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:ListBucket",
            "Resource": arn,
        }
        assert get_object == {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": f"{arn}/*",
        }
        assert deny == {
            "Sid": "AllowSSLRequestsOnly",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [arn, f"{arn}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
        # New buckets refuse public policies until the access block is relaxed.
        assert resource["depends_on"] == [named[f"s3-mirrors-{region}-public-access"]["urn"]]


def test_eu_west_2_is_an_address_only(
    plan: dict[str, Any], named: dict[str, dict[str, Any]]
) -> None:
    """Upstream's Terraform has eu-west-2 commented out: no bucket and no rule here.

    A rule to a bucket that is missing or unversioned fails the whole
    replication configuration; archeio still sends London clients there.
    """
    london = "767373bbdcb8270361b96548387bf2a9ad0d48758c35-eu-west-2"
    assert not [name for name in named if "eu-west-2" in name]
    rules = named["s3-mirrors-replication"]["inputs"]["rules"]
    assert not [r for r in rules if london in r["destination"]["bucket"]]
    assert london in plan["outputs"]["bucketEndpoints"]["eu-west-2"]


def test_replication_from_the_source_to_every_bucket_in_service(
    named: dict[str, dict[str, Any]],
) -> None:
    declared = declared_buckets()
    replication = named["s3-mirrors-replication"]
    inputs = replication["inputs"]
    assert inputs["bucket"] == declared["us-east-2"]["name"]
    assert inputs["region"] == "us-east-2"
    assert inputs["role"] == ROLE_ARN
    rules = inputs["rules"]
    destinations = {r: s for r, s in declared.items() if s["priority"] is not None}
    assert destinations and len(rules) == len(destinations)
    assert "us-east-2" not in destinations and "me-south-1" not in destinations
    for rule in rules:
        region = rule["id"].removeprefix("registry-k8s-io-us-east-2-to-registry-k8s-io-")
        assert rule == {
            "id": f"registry-k8s-io-us-east-2-to-registry-k8s-io-{region}",
            "priority": destinations[region]["priority"],
            "status": "Enabled",
            "filter": {},
            "deleteMarkerReplication": {"status": "Enabled"},
            "destination": {
                "bucket": f"arn:aws:s3:::{destinations[region]['name']}",
                "storageClass": "STANDARD",
                "metrics": {"status": "Enabled"},
            },
        }
    assert len({rule["priority"] for rule in rules}) == len(rules)
    # Created only after versioning is on at both ends of every rule.
    waits_for = {named[f"s3-mirrors-{r}-versioning"]["urn"] for r in [*destinations, "us-east-2"]}
    assert set(replication["depends_on"]) == waits_for


def test_writer_role_trust_and_policy(named: dict[str, dict[str, Any]]) -> None:
    role = named["s3-writer-role"]["inputs"]
    trust = json.loads(role["assumeRolePolicy"])
    statements = {s["Sid"]: s for s in trust["Statement"]}
    assert statements["AwsServices"]["Principal"] == {
        "Service": ["s3.amazonaws.com", "batchoperations.s3.amazonaws.com"]
    }
    web = statements["KubernetesServiceAccounts"]
    assert web["Principal"] == {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{ISSUER}"}
    assert web["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert web["Condition"] == {
        "StringEquals": {
            f"{ISSUER}:sub": ["system:serviceaccount:test-pods:k8s-infra-gcr-promoter"]
        }
    }
    assert statements["LegacyPrincipals"]["Principal"] == {
        "AWS": [
            "arn:aws:iam::768319786644:root",
            "arn:aws:iam::585803375430:user/registry.k8s.io-ci",
        ]
    }
    policy = json.loads(named["s3-writer-policy"]["inputs"]["policy"])
    (statement,) = policy["Statement"]
    assert statement["Resource"] == "*"
    assert {
        "s3:*Object",
        "s3:ReplicateObject",
        "s3:ReplicateDelete",
        "s3:GetReplicationConfiguration",
    } <= set(statement["Action"])


def test_outputs_are_the_addresses(plan: dict[str, Any]) -> None:
    endpoints = plan["outputs"]["bucketEndpoints"]
    # every bucket clients are sent to, managed here or not
    assert set(endpoints) == {*declared_buckets(), "eu-west-2"}
    assert endpoints["eu-west-2"] == (
        "https://767373bbdcb8270361b96548387bf2a9ad0d48758c35-eu-west-2"
        ".s3.dualstack.eu-west-2.amazonaws.com"
    )
    urls = plan["outputs"]["repositoryUrls"]
    assert sorted(urls) == sorted(declared_registry_regions())
    assert urls["us-central1"] == "us-central1-docker.pkg.dev/k8s-artifacts-prod/images"


def test_component_code_names_no_project_and_no_region() -> None:
    """Projects, accounts and regions come from data and config only."""
    declarations = {"model.py", "settings.py", "regions.py", "concern.py", "__init__.py"}
    files = [
        p for p in sorted((REPO / "infra" / "mirrors").glob("*.py")) if p.name not in declarations
    ]
    assert files, "no component code found under infra/mirrors"
    code = "\n".join(p.read_text() for p in files)
    literals = [
        "k8s-artifacts-prod",
        ACCOUNT,
        "us-east-2",
        "us-central1",
        "eu-west-2",
        "prow-build-trusted",
        "180382678033",
    ]
    assert [x for x in literals if x in code] == []


def custom(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The plan's custom resources by name (component names repeat their bucket's)."""
    return by_name(resources_under(plan, None))


def mirror_data(root: Path) -> Path:
    return root / "infra" / "data" / "registry"


def test_adding_a_bucket_is_one_entry(checkout_copy: Path, plan: dict[str, Any]) -> None:
    buckets = mirror_data(checkout_copy) / "s3-buckets.yaml"
    text = buckets.read_text()
    buckets.write_text(
        text.replace(
            "  ap-east-1: {priority: 2}\n",
            "  ap-east-1: {priority: 2}\n  ap-east-2: {priority: 32}\n",
        )
    )
    started = time.monotonic()
    head = plan_one(PlanRequest(STACK, checkout_copy))
    assert time.monotonic() - started < 120
    diff = diff_plans(plan, head, "base")
    prefix = f"urn:pulumi:{STACK}::k8s-infra::k8s-infra:mirrors:S3MirrorSet$"
    assert diff.create == sorted(
        [
            f"{prefix}k8s-infra:mirrors:S3Mirror::s3-mirrors-ap-east-2",
            f"{prefix}k8s-infra:mirrors:S3Mirror$aws:s3/bucket:Bucket::s3-mirrors-ap-east-2",
            *(
                f"{prefix}k8s-infra:mirrors:S3Mirror${kind}::s3-mirrors-ap-east-2-{suffix}"
                for suffix, kind in COMPANIONS.items()
            ),
        ]
    )
    assert diff.delete == []
    (update,) = diff.update
    # one more rule, and the wait on the new bucket's versioning
    assert update.urn.endswith("::s3-mirrors-replication")
    assert update.keys == ["rules", "option:depends_on"]
    before = {r["id"]: r for r in custom(plan)["s3-mirrors-replication"]["inputs"]["rules"]}
    after = {r["id"]: r for r in custom(head)["s3-mirrors-replication"]["inputs"]["rules"]}
    added = "registry-k8s-io-us-east-2-to-registry-k8s-io-ap-east-2"
    assert set(after) - set(before) == {added}
    assert after[added]["priority"] == 32
    assert {k: v for k, v in after.items() if k != added} == before  # no other rule moved
    created = custom(head)["s3-mirrors-ap-east-2"]
    assert created["inputs"] == {
        "bucket": "prod-registry-k8s-io-ap-east-2",
        "region": "ap-east-2",
        "forceDestroy": False,
    }
    assert created["protect"] is True


def test_adding_a_repository_is_one_line(checkout_copy: Path, plan: dict[str, Any]) -> None:
    registry = mirror_data(checkout_copy) / "artifact-registry.yaml"
    text = registry.read_text()
    registry.write_text(text.replace("    - us-west4\n", "    - us-west4\n    - asia-southeast3\n"))
    head = plan_one(PlanRequest(STACK, checkout_copy))
    diff = diff_plans(plan, head, "base")
    prefix = f"urn:pulumi:{STACK}::k8s-infra::k8s-infra:mirrors:ArtifactRegistryMirrors$"
    assert diff.create == [
        f"{prefix}gcp:artifactregistry/repository:Repository::artifact-registry-asia-southeast3",
        f"{prefix}gcp:artifactregistry/repositoryIamMember:RepositoryIamMember"
        "::artifact-registry-asia-southeast3-admin-group-k8s-infra-artifact-admins",
        f"{prefix}gcp:artifactregistry/repositoryIamMember:RepositoryIamMember"
        "::artifact-registry-asia-southeast3-public-read",
    ]
    assert diff.update == [] and diff.delete == []


def test_legacy_principals_go_with_their_flag(checkout_copy: Path) -> None:
    stack = checkout_copy / "stacks" / f"Pulumi.{STACK}.yaml"
    text = stack.read_text()
    assert "legacy_principals_enabled: true" in text
    stack.write_text(
        text.replace("legacy_principals_enabled: true", "legacy_principals_enabled: false")
    )
    head = plan_one(PlanRequest(STACK, checkout_copy))
    trust = json.loads(custom(head)["s3-writer-role"]["inputs"]["assumeRolePolicy"])
    assert [s["Sid"] for s in trust["Statement"]] == ["AwsServices", "KubernetesServiceAccounts"]
    assert "768319786644" not in json.dumps(head)


def test_the_stack_refuses_another_aws_account(checkout_copy: Path, cli: CliRunner) -> None:
    stack = checkout_copy / "stacks" / f"Pulumi.{STACK}.yaml"
    text = stack.read_text()
    stack.write_text(
        text.replace(
            f'aws:allowedAccountIds: ["{ACCOUNT}"]', 'aws:allowedAccountIds: ["111122223333"]'
        )
    )
    line = next(
        i
        for i, t in enumerate(stack.read_text().splitlines(), 1)
        if t.startswith("  aws:allowedAccountIds")
    )
    result = invoke(cli, "--root", str(checkout_copy), "plan", STACK, "--json")
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert (
        f"stacks/Pulumi.{STACK}.yaml:{line}:3: error: `aws:allowedAccountIds` allows "
        f"111122223333, but the buckets live in account {ACCOUNT}"
    ) in result.stderr
    assert "Traceback" not in result.output


PROGRAM_WITH_OTHER_ACCOUNT = """
import json, sys
import pulumi
from pulumi.runtime import mocks, settings
from infra.core.errors import ProblemsFound
from infra.catalog.validation import load_declarations
from infra.catalog.validation import load_stack
from infra.core.problems import Problems
from infra.catalog import concern

root = __import__("pathlib").Path(sys.argv[1])
problems = Problems()
declarations = load_declarations(root, problems)
stack = load_stack(root, "registry-mirrors", problems)
assert declarations is not None and stack is not None and not problems.has_errors
class Nothing(mocks.Mocks):
    def new_resource(self, args):
        raise AssertionError(f"created {args.name} despite the wrong account")
    def call(self, args):
        return {}, None
pulumi.runtime.set_all_config({"aws:allowedAccountIds": json.dumps(["111122223333"])}, [])
settings.set_root_resource(None)
mocks.set_mocks(Nothing(), project="k8s-infra", stack="registry-mirrors", preview=False)
try:
    concern("registry-mirrors").build(stack, declarations)
except ProblemsFound as found:
    print("\\n".join(p.format() for p in found.problems))
"""


def test_the_program_refuses_an_engine_config_for_another_account(tmp_path: Path) -> None:
    """The engine's config, not only the file on disk, must name the data's account."""
    script = tmp_path / "run.py"
    script.write_text(PROGRAM_WITH_OTHER_ACCOUNT)
    done = subprocess.run(
        [sys.executable, str(script), str(REPO)], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == (
        f"stacks/Pulumi.{STACK}.yaml:1:1: error: `aws:allowedAccountIds` allows 111122223333, "
        f"but the buckets live in account {ACCOUNT} (infra/data/registry/s3-buckets.yaml) "
        f'(hint: allow exactly ["{ACCOUNT}"], or correct `aws_account_id` in the data file)'
    )
