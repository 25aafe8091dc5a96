"""Any infra.yaml or stack file, however wrong, gives problems, never an exception."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infra.catalog.validation import load_declarations
from infra.core.problems import Problems
from tests.conftest import REPO

KEYS = st.sampled_from([
    "infra", "staging", "staging-images", "projects", "managed_by", "also_in", "profile",
    "services", "grants", "grant_sets", "gcb_builder", "service_accounts", "member", "roles",
    "on", "registries", "writers", "readers", "cleanup", "iam", "build_bucket", "folder_id",
    "k8s-staging-x", "k8s-staging-kwok", "release-engineering", "registry_defaults", "kueue",
])  # fmt: skip
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 100), st.text(max_size=12),
    st.sampled_from(["writers", "cloudbuild", "sa:x", "roles/viewer", "allUsers", "repository",
                     "group:a@kubernetes.io", "project:k8s-x", "dry-run", "us-central1"]),
)  # fmt: skip
VALUES: Any = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=4)),
    max_leaves=20,
)


def _small_estate() -> str:
    """The repository's infra.yaml with two projects per section: every shape, read fast."""
    data = yaml.safe_load((REPO / "infra" / "infra.yaml").read_text())
    for section in data["infra"].values():
        if isinstance(section, dict) and isinstance(section.get("projects"), dict):
            section["projects"] = dict(list(section["projects"].items())[:2])
    return yaml.safe_dump(data)


SMALL_ESTATE = _small_estate()


def checkout(tmp: Path) -> Path:
    for name in ("stacks",):
        (tmp / name).mkdir(exist_ok=True)
    (tmp / "infra").mkdir(exist_ok=True)
    for stack in ("staging", "staging-images"):
        source = REPO / "stacks" / f"Pulumi.{stack}.yaml"
        (tmp / "stacks" / source.name).write_text(source.read_text())
    return tmp


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.dictionaries(KEYS, VALUES, max_size=3),
    section=st.sampled_from([None, "staging", "staging-images", "prod"]),
)
def test_any_infra_yaml_gives_problems_not_exceptions(
    tmp_path: Path, body: dict[str, Any], section: str | None
) -> None:
    root = checkout(tmp_path)
    document = {"infra": {section: body}} if section else body
    (root / "infra" / "infra.yaml").write_text(yaml.safe_dump(document))
    problems = Problems()
    load_declarations(root, problems)
    for problem in problems:
        assert problem.position.line >= 1 and problem.position.col >= 1
        assert problem.message


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(config=st.dictionaries(
    st.sampled_from(["k8s-infra:components", "k8s-infra:staging", "k8s-infra:staging_images",
                     "k8s-infra:domain", "k8s-infra:groups", "k8s-infra:mirrors", "aws:region",
                     "k8s-infra:organization_id", "bad"]),
    VALUES, max_size=4))  # fmt: skip
def test_any_stack_file_gives_problems_not_exceptions(
    tmp_path: Path, config: dict[str, Any]
) -> None:
    root = checkout(tmp_path)
    (root / "infra" / "infra.yaml").write_text(SMALL_ESTATE)
    (root / "stacks" / "Pulumi.staging.yaml").write_text(yaml.safe_dump({"config": config}))
    problems = Problems()
    load_declarations(root, problems)
    assert all(p.message for p in problems)
