"""Plan inventories: expectations checked against an offline plan.

An expectation has three optional parts:

    values:   resource name -> subset of the resource's JSON (inputs, protect, type...)
    counts:   type token -> how many resources of that type (0: must not exist)
    absent:   resource names that must not exist
    outputs:  subset of the stack outputs

compared recursively; a mismatch names the path that differs. ``component``
limits the check to the resources under one component (by name).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from infra.core.located_yaml import load_yaml
from infra.core.problems import Problems

REGENERATE = "k8s-infra plan {stack} --json"


def load_inventory(path: Path) -> dict[str, Any]:
    """An expectation file, read with the declarations' loader: a repeated key is an error."""
    problems = Problems()
    document = load_yaml(path, path.name, problems)
    assert document is not None and not problems.has_errors, [p.format() for p in problems]
    return dict(document.data)


def resources_under(plan: dict[str, Any], component: str | None) -> list[dict[str, Any]]:
    """Custom resources of the plan, or only those below the component named ``component``."""
    resources = plan["resources"]
    if component is None:
        return [r for r in resources if r["custom"]]
    by_urn = {r["urn"]: r for r in resources}
    roots = [r["urn"] for r in resources if not r["custom"] and r["name"] == component]
    assert roots, f"no component named {component!r} in the plan of {plan['stack']}"

    def below(resource: dict[str, Any]) -> bool:
        parent = resource["parent"]
        while parent:
            if parent in roots:
                return True
            parent = by_urn[parent]["parent"]
        return False

    return [r for r in resources if r["custom"] and below(r)]


def by_name(resources: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for resource in resources:
        name = resource["name"]
        assert name not in found, f"two resources are named {name!r}: names must be unique"
        found[name] = resource
    return found


def mismatch(expected: Any, actual: Any, path: str) -> str | None:
    """The first path where ``actual`` does not contain ``expected``, or None."""
    if isinstance(expected, dict):
        return _mapping_mismatch(expected, actual, path)
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return f"{path}: expected {expected!r}, found {actual!r}"
        found = (
            mismatch(w, h, f"{path}[{i}]")
            for i, (w, h) in enumerate(zip(expected, actual, strict=True))
        )
        return next((f for f in found if f), None)
    return None if expected == actual else f"{path}: expected {expected!r}, found {actual!r}"


def _mapping_mismatch(expected: dict[str, Any], actual: Any, path: str) -> str | None:
    if not isinstance(actual, dict):
        return f"{path}: expected a mapping, found {actual!r}"
    for key, value in expected.items():
        if key not in actual:
            return f"{path}.{key}: missing (expected {value!r})"
        found = mismatch(value, actual[key], f"{path}.{key}")
        if found:
            return found
    return None


def assert_inventory(
    plan: dict[str, Any], expected: dict[str, Any], component: str | None = None
) -> None:
    resources = resources_under(plan, component)
    named = by_name(resources)
    hint = f"(regenerate with: {REGENERATE.format(stack=plan['stack'])})"
    for name, subset in (expected.get("values") or {}).items():
        assert name in named, f"resource {name!r} is not in the plan {hint}"
        problem = mismatch(subset, named[name], name)
        assert problem is None, f"{problem} {hint}"
    for name in expected.get("absent") or ():
        assert name not in named, f"resource {name!r} must not exist {hint}"
    counts = Counter(r["type"] for r in resources)
    for type_token, count in (expected.get("counts") or {}).items():
        assert counts.get(type_token, 0) == count, (
            f"{type_token}: expected {count}, found {counts.get(type_token, 0)} {hint}"
        )
    if "outputs" in expected:
        problem = mismatch(expected["outputs"], plan["outputs"], "outputs")
        assert problem is None, f"{problem} {hint}"
