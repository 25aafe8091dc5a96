"""The job scripts pass shellcheck, the one pinned in the lock, as .ci/run runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.e2e  # starts programs: see the marker in pyproject.toml

SHELLCHECK = Path(sys.executable).parent / "shellcheck"


def shellcheck(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SHELLCHECK), *map(str, paths)], capture_output=True, text=True,
                          check=False, timeout=120)  # fmt: skip


def test_shellcheck_is_pinned_and_run_by_ci() -> None:
    lock = (REPO / "requirements/lock.txt").read_text()
    assert "\nshellcheck-py==" in lock
    assert ".venv/bin/shellcheck scripts/ci/*.sh" in (REPO / ".ci/run").read_text()
    assert SHELLCHECK.is_file(), "reinstall with `python3 scripts/dev.py setup`"


def test_every_job_script_passes() -> None:
    scripts = sorted((REPO / "scripts/ci").glob("*.sh"))
    assert len(scripts) >= 5
    done = shellcheck(*scripts, REPO / ".ci/run")
    assert done.returncode == 0, done.stdout


def test_it_finds_what_it_should(tmp_path: Path) -> None:
    script = tmp_path / "bad.sh"
    script.write_text("#!/usr/bin/env bash\nout=$1\nrm -rf $out/cache\n")
    done = shellcheck(script)
    assert done.returncode == 1
    assert "SC2086" in done.stdout  # the unquoted expansion
