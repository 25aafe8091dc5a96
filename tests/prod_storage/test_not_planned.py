"""The other projects of infra.yaml's `prod` section: listed as not planned, and not planned."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from infra.declarations.stacks import stack_names
from tests.conftest import REPO

# ensure_all_prod_projects of ensure-prod-storage.sh@e10ab5f loops over these too.
NOT_PLANNED = (
    "k8s-artifacts-prod-bak",
    "k8s-cip-test-prod",
    "k8s-gcr-backup-test-prod",
    "k8s-gcr-backup-test-prod-bak",
    "k8s-gcr-audit-test-prod",
    "k8s-release-test-prod",
)


def test_they_are_the_prod_section_but_its_serving_project() -> None:
    estate = yaml.safe_load((REPO / "infra" / "infra.yaml").read_text())["infra"]
    assert set(estate["prod"]["projects"]) - {"k8s-artifacts-prod"} == set(NOT_PLANNED)


def test_the_fidelity_table_lists_each_as_not_planned() -> None:
    row = next(
        line
        for line in (REPO / "docs" / "design.md").read_text().splitlines()
        if line.startswith("| the same, `ensure_all_prod_projects` over the other projects")
    )
    assert "| not planned |" in row
    for project in NOT_PLANNED:
        assert f"`{project}`" in row


@pytest.mark.plan
@pytest.mark.parametrize("stack", stack_names(REPO))
def test_no_stack_plans_anything_in_them(
    repo_plan: Callable[[str], dict[str, Any]], stack: str
) -> None:
    text = json.dumps(repo_plan(stack)["resources"])
    assert not [p for p in NOT_PLANNED if f'"{p}"' in text or f"@{p}." in text]
