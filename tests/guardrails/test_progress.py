"""`policy check` shows its progress on a terminal, and nothing of it in a log."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.plan  # plans a stack

K8S_INFRA = Path(sys.executable).parent / "k8s-infra"


def run_on_a_terminal(*args: str, cache: Path) -> tuple[int, str]:
    """The real CLI with a pseudo-terminal as its stdin, stdout and stderr."""
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "NO_COLOR", "TERM")}
    env.update({"TERM": "xterm-256color", "COLUMNS": "120", "K8S_INFRA_CACHE": str(cache)})
    leader, follower = pty.openpty()
    process = subprocess.Popen([str(K8S_INFRA), *args], stdin=follower, stdout=follower,
                               stderr=follower, env=env, close_fds=True)  # fmt: skip
    os.close(follower)
    out = b""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        elif process.poll() is not None:
            break
    os.close(leader)
    return process.wait(timeout=60), out.decode("utf-8", "replace")


def test_policy_check_shows_progress_on_a_terminal(tmp_path: Path) -> None:
    code, shown = run_on_a_terminal("--root", str(REPO), "policy", "check", "staging-images",
                                    "--no-cache", cache=tmp_path / "cache")  # fmt: skip
    assert code == 0, shown
    assert "plans" in shown  # the bar of plans done
    assert "staging-images: resources" in shown  # the running plan's resources
    assert "policies pass" in shown


def test_no_progress_in_a_log(tmp_path: Path) -> None:
    env = {**os.environ, "K8S_INFRA_CACHE": str(tmp_path / "cache")}
    done = subprocess.run([str(K8S_INFRA), "--root", str(REPO), "policy", "check",
                           "staging-images"], capture_output=True, text=True, env=env,
                          check=False, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "staging-images: resources" not in done.stderr
    assert "\x1b[" not in done.stderr
