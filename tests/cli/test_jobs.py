"""The postsubmit and periodic jobs, run as a job runs them: real scripts, real offline
plans, a stand-in `pulumi` on PATH and the fake Google server for the groups."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from infra.core.environment import GOOGLE_API_ENDPOINT_ENV
from tests.conftest import REPO, git, invoke, only_stacks, trim_staging
from tests.engines.stand_in import StandIn
from tests.fake_google import FakeGoogle

SCRIPTS = REPO / "scripts" / "ci"
StandInFactory = Callable[..., StandIn]
pytestmark = pytest.mark.plan


def run_job(script: str, repo: Path, fake: StandIn, artifacts: Path,
            extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:  # fmt: skip
    env = {**os.environ, **fake.env(), "ARTIFACTS": str(artifacts), "NO_COLOR": "1",
           **(extra or {})}  # fmt: skip
    env["PATH"] = f"{env['PATH']}{os.pathsep}{Path(sys.executable).parent}"
    return subprocess.run([str(SCRIPTS / script)], cwd=repo, env=env,
                          capture_output=True, text=True, check=False)  # fmt: skip


def commit(repo: Path, message: str) -> None:
    git(repo, "add", ".")
    git(repo, "commit", "-qm", message)


def postsubmit_estate(repo: Path) -> None:
    """The stacks postsubmit applies (groups first, then staging), the others left out."""
    trim_staging(repo)
    only_stacks("groups", "staging", "staging-images")(repo)


def test_postsubmit_applies_the_groups_then_only_the_new_registry(
    cli: CliRunner, git_checkout: Callable[..., Path], stand_in: StandInFactory, tmp_path: Path
) -> None:
    repo = git_checkout(postsubmit_estate)
    onboarded = invoke(cli, "--root", str(repo), "staging", "new", "newreg",
                       "--dir", "sig-testing", "--writers", "dev@example.com")  # fmt: skip
    assert onboarded.exit_code == 0, onboarded.output
    commit(repo, "onboard newreg")
    fake = stand_in()
    done = run_job("postsubmit.sh", repo, fake, tmp_path / "artifacts")
    assert done.returncode == 0, done.stderr
    assert fake.operations() == [("up", "groups"), ("up", "staging-images")]
    targets = fake.targets("up", "staging-images")
    assert any(t.endswith("::k8s-staging-images-newreg") for t in targets)
    assert not any("-kueue" in t for t in targets)  # no other registry
    assert (tmp_path / "artifacts" / "postsubmit-diff.json").is_file()


def test_postsubmit_ensures_both_staging_stacks_whole_when_code_changed(
    git_checkout: Callable[..., Path], stand_in: StandInFactory, tmp_path: Path
) -> None:
    repo = git_checkout(postsubmit_estate)
    program = repo / "infra" / "program.py"
    program.write_text(program.read_text() + "\n# a change of code\n")
    commit(repo, "change the program")
    fake = stand_in()
    done = run_job("postsubmit.sh", repo, fake, tmp_path / "artifacts")
    assert done.returncode == 0, done.stderr
    assert "code changed since" in done.stderr
    assert fake.operations() == [("up", "groups"), ("up", "staging"), ("up", "staging-images")]
    assert fake.targets("up", "staging") == []


def test_postsubmit_stops_on_invalid_declarations(
    git_checkout: Callable[..., Path], stand_in: StandInFactory, tmp_path: Path
) -> None:
    repo = git_checkout(trim_staging)
    infra_yaml = repo / "infra" / "infra.yaml"
    infra_yaml.write_text(infra_yaml.read_text().replace("k8s-staging-kwok:", "k8s-staging-KWOK:"))
    commit(repo, "break it")
    fake = stand_in()
    done = run_job("postsubmit.sh", repo, fake, tmp_path / "artifacts")
    assert done.returncode == 1
    assert fake.operations() == []


@pytest.fixture
def google() -> Iterator[FakeGoogle]:
    server = FakeGoogle().start()
    yield server
    server.stop()


def test_periodic_reports_drift_with_the_markdown_summary(
    checkout_copy: Path, stand_in: StandInFactory, tmp_path: Path, google: FakeGoogle
) -> None:
    fake = stand_in(changes={"registry-mirrors": {"update": 2, "same": 298}})
    artifacts = tmp_path / "artifacts"
    done = run_job(
        "periodic.sh", checkout_copy, fake, artifacts, {GOOGLE_API_ENDPOINT_ENV: google.url}
    )
    assert done.returncode == 5, done.stderr  # drift found, nothing failed
    assert fake.operations() == [("preview", s) for s in (
        "groups", "staging", "staging-images", "registry-mirrors", "registry-sandbox",
        "registry-prod")]  # fmt: skip
    assert all("--refresh" in fake.last("preview", s)["args"] for s in ("groups", "staging"))
    drift = (artifacts / "drift.md").read_text()
    assert drift.startswith("### Preview: 1 of 6 stack(s) would change")
    assert "| `registry-mirrors` | 2 update (298 unchanged) |" in drift
    assert "### Preview" in done.stderr  # the summary is in the job's log too
    assert json.loads((artifacts / "groups-diff.json").read_text())  # the empty Workspace


def test_periodic_says_failed_rather_than_drift_when_a_preview_fails(
    checkout_copy: Path, stand_in: StandInFactory, tmp_path: Path, google: FakeGoogle
) -> None:
    fake = stand_in(fail={"staging": "error: googleapi: Error 403: denied"},
                    changes={"registry-mirrors": {"update": 2, "same": 298}})  # fmt: skip
    done = run_job("periodic.sh", checkout_copy, fake, tmp_path / "artifacts",
                   {GOOGLE_API_ENDPOINT_ENV: google.url})  # fmt: skip
    assert done.returncode == 1, done.stderr  # the groups diff found drift (5); a failure wins


def test_periodic_passes_when_nothing_drifted(
    cli: CliRunner, checkout_copy: Path, stand_in: StandInFactory, tmp_path: Path,
    google: FakeGoogle,
) -> None:  # fmt: skip
    synced = invoke(cli, "--root", str(checkout_copy), "groups", "sync", "--confirm",
                    env={GOOGLE_API_ENDPOINT_ENV: google.url})  # fmt: skip
    assert synced.exit_code == 0, synced.output
    fake = stand_in()
    artifacts = tmp_path / "artifacts"
    done = run_job(
        "periodic.sh", checkout_copy, fake, artifacts, {GOOGLE_API_ENDPOINT_ENV: google.url}
    )
    assert done.returncode == 0, done.stderr
    assert (artifacts / "drift.md").read_text().startswith("### Preview: no changes in 6 stack(s)")
    assert json.loads((artifacts / "groups-diff.json").read_text()) == []
