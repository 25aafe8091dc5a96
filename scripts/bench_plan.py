#!/usr/bin/env python3
"""Benchmark the offline planner: `plan all` on a checkout, next to the SDK's floor.

    python scripts/bench_plan.py [--root DIR] [--repeat N]

For every stack: resources, seconds (median of N runs of the planner
process, imports included) and milliseconds per resource. The floor is the
same number of plain resources (no inputs, no outputs, no components)
registered under the same mocks and recording monitor, by the same planner
process: the ratio says what the programs and providers add on top of the
SDK's own cost per registration.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from infra.declarations.stacks import stack_names
from infra.planner.runner import PlanRequest, run_plans

FLOOR_PROGRAM = """
import os
import pulumi

for index in range(int(os.environ["BENCH_RESOURCES"])):
    pulumi.CustomResource("bench:index:Plain", f"plain-{index}", {})
"""


def floor_project(folder: Path) -> Path:
    (folder / "infra").mkdir(parents=True)
    (folder / "infra" / "__main__.py").write_text(FLOOR_PROGRAM)
    (folder / "stacks").mkdir()
    (folder / "stacks" / "Pulumi.floor.yaml").write_text("config: {}\n")
    (folder / "Pulumi.yaml").write_text(
        "name: floor\nruntime: python\nmain: infra/\nstackConfigDir: stacks\n"
    )
    return folder


def timed(requests: list[PlanRequest], jobs: int | None) -> tuple[float, list[float], list[int]]:
    started = time.monotonic()
    results = run_plans(requests, jobs)
    wall = time.monotonic() - started
    for result in results:
        if result.plan is None:
            sys.exit(f"plan of {result.request.stack} failed: {result.error}")
    return wall, [r.seconds for r in results], [len(r.resources) for r in results]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    root = args.root.resolve()
    stacks = stack_names(root)
    requests = [PlanRequest(stack, root) for stack in stacks]

    walls: list[float] = []
    per_stack: dict[str, list[float]] = {stack: [] for stack in stacks}
    counts: list[int] = []
    for _ in range(args.repeat):
        wall, seconds, counts = timed(requests, None)
        walls.append(wall)
        for stack, value in zip(stacks, seconds, strict=True):
            per_stack[stack].append(value)
    total = sum(counts)
    largest = max(counts)

    import os

    with tempfile.TemporaryDirectory() as scratch:
        project = floor_project(Path(scratch) / "floor")
        os.environ["BENCH_RESOURCES"] = str(largest)
        floor_runs = [
            timed([PlanRequest("floor", project, project)], 1)[1][0] for _ in range(args.repeat)
        ]
    floor = statistics.median(floor_runs)
    floor_ms = 1000 * floor / largest

    print(f"{'stack':<18} {'resources':>9} {'seconds':>8} {'ms/resource':>12} {'x floor':>8}")
    for stack, count in zip(stacks, counts, strict=True):
        median = statistics.median(per_stack[stack])
        per = 1000 * median / count if count else 0.0
        ratio = f"{per / floor_ms:.2f}" if count else "-"
        print(f"{stack:<18} {count:>9} {median:>8.2f} {per:>12.2f} {ratio:>8}")
    wall = statistics.median(walls)
    print(
        f"plan all: {total} resources in {wall:.2f} s wall, "
        f"{1000 * wall / max(total, 1):.2f} ms/resource ({args.repeat} runs, median)"
    )
    print(
        f"SDK floor: {largest} plain resources in {floor:.2f} s, {floor_ms:.2f} ms/resource "
        "(same mocks, recording monitor and planner process)"
    )


if __name__ == "__main__":
    main()
