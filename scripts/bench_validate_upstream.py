#!/usr/bin/env python3
"""Benchmark: `k8s-infra validate` of upstream's whole tree, through the command line.

Runs ``k8s-infra validate --root tests/fixtures/upstream-tree`` (every upstream
groups file, its restrictions and infra.yaml) ``--runs`` times, each in a
process of its own as a person or a job would, and prints the median and the
slowest wall-clock time, then the same for ``groups validate``. The target
is under 2 s for the whole validation.

    .venv/bin/python scripts/bench_validate_upstream.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TREE = ROOT / "tests" / "fixtures" / "upstream-tree"
TARGET = 2.0


def timed(command: list[str], runs: int) -> list[float]:
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        seconds.append(time.perf_counter() - start)
        if done.returncode not in (0, 1):  # 1: the tree's known problems
            sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    cli = str(Path(sys.executable).parent / "k8s-infra")
    files = len(list(TREE.rglob("groups.yaml")))
    print(f"upstream tree: {files} groups files, restrictions.yaml, infra/gcp/infra.yaml")
    worst = 0.0
    for what in (["validate"], ["groups", "validate"]):
        seconds = timed([cli, "--root", str(TREE), *what], args.runs)
        worst = max(worst, *seconds)
        print(
            f"k8s-infra {' '.join(what)}: median {statistics.median(seconds):.2f} s, "
            f"slowest {max(seconds):.2f} s ({args.runs} runs)"
        )
    print(f"target: under {TARGET:.0f} s: {'met' if worst < TARGET else 'MISSED'}")


if __name__ == "__main__":
    main()
