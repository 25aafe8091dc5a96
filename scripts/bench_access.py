#!/usr/bin/env python3
"""Benchmark `access diff` and `access of`: what they add to the plans.

    .venv/bin/python scripts/bench_access.py [--repeat N] [--trim]

In a committed copy of this checkout (with ``--trim``, three staging
projects), two branches off main each add one member to one staging writer
group: a one-file change. With an empty plan cache in a temporary folder,
it times:

1. `k8s-infra plan all --base main` on the first branch: every plan made
   (the cold case);
2. the same on the second branch: the base's plans and the unchanged stacks
   answered from the cache, the groups stack planned (the PR check's case);
3. the access diff of that comparison, in-process, on the plans it made:
   what the PR summary adds when it opens with the access section
   (median of N), as a share of 2 and of 1;
4. `k8s-infra access diff --base main --json` as its own command afterwards;
5. `k8s-infra access of ACCOUNT` from the cached plans (median of N).
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
GROUP = "k8s-infra-staging-kwok@kubernetes.io"
ACCOUNT = "k8s-infra-promoter@k8s-artifacts-prod.iam.gserviceaccount.com"


def git(repo: Path, *args: str) -> None:
    identity = ["-c", "user.name=bench", "-c", "user.email=bench@example.com"]
    subprocess.run(["git", "-C", str(repo), *identity, *args], check=True, capture_output=True)


def make_repo(folder: Path, trim: bool) -> Path:
    repo = folder / "repo"
    shutil.copytree(ROOT / "infra", repo / "infra", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("stacks", "groups"):
        shutil.copytree(ROOT / name, repo / name)
    shutil.copy(ROOT / "Pulumi.yaml", repo / "Pulumi.yaml")
    if trim:
        sys.path.insert(0, str(ROOT))
        from tests.conftest import trim_staging

        trim_staging(repo)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "base")
    for branch, member in (("change", "bench-member"), ("change-2", "bench-member-2")):
        git(repo, "checkout", "-q", "main")
        git(repo, "checkout", "-qb", branch)
        for path in sorted((repo / "groups").glob("*/groups.yaml")):
            text = path.read_text()
            at = text.find(f"email-id: {GROUP}\n")
            if at >= 0:
                members = text.index("    members:\n", at) + len("    members:\n")
                path.write_text(text[:members] + f"      - {member}@example.com\n" + text[members:])
        git(repo, "commit", "-qam", "one member more")
    git(repo, "checkout", "-q", "change")
    return repo


def timed(*args: str, env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run([str(CLI), *args], env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"`k8s-infra {' '.join(args)}` failed ({done.returncode}):\n{done.stderr}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--trim", action="store_true", help="three staging projects only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-access-") as scratch:
        folder = Path(scratch)
        repo = make_repo(folder, args.trim)
        env = {**os.environ, "K8S_INFRA_CACHE": str(folder / "cache"), "NO_COLOR": "1"}
        env.pop("K8S_INFRA_ROOT", None)
        os.environ.update({"K8S_INFRA_CACHE": env["K8S_INFRA_CACHE"]})

        cold_seconds = timed("--root", str(repo), "plan", "all", "--base", "main", env=env)
        git(repo, "checkout", "-q", "change-2")
        plan_seconds = timed("--root", str(repo), "plan", "all", "--base", "main", env=env)

        from infra.access.plans import access_diff
        from infra.declarations.stacks import stack_names
        from infra.planner.cache import PlanCache
        from infra.planner.compare import compare
        from infra.planner.runner import PlanRequest
        from infra.planner.worktree import checkout, resolve_commit

        sha = resolve_commit(repo, "main")
        requests = [PlanRequest(stack, repo) for stack in stack_names(repo)]
        with checkout(repo, sha) as tree:
            compared = compare(requests, tree, sha, PlanCache.for_root(repo))
        resources = sum(len((c.head.plan or {}).get("resources", ())) for c in compared)
        runs = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            changes = access_diff(compared)
            runs.append(time.perf_counter() - started)
        model_seconds = statistics.median(runs)
        changed = [p.principal for p in changes.changes]

        command_seconds = timed("--root", str(repo), "access", "diff", "--base", "main",
                                "--json", env=env)  # fmt: skip
        of_runs = [timed("--root", str(repo), "access", "of", ACCOUNT, env=env)
                   for _ in range(args.repeat)]  # fmt: skip

    of_seconds = statistics.median(of_runs)
    print(f"estate: {len(compared)} stacks, {resources:,} resources"
          + (" (staging trimmed to 3 projects)" if args.trim else ""))  # fmt: skip
    print(f"change: one member added to {GROUP}; access changes for {', '.join(changed)}")
    print(f"plan all --base main, every plan made:          {cold_seconds:8.2f} s")
    print(f"plan all --base main, base and unchanged cached: {plan_seconds:8.2f} s")
    print(f"access diff of its plans (in-process):          {model_seconds:8.2f} s  "
          f"= {100 * model_seconds / plan_seconds:.1f}% added to the cached case (target <= 10%), "
          f"{100 * model_seconds / cold_seconds:.1f}% to the cold one")  # fmt: skip
    print(f"access diff --base main --json, own command:    {command_seconds:8.2f} s "
          "(every plan from the cache)")  # fmt: skip
    print(
        f"access of {ACCOUNT}: {of_seconds:.2f} s from cached plans, median of "
        f"{args.repeat} (target < 2 s)"
    )


if __name__ == "__main__":
    main()
