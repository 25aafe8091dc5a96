"""The `groups` stack as the offline planner records it: one resource per declared group."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from infra.core.problems import Problems
from infra.groups.loader import load_groups
from tests.conftest import REPO
from tests.inventory import assert_inventory, load_inventory

STACK = "groups"
GROUP_TYPE = "pulumi-python:dynamic/groups:GoogleGroup"
INVENTORIES = sorted((Path(__file__).parent / "inventories").glob("*.yaml"))
assert INVENTORIES, "found no files"


@pytest.fixture(scope="module")
def plan(repo_plan: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
    return repo_plan(STACK)


def test_one_retained_resource_per_declared_group(plan: dict[str, Any]) -> None:
    problems = Problems()
    tree = load_groups(REPO, problems)
    assert tree is not None and not problems.has_errors
    groups = [r for r in plan["resources"] if r["type"] == GROUP_TYPE]
    assert sorted(r["inputs"]["email"].lower() for r in groups) == sorted(
        g.email.lower() for g in tree.groups
    )
    (component,) = [r for r in plan["resources"] if not r["custom"]]
    assert component["type"] == "k8s-infra:groups:GoogleGroups"
    for resource in groups:
        assert resource["parent"] == component["urn"]
        assert resource["retain_on_delete"] is True
        assert "__provider" not in resource["inputs"]
        assert "groupId" not in resource["inputs"]  # Google assigns it
    assert len(plan["resources"]) == len(groups) + 1


@pytest.mark.parametrize("inventory", INVENTORIES, ids=lambda p: p.stem)
def test_inventory(plan: dict[str, Any], inventory: Path) -> None:
    expected = load_inventory(inventory)
    assert_inventory(plan, expected, component=expected["component"])
