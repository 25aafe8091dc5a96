"""The staging project component's rules, on a one-project model, in this process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from infra.catalog import section_extensions
from infra.core.problems import Problems
from infra.declarations.estate import load_estate
from infra.declarations.facts import load_facts
from infra.staging.component import StagingProjectArgs, StagingProjectComponent
from infra.staging.model import StagingSettings, load_staging
from tests.components import record

SETTINGS = StagingSettings(
    organization_id="123456789012",
    billing_account="000000-000000-000000",
    domain="example.org",
    logs_bucket="logs",
    artifact_admins="group:admins@example.org",
    prow_builder="serviceAccount:builder@prow.iam.gserviceaccount.com",
)
INFRA_YAML = """\
infra:
  staging:
    projects:
      k8s-staging-demo:
        services: [compute.googleapis.com]
        gcb_builder: {workload_identity_pool: k8s-infra-prow-build-trusted}
        grants:
          - member: cloudbuild
            on: project:k8s-releng-prod
            roles: [roles/secretmanager.secretAccessor]
"""


def plan(tmp_path: Path) -> dict[str, dict[str, Any]]:
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "infra.yaml").write_text(INFRA_YAML)
    problems = Problems()
    estate = load_estate(tmp_path, load_facts(), problems, section_extensions())
    assert estate is not None
    (project,) = load_staging(estate, SETTINGS, problems).projects
    assert not problems.has_errors, [p.format() for p in problems]
    args = StagingProjectArgs(project, SETTINGS)
    return record(lambda: StagingProjectComponent("k8s-staging-demo", args))


def test_the_project_is_protected_and_its_data_kept(tmp_path: Path) -> None:
    resources = plan(tmp_path)
    assert resources["k8s-staging-demo-project"]["protect"] is True
    for name in (
        "k8s-staging-demo-images",
        "k8s-staging-demo-bucket",
        "k8s-staging-demo-gcb-bucket",
    ):
        assert resources[name]["retain_on_delete"] is True, name
        assert resources[name]["protect"] is False, name


def test_apis_are_never_disabled_and_declared_ones_are_added(tmp_path: Path) -> None:
    services = {r["inputs"]["service"]: r for r in plan(tmp_path).values()
                if r["type"] == "gcp:projects/service:Service"}  # fmt: skip
    assert "compute.googleapis.com" in services
    assert "containeranalysis.googleapis.com" not in services
    assert all(r["inputs"]["disableOnDestroy"] is False for r in services.values())


def test_the_cloud_build_account_comes_from_the_project_number(tmp_path: Path) -> None:
    resources = plan(tmp_path)
    grant = next(r for r in resources.values()
                 if r["inputs"].get("role") == "roles/secretmanager.secretAccessor")  # fmt: skip
    assert grant["inputs"]["project"] == "k8s-releng-prod"
    number = resources["k8s-staging-demo-project"]["inputs"].get("number")
    member = grant["inputs"]["member"]
    assert member.startswith("serviceAccount:") and member.endswith(
        "@cloudbuild.gserviceaccount.com"
    )
    assert member.split(":")[1].split("@")[0].isdigit(), member
    assert number is None  # the number is computed by Google, never declared


def test_the_gcb_builder_is_trusted_by_its_kubernetes_account(tmp_path: Path) -> None:
    resources = plan(tmp_path)
    account = resources["k8s-staging-demo-sa-gcb-builder-demo"]
    assert account["inputs"]["accountId"] == "gcb-builder-demo"
    identity = [
        r for r in resources.values()
        if r["inputs"].get("role") == "roles/iam.workloadIdentityUser"
    ]  # fmt: skip
    assert [r["inputs"]["member"] for r in identity] == [
        "serviceAccount:k8s-infra-prow-build-trusted.svc.id.goog[test-pods/gcb-builder-demo]"
    ]
