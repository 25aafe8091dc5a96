#!/usr/bin/env python3
"""Benchmark the PR check's plans: only changed stacks replanned, unchanged inputs cached.

    python scripts/bench_review.py [--repeat N]

On a committed copy of this checkout (code and declarations), through the
installed command line, as a person or CI job runs it:

- `plan groups --no-cache`: the groups stack alone, planned from scratch;
- `plan all --base HEAD` after a change to one groups file, with the plans of
  the base already in the cache (as after an earlier `plan all`): each run
  edits the file anew, so the changed stack is planned every time;
- `plan all` again with nothing changed (every plan from the cache);
- for reference, `plan all --base HEAD` with an empty cache.

Targets: the second at most 1.3 times the first; the third under 2 seconds.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLI = Path(sys.executable).parent / "k8s-infra"
GROUPS_FILE = Path("groups") / "sig-scheduling" / "groups.yaml"
ANCHOR = "      - kueue-maintainer-2@example.com\n"


def git(repo: Path, *args: str) -> None:
    who = ["-c", "user.name=bench", "-c", "user.email=bench@example.com"]
    subprocess.run(["git", "-C", str(repo), *who, *args], check=True, capture_output=True)


def copy_checkout(target: Path) -> Path:
    for folder in ("infra", "stacks", "groups"):
        shutil.copytree(ROOT / folder, target / folder,
                        ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    shutil.copy(ROOT / "Pulumi.yaml", target / "Pulumi.yaml")
    git(target, "init", "-q", "-b", "main")
    git(target, "add", ".")
    git(target, "commit", "-qm", "base")
    return target


def timed(repo: Path, *args: str) -> float:
    started = time.monotonic()
    env = {**os.environ, "CI": "1", "K8S_INFRA_CACHE": str(repo.parent / "plan-cache")}
    done = subprocess.run([str(CLI), "--root", str(repo), *args], capture_output=True, text=True,
                          check=False, env=env)  # fmt: skip
    seconds = time.monotonic() - started
    if done.returncode != 0:
        sys.exit(f"`k8s-infra {' '.join(args)}` failed:\n{done.stderr}")
    return seconds


def add_member(repo: Path, number: int) -> None:
    path = repo / GROUPS_FILE
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(ANCHOR, f"{ANCHOR}      - bench-{number}@example.com\n", 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-review-") as scratch:
        repo = copy_checkout(Path(scratch) / "repo")
        alone = [timed(repo, "plan", "groups", "--no-cache") for _ in range(args.repeat)]
        cold_base = timed(repo, "plan", "all", "--base", "HEAD", "--no-cache")
        timed(repo, "plan", "all")  # the cache holds the base's plans, as after any plan
        changed = []
        for number in range(args.repeat):
            add_member(repo, number)
            changed.append(timed(repo, "plan", "all", "--base", "HEAD"))
        git(repo, "checkout", "--", ".")
        timed(repo, "plan", "all")
        repeated = [timed(repo, "plan", "all") for _ in range(args.repeat)]

    alone_s, changed_s = statistics.median(alone), statistics.median(changed)
    repeated_s = statistics.median(repeated)
    ratio = changed_s / alone_s
    ratio_note = "ok" if ratio <= 1.3 else "MISSED"
    repeated_note = "ok" if repeated_s < 2 else "MISSED"
    print(f"plan groups --no-cache                      {alone_s:6.2f} s  (min {min(alone):.2f})")
    print(
        f"plan all --base, one groups file changed    {changed_s:6.2f} s  (min {min(changed):.2f}; "
        f"{ratio:.2f}x plan groups; target <= 1.3x: {ratio_note})"
    )
    print(
        f"plan all, nothing changed (from the cache)  {repeated_s:6.2f} s  "
        f"(min {min(repeated):.2f}; target < 2 s: {repeated_note})"
    )
    print(f"plan all --base --no-cache (for reference)  {cold_base:6.2f} s")
    print(f"medians of {args.repeat} runs each, end to end through {CLI.name}")


if __name__ == "__main__":
    main()
