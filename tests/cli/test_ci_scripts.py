"""The CI entry points under scripts/ci, run as a job would run them."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, declare_writer_group, only_stacks, trim_staging

SCRIPTS = REPO / "scripts" / "ci"

pytestmark = pytest.mark.plan


def run(script: str, repo: Path, artifacts: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ARTIFACTS": str(artifacts), "NO_COLOR": "1",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}  # fmt: skip
    env.pop("PULL_BASE_SHA", None)
    return subprocess.run([str(SCRIPTS / script), *args], cwd=repo, env=env,
                          capture_output=True, text=True, check=False)  # fmt: skip


def resources_of(plan: dict[str, Any], component: str) -> set[str]:
    """The names of a component's resources in a plan: the component's and its children's."""
    return {r["name"] for r in plan["resources"]
            if r["name"] == component or r["name"].startswith(f"{component}-")}  # fmt: skip


def test_pr_check_writes_the_diff_of_a_new_project(
    git_checkout: Callable[..., Path],
    tmp_path: Path,
    repo_plan: Callable[[str], dict[str, Any]],
) -> None:
    repo = git_checkout(trim_staging)
    only_stacks("staging", "groups")(repo)  # what a new project touches
    declare_writer_group(repo, "newcomer")
    infra_yaml = repo / "infra" / "infra.yaml"
    listing = "      k8s-staging-kwok:\n"
    infra_yaml.write_text(
        infra_yaml.read_text().replace(listing, listing + "      k8s-staging-newcomer:\n")
    )
    done = run("pr-check.sh", repo, tmp_path / "artifacts", "HEAD")
    assert done.returncode == 0, done.stderr
    stacks = {d["stack"]: d for d in json.loads((tmp_path / "artifacts" / "plan-diff.json")
                                                .read_text())["stacks"]}  # fmt: skip
    # exactly what a standard project without options has (k8s-staging-kueue is one)
    standard = resources_of(repo_plan("staging"), "k8s-staging-kueue")
    created = {urn.rsplit("::", 1)[1] for urn in stacks["staging"]["create"]}
    assert created == {name.replace("kueue", "newcomer") for name in standard}
    assert all(not d["create"] and not d["delete"] for name, d in stacks.items()
               if name not in ("staging", "groups"))  # fmt: skip
    assert "  + StagingProject k8s-staging-newcomer\n" in done.stderr
    summary = (tmp_path / "artifacts" / "summary.md").read_text()
    assert summary.startswith("## Offline plan of `")
    assert "\n_Guard rails: all 10 policies pass on " in summary


def test_pr_check_puts_guard_rail_violations_first(
    git_checkout: Callable[..., Path], tmp_path: Path
) -> None:
    """A public grant no standing allowance declares fails the check, however old it is."""

    def undeclare(repo: Path) -> None:
        trim_staging(repo)
        allow = repo / "infra" / "allowed-changes.yaml"
        head, _ = allow.read_text().split("  - stack: registry-sandbox\n", 1)
        allow.write_text(head)

    repo = git_checkout(undeclare)
    done = run("pr-check.sh", repo, tmp_path / "artifacts", "HEAD")
    assert done.returncode == 1, done.stderr
    summary = (tmp_path / "artifacts" / "summary.md").read_text()
    assert "\n_Guard rails: 44 violation(s) on " in summary
    # the 22 alike of each stack are one line, with the count and the first names
    line = ("- :x: `registry-prod`: 22 × `ServiceIamMember`: ``[public-grants] grants allUsers "
            "roles/run.invoker on a resource not declared public")  # fmt: skip
    assert summary.count(line) == 1
    assert "`registry-proxy-archeio-asia-east1-invoker`" in summary
    # right after the counts: the guard rails' line, then the one list of dangers
    assert re.search(r"\| `staging-images` \|[^\n]*\n\n_Guard rails: 44 violation\(s\) on \d+ "
                     r"resources in 6 stack\(s\), listed below._\n\n### Dangerous changes\n",
                     summary)  # fmt: skip
    assert (tmp_path / "artifacts" / "plan-diff.json").exists()
    assert "error: registry-sandbox: registry-proxy-archeio-" in done.stderr


def test_pr_check_stops_on_invalid_declarations(
    git_checkout: Callable[..., Path], tmp_path: Path
) -> None:
    repo = git_checkout(trim_staging)
    infra_yaml = repo / "infra" / "infra.yaml"
    infra_yaml.write_text(infra_yaml.read_text().replace("k8s-staging-kwok:", "k8s-staging-KWOK:"))
    done = run("pr-check.sh", repo, tmp_path / "artifacts", "HEAD")
    assert done.returncode == 1
    assert "infra/infra.yaml:" in done.stderr and ": error: project id `k8s-staging-KWOK`" in (
        done.stderr
    )
    assert not (tmp_path / "artifacts" / "plan-diff.json").exists()


def test_pr_check_leaves_no_diff_when_the_plan_fails(
    git_checkout: Callable[..., Path], tmp_path: Path
) -> None:
    repo = git_checkout(only_stacks("groups"))  # the base is refused whatever is planned
    done = run("pr-check.sh", repo, tmp_path / "artifacts", "no-such-base")
    assert done.returncode == 2, done.stderr
    assert "git ref `no-such-base` is not known" in done.stderr
    assert not (tmp_path / "artifacts" / "plan-diff.json").exists()
