#!/usr/bin/env python3
"""Estimate a stack's Pulumi state, and what a first import writes to the state bucket.

    python scripts/state_size.py [STACK...] [--root DIR]

From the offline plan, one state-like entry per resource is built as a
checkpoint holds it: URN, type, id, parent, provider reference, inputs,
dependencies, and outputs. Outputs are the inputs plus every other property
the provider class declares (a bridged provider stores its whole schema in
state), each counted at OUTPUT_BYTES. The deployment is serialized the way
the DIY backend writes it (indented JSON). A first import writes the whole
checkpoint after each step, while it grows from empty: about
resources x size / 2 bytes in all, one write of the same object per step.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

from infra.declarations.stacks import stack_names
from infra.planner.runner import PlanRequest, run_plans

# A computed or defaulted property in state: its key and a short value (an
# empty string, a self link or a number), as indented JSON.
OUTPUT_BYTES = 48
# Cloud Storage takes about one update per second of one object name.
OBJECT_UPDATES_PER_SECOND = 1.0
PROVIDER_REF = "urn:pulumi:{stack}::k8s-infra::pulumi:providers:gcp::default_9_0_0::" + "0" * 36


@cache
def provider_properties(type_: str) -> frozenset[str]:
    """The property names the provider's Python class declares (its state's keys)."""
    package, module_path, name = type_.split(":")
    if package not in ("gcp", "aws"):
        return frozenset()
    try:
        module = importlib.import_module(f"pulumi_{package}.{module_path.split('/')[0]}")
    except ImportError:
        return frozenset()
    cls = getattr(module, name, None)
    if cls is None:
        return frozenset()
    return frozenset(_camel(k) for k, v in vars(cls).items() if isinstance(v, property))


def _camel(snake: str) -> str:
    """The engine's (state's) name of a Python property: ``self_link`` -> ``selfLink``."""
    head, *rest = snake.split("_")
    return head + "".join(part.title() for part in rest)


def state_entry(stack: str, resource: dict[str, Any]) -> dict[str, Any]:
    inputs = resource["inputs"]
    extra = provider_properties(resource["type"]) - set(inputs)
    outputs = {**inputs, **{key: "x" * (OUTPUT_BYTES - len(key) - 12) for key in extra}}
    entry: dict[str, Any] = {
        "urn": resource["urn"],
        "custom": resource["custom"],
        "type": resource["type"],
        "inputs": inputs,
        "outputs": outputs,
        "parent": resource["parent"] or f"urn:pulumi:{stack}::k8s-infra::pulumi:pulumi:Stack::x",
        "dependencies": resource["depends_on"],
        "propertyDependencies": {key: [] for key in inputs},
        "created": "2026-01-01T00:00:00.000000000Z",
        "modified": "2026-01-01T00:00:00.000000000Z",
    }
    if resource["custom"]:
        entry["id"] = resource["urn"].rsplit("::", 1)[-1]
        entry["provider"] = PROVIDER_REF.format(stack=stack)
    if resource["protect"]:
        entry["protect"] = True
    return entry


def measure(stack: str, plan: dict[str, Any]) -> dict[str, Any]:
    entries = [state_entry(stack, r) for r in plan["resources"] if r["mode"] == "managed"]
    document = {"version": 3, "checkpoint": {"stack": stack, "latest": {"resources": entries}}}
    size = len(json.dumps(document, indent=4))
    by_type = Counter[str]()
    for entry in entries:
        by_type[entry["type"]] += len(json.dumps(entry, indent=4))
    steps = len(entries)
    return {
        "stack": stack,
        "resources": steps,
        "state_bytes": size,
        "bytes_per_resource": size // max(steps, 1),
        "first_import_written_bytes": steps * size // 2,
        "first_import_min_seconds": round(steps / OBJECT_UPDATES_PER_SECOND),
        "largest_types": by_type.most_common(5),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("stacks", nargs="*")
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1])
    args = parser.parse_args(argv)
    stacks = args.stacks or [s for s in stack_names(args.root) if s != "groups"]
    results = run_plans([PlanRequest(stack, args.root) for stack in stacks])
    for result in results:
        if result.plan is None:
            print(f"{result.request.stack}: plan failed", file=sys.stderr)
            return 1
        found = measure(result.request.stack, result.plan)
        print(
            f"{found['stack']}: {found['resources']} resources, state ~"
            f"{found['state_bytes'] / 1e6:.1f} MB ({found['bytes_per_resource']} B each); "
            f"a first import with a checkpoint per step writes ~"
            f"{found['first_import_written_bytes'] / 1e9:.1f} GB in "
            f"{found['resources']} writes of one object (>= {found['first_import_min_seconds']} s)"
        )
        for type_, size in found["largest_types"]:
            print(f"    {size / 1e6:6.2f} MB  {type_}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
