#!/usr/bin/env python3
"""Benchmark the summary's leaf-level diff against DeepDiff, on the estate's own plans.

    python scripts/bench_leaves.py [--repeat N]

Plans every stack of this checkout offline, then, for every resource, compares
its inputs with a changed copy: every third string leaf gets a new ending,
every list of plain values loses its first item and gains one, every object
gains a key. Both walks must find the same changed leaves (a list of plain
values counts as one place, since the summary lists its items added and
removed); the times are the medians of N runs over all resources. DeepDiff is
not a dependency of the project: install it in the virtualenv to run this.
"""

from __future__ import annotations

import argparse
import copy
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from infra.declarations.stacks import stack_names  # noqa: E402
from infra.planner.runner import PlanFailed, PlanRequest, run_plans  # noqa: E402
from infra.review.leaves import ABSENT, leaves  # noqa: E402


def changed(value: Any, counter: list[int]) -> Any:
    """A deterministic edit of a value: the leaves a real change could touch."""
    if isinstance(value, dict):
        edited = {key: changed(item, counter) for key, item in value.items()}
        if not {"$secret", "$unknown", "$resource"} & set(value):
            edited["benchAdded"] = "x"
        return edited
    if isinstance(value, list):
        if value and all(not isinstance(v, dict | list) for v in value):
            return [*value[1:], "bench-added"]
        return [changed(item, counter) for item in value]
    if isinstance(value, str):
        counter[0] += 1
        return value + "-changed" if counter[0] % 3 == 0 else value
    return value


def ours(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    return {leaf.path for leaf in leaves("", before, after)}


_STEP = re.compile(r"\['((?:[^'\\]|\\.)*)'\]|\[(\d+)\]")


def theirs(before: dict[str, Any], after: dict[str, Any], deep_diff: Any) -> set[str]:
    found = set()
    for path in deep_diff(before, after).affected_paths:
        steps = [(m.group(1), m.group(2)) for m in _STEP.finditer(path.removeprefix("root"))]
        parts: list[str] = []
        value: Any = before
        for key, index in steps:
            if index is not None:
                plain = isinstance(value, list) and all(
                    not isinstance(v, dict | list) for v in value
                )
                if plain:
                    break  # an item of a list of plain values: the list is the place
                parts.append(f"[{index}]")
                value = value[int(index)] if isinstance(value, list) and int(index) < len(
                    value) else None  # fmt: skip
            else:
                parts.append(("." if parts else "") + key)
                value = value.get(key) if isinstance(value, dict) else None
        found.add("".join(parts))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    try:
        from deepdiff import DeepDiff
    except ImportError:
        print("DeepDiff is not installed: pip install deepdiff", file=sys.stderr)
        return 2
    results = run_plans([PlanRequest(stack, ROOT) for stack in stack_names(ROOT)])
    failed = [r for r in results if r.plan is None]
    if failed:
        raise PlanFailed(failed[0])
    pairs = []
    counter = [0]
    for result in results:
        for resource in (result.plan or {})["resources"]:
            inputs = resource["inputs"]
            pairs.append((inputs, changed(copy.deepcopy(inputs), counter)))
    differ = sum(1 for a, b in pairs if ours(a, b) != theirs(a, b, DeepDiff))
    timings: dict[str, list[float]] = {"hand-written walk": [], "DeepDiff": []}
    for _ in range(args.repeat):
        started = time.perf_counter()
        for a, b in pairs:
            list(leaves("", a, b if b is not None else ABSENT))
        timings["hand-written walk"].append(time.perf_counter() - started)
        started = time.perf_counter()
        for a, b in pairs:
            DeepDiff(a, b, view="tree")
        timings["DeepDiff"].append(time.perf_counter() - started)
    leaves_found = sum(len(ours(a, b)) for a, b in pairs)
    print(f"{len(pairs)} resources, {leaves_found} changed places; "
          f"resources where the two disagree: {differ}")  # fmt: skip
    for name, seconds in timings.items():
        print(f"{name}: {statistics.median(seconds):.3f} s (median of {args.repeat})")
    return 0 if differ == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
