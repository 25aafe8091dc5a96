#!/usr/bin/env python3
"""Write docs/figures.yml: the figures the docs pages show, from the code.

    .venv/bin/python scripts/docs_figures.py           # plan every stack, write the file
    .venv/bin/python scripts/docs_figures.py --check   # exit 1 when the file differs

Resource counts come from the offline plan of each stack on this checkout's
declarations (cached by content, as `k8s-infra plan` is); guard-rail counts
from the policy pack. Pages include them as `{{ figures.<name> }}`, never by
hand; tests/docs/test_figures.py fails when the file differs from the code.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ROOT / "docs" / "figures.yml"
HEADER = (
    "# The figures the docs pages show, from the code: written by\n"
    "# `.venv/bin/python scripts/docs_figures.py`; do not edit by hand.\n"
)


def figures(plan_of: Callable[[str], Mapping[str, Any]], stacks: list[str]) -> dict[str, Any]:
    """Every figure, from the plan of each stack and the policy pack."""
    from pulumi_policy import ResourceValidationPolicy

    from infra.guardrails.checks import policies

    every = policies()
    resource = sum(1 for policy in every if isinstance(policy, ResourceValidationPolicy))
    per_stack = {}
    for stack in stacks:
        resources = plan_of(stack)["resources"]
        # `resources` as `k8s-infra plan` counts them: cloud resources, not components
        custom = [r for r in resources if r.get("custom")]
        per_stack[stack] = {
            "resources": len(custom),
            "components": len(resources) - len(custom),
            # every entry of the plan, as `policy check` counts them
            "planned": len(resources),
            "protected": sum(1 for r in custom if r.get("protect")),
        }
    return {
        "stacks": per_stack,
        "resources": sum(s["resources"] for s in per_stack.values()),
        "planned": sum(s["planned"] for s in per_stack.values()),
        "guard_rails": {
            "resource": resource,
            "stack": len(every) - resource,
            "total": len(every),
        },
    }


def render(data: Mapping[str, Any]) -> str:
    return HEADER + yaml.safe_dump(dict(data), sort_keys=True)


def plans(root: Path) -> tuple[Callable[[str], Mapping[str, Any]], list[str]]:
    from infra.declarations.stacks import stack_names
    from infra.planner.runner import PlanFailed, PlanRequest, run_plans

    stacks = stack_names(root)
    results = run_plans([PlanRequest(stack, root) for stack in stacks])
    by_stack = {}
    for result in results:
        if result.plan is None:
            raise PlanFailed(result)
        by_stack[result.request.stack] = result.plan
    return by_stack.__getitem__, stacks


def main() -> int:
    text = render(figures(*plans(ROOT)))
    if "--check" in sys.argv[1:]:
        if FIGURES.read_text(encoding="utf-8") != text:
            stale = f"{FIGURES.relative_to(ROOT)} is stale: run scripts/docs_figures.py"
            print(stale, file=sys.stderr)
            return 1
        return 0
    FIGURES.write_text(text, encoding="utf-8")
    print(f"wrote {FIGURES.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
