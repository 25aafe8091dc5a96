"""Properties every stack's plan on the repository's own declarations must have."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from infra.declarations.stacks import stack_names
from tests.conftest import REPO

STACKS = stack_names(REPO)
RESOURCE_KEYS = {"urn", "type", "name", "custom", "mode", "parent", "provider", "protect",
                 "retain_on_delete", "depends_on", "inputs"}  # fmt: skip

pytestmark = pytest.mark.plan


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def nulls(value: Any, path: str = "") -> Iterator[str]:
    if value is None:
        yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from nulls(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from nulls(item, f"{path}[{index}]")


@pytest.mark.parametrize("stack", STACKS)
def test_plan_shape_and_no_lost_inputs(
    repo_plan: Callable[[str], dict[str, Any]], stack: str
) -> None:
    plan = repo_plan(stack)
    assert set(plan) == {"stack", "resources", "outputs"}
    assert plan["stack"] == stack
    urns = [r["urn"] for r in plan["resources"]]
    assert urns == sorted(urns) and len(set(urns)) == len(urns)
    for resource in plan["resources"]:
        assert set(resource) == RESOURCE_KEYS
        assert resource["urn"].startswith(f"urn:pulumi:{stack}::k8s-infra::")
        # an input built from an unresolved output would show up as null or as text
        # rendered from an Output object; neither may ever reach a plan
        assert not list(nulls(resource["inputs"])), resource["urn"]
        for text in strings(resource["inputs"]):
            assert "Calling __str__ on an Output" not in text, resource["urn"]
            assert "None@" not in text and "$unknown(" not in text, resource["urn"]
    for text in strings(plan["outputs"]):
        assert "Calling __str__ on an Output" not in text
    for key in strings(list(plan["outputs"])):
        assert "Output" not in key


@pytest.mark.parametrize("stack", STACKS)
def test_no_unknown_values_in_the_shipped_plans(
    repo_plan: Callable[[str], dict[str, Any]], stack: str
) -> None:
    """Everything the programs read from computed outputs is in the placeholder table."""
    assert '"$unknown"' not in json.dumps(repo_plan(stack))


def test_json_plans_are_byte_stable_from_run_to_run() -> None:
    """Two runs of `plan --json` print the same bytes (sorted keys, sorted resources)."""
    from typer.testing import CliRunner

    from tests.conftest import invoke

    outputs = [
        invoke(CliRunner(), "--root", str(REPO), "plan", "staging-images", "--json").stdout
        for _ in range(2)
    ]
    assert outputs[0] == outputs[1]
    assert json.loads(outputs[0])["stack"] == "staging-images"
