"""The `prod-storage` component: what ensure-prod-storage.sh made besides the mirrors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from infra.core.problems import Problems
from infra.prod_storage.model import load_prod_storage
from tests.conftest import REPO, invoke
from tests.inventory import assert_inventory, load_inventory, resources_under

INVENTORIES = sorted((Path(__file__).parent / "inventories").glob("*.yaml"))
assert INVENTORIES, "found no files"
STACK = "registry-mirrors"
DATA = "infra/data/prod-storage.yaml"
# ALL_PROD_BUCKETS of ensure-prod-storage.sh@e10ab5f, and the project's own bucket.
UPSTREAM_BUCKETS = ["csi", "cni", "cri-tools", "kind", "sig-release"]
PROMOTER = "serviceAccount:k8s-infra-promoter@k8s-artifacts-prod.iam.gserviceaccount.com"
ADMINS = "group:k8s-infra-artifact-admins@kubernetes.io"


@pytest.fixture(scope="module")
def plan(repo_plan: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
    return repo_plan(STACK)


@pytest.mark.plan
@pytest.mark.parametrize("inventory", INVENTORIES, ids=lambda p: p.stem)
def test_inventory(plan: dict[str, Any], inventory: Path) -> None:
    expected = load_inventory(inventory)
    assert_inventory(plan, expected, component=expected["component"])


@pytest.mark.plan
def test_every_prod_bucket_with_the_scripts_grants(plan: dict[str, Any]) -> None:
    """Public read, the admins, the file promoter and each push group, on every bucket."""
    resources = resources_under(plan, "prod-storage")
    buckets = {r["inputs"]["name"]: r for r in resources
               if r["type"] == "gcp:storage/bucket:Bucket"}  # fmt: skip
    expected = ["k8s-artifacts-prod", *(f"k8s-artifacts-{s}" for s in UPSTREAM_BUCKETS)]
    assert sorted(buckets) == sorted(expected)
    grants: dict[str, set[tuple[str, str]]] = {}
    for r in resources:
        if r["type"] == "gcp:storage/bucketIAMMember:BucketIAMMember":
            inputs = r["inputs"]
            grants.setdefault(inputs["bucket"], set()).add((inputs["role"], inputs["member"]))
    for name, bucket in buckets.items():
        assert bucket["protect"] is True, name
        assert bucket["inputs"]["retentionPolicy"] == {"retentionPeriod": "315576000"}, name
        assert bucket["inputs"]["logging"]["logBucket"] == "k8s-infra-artifacts-gcslogs"
        common = {
            ("roles/storage.objectViewer", "allUsers"),
            ("roles/storage.objectAdmin", ADMINS),
            ("roles/storage.legacyBucketOwner", ADMINS),
            ("roles/storage.objectAdmin", PROMOTER),
            ("roles/storage.legacyBucketWriter", PROMOTER),
        }
        suffix = name.removeprefix("k8s-artifacts-")
        if suffix in UPSTREAM_BUCKETS:
            group = f"group:k8s-infra-push-{suffix}@kubernetes.io"
            common |= {
                ("roles/storage.objectAdmin", group),
                ("roles/storage.legacyBucketWriter", group),
            }
        assert grants[name] == common, name
    assert "website" not in buckets["k8s-artifacts-csi"]["inputs"]


@pytest.mark.plan
def test_no_grant_takes_a_role_the_mirrors_bind_authoritatively(plan: dict[str, Any]) -> None:
    """An additive member of an authoritatively bound role would fight the binding."""
    bound = {r["inputs"]["role"] for r in plan["resources"]
             if r["type"] == "gcp:projects/iAMBinding:IAMBinding"}  # fmt: skip
    added = {r["inputs"]["role"] for r in resources_under(plan, "prod-storage")
             if r["type"] == "gcp:projects/iAMMember:IAMMember"}  # fmt: skip
    assert added and bound and not added & bound


def test_component_code_names_no_project_bucket_or_group() -> None:
    """Buckets, accounts and members come from the data file only."""
    code = "\n".join(
        p.read_text() for p in sorted((REPO / "infra" / "prod_storage").glob("*.py"))
        if p.name not in ("model.py", "concern.py")
    )  # fmt: skip
    literals = ["k8s-artifacts", "kubernetes.io", "gcslogs", "k8s-infra-promoter", "test-pods"]
    assert [x for x in literals if x in code] == []


# (old text, new text, the text on the line the error names, message)
BROKEN = [
    ("  k8s-artifacts-kind: {writers: [group:k8s-infra-push-kind@kubernetes.io]}\n",
     "  k8s-artifacts-kind: {writers: [group:k8s-infra-push-kind@kubernetes.io]}\n"
     "  K8s.Artifacts: {}\n",
     "  K8s.Artifacts", "`K8s.Artifacts` is not a bucket name"),
    ("    roles: [roles/run.admin]\n",
     "    roles: [roles/run.admin]\n  - {member: group:k8s-infra-artifact-admins@kubernetes.io,"
     " roles: [roles/viewer], on: bucket:k8s-artifacts-prod}\n",
     "on: bucket:k8s-artifacts-prod", "bucket `k8s-artifacts-prod` is created here"),
    ("    roles: [roles/run.admin]\n",
     "    roles: [roles/run.admin]\n  - {member: group:k8s-infra-artifact-admins@kubernetes.io,"
     " roles: [roles/viewer], on: repository}\n",
     "on: repository", "`on` must be `project` or `bucket:<bucket>`"),
    ("    roles: [roles/run.admin]\n",
     "    roles: [roles/run.admin]\nbucket_grants:\n  k8s-artifacts-prod: []\n",
     "  k8s-artifacts-prod: []", "bucket `k8s-artifacts-prod` is created here"),
    ("{writers: [group:k8s-infra-push-kind@kubernetes.io]}",
     "{writers: [group:k8s-infra-push-kinds@kubernetes.io]}", "push-kinds",
     "group `k8s-infra-push-kinds@kubernetes.io` is not declared"),
    ("    display_name: artifact promoter\n",
     "    display_name: artifact promoter\n    writes: true\n", "    writes",
     "unknown key `writes` in account `k8s-infra-promoter`"),
    ("retention_seconds: 315576000", "retention_seconds: ten years", "retention_seconds",
     "retention_seconds"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "marker", "message"), BROKEN, ids=[m for *_, m in BROKEN])
def test_broken_data_is_refused_at_its_line(
    checkout_copy: Path, cli: CliRunner, old: str, new: str, marker: str, message: str
) -> None:
    data = checkout_copy / DATA
    text = data.read_text()
    assert old in text
    edited = text.replace(old, new, 1)
    data.write_text(edited)
    line = edited[: edited.index(marker)].count("\n") + 1
    result = invoke(cli, "--root", str(checkout_copy), "validate")
    assert result.exit_code == 1, result.output
    errors = [x for x in result.stderr.splitlines() if ": error: " in x and message in x]
    assert errors, result.stderr
    assert any(x.startswith(f"{DATA}:{line}:") for x in errors), errors


def _grants(root: Path) -> tuple[Any, dict[str, Any]]:
    problems = Problems()
    storage = load_prod_storage(root, problems)
    assert storage is not None, problems.sorted()
    return storage.project_grants, dict(storage.bucket_grants)


def test_one_grant_list_for_the_project_and_the_buckets_made_elsewhere(
    checkout_copy: Path,
) -> None:
    data = checkout_copy / DATA
    data.write_text(
        data.read_text()
        + "  - {member: 'group:k8s-infra-artifact-admins@kubernetes.io', roles: [roles/viewer],"
        " on: 'bucket:k8s-artifacts-gcslogs'}\n"
    )
    project, buckets = _grants(checkout_copy)
    assert [g.member for g in project] == [
        "group:k8s-infra-artifact-security@kubernetes.io",
        ADMINS,
    ]
    assert {name: [(g.member, g.roles) for g in grants] for name, grants in buckets.items()} == {
        "k8s-artifacts-gcslogs": [(ADMINS, ("roles/viewer",))]
    }


def test_the_former_grant_lists_are_read_with_a_warning(
    checkout_copy: Path, cli: CliRunner
) -> None:
    before = _grants(checkout_copy)
    data = checkout_copy / DATA
    text = data.read_text()
    assert text.count("\ngrants:\n") == 1
    data.write_text(text.replace("\ngrants:\n", "\nproject_grants:\n") + "bucket_grants: {}\n")
    result = invoke(cli, "--root", str(checkout_copy), "validate")
    assert result.exit_code == 0, result.stderr
    warnings = [x for x in result.stderr.splitlines() if ": warning: " in x]
    assert [x.split(": warning: ")[1].split(" (hint")[0] for x in warnings] == [
        "`project_grants` is deprecated: additive grants are listed under `grants`",
        "`bucket_grants` is deprecated: additive grants are listed under `grants`",
    ]
    assert all(x.startswith(f"{DATA}:") for x in warnings)
    assert _grants(checkout_copy) == before
