"""`scripts/dev.py` repairs a virtualenv it cannot trust, and its pip dies with it.

Each test runs the real script, copied into a small project of its own whose
lock holds only the build backend (the same pinned, hashed setuptools as
the project's lock), so a setup takes seconds, with the real venv and pip.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.e2e  # starts programs: see the marker in pyproject.toml

PYPROJECT = """\
[build-system]
requires = ["setuptools"]
build-backend = "setuptools.build_meta"

[project]
name = "dev-probe"
version = "0"

[tool.setuptools]
py-modules = []
"""
REBUILT = re.compile(r"^dev\.py: \.venv is incomplete \((.+)\); rebuilding it$", re.MULTILINE)


def backend_pin() -> str:
    """The lock's setuptools entry, with its hashes."""
    lock = (REPO / "requirements/lock.txt").read_text()
    found = re.search(r"^setuptools==.*?(?=^\S)", lock, re.MULTILINE | re.DOTALL)
    assert found, "setuptools is not in the lock"
    return found.group(0)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "probe"
    (root / "scripts").mkdir(parents=True)
    (root / "requirements").mkdir()
    shutil.copy(REPO / "scripts/dev.py", root / "scripts/dev.py")
    (root / "pyproject.toml").write_text(PYPROJECT)
    (root / "requirements/lock.txt").write_text(backend_pin())
    return root


def setup(root: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(root / "scripts/dev.py"), "setup"],
        check=False, capture_output=True, text=True, timeout=300,
        env=env or dict(os.environ),
    )  # fmt: skip


def healthy(root: Path) -> bool:
    python = root / ".venv/bin/python"
    pip = subprocess.run([str(python), "-m", "pip", "--version"], check=False, capture_output=True)
    return pip.returncode == 0 and (root / ".venv/.k8s-infra-installed").is_file()


def test_a_venv_without_pip_from_an_interrupted_first_run_is_rebuilt(project: Path) -> None:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(project / ".venv")],
                   check=True)  # fmt: skip
    done = setup(project)
    assert done.returncode == 0, done.stderr
    assert REBUILT.findall(done.stderr) == ["an install into it did not finish"]
    assert healthy(project)
    again = setup(project)  # now complete: nothing to do, nothing said
    assert again.returncode == 0 and again.stderr == ""


def test_a_dangling_interpreter_and_a_missing_pip_are_rebuilt(project: Path) -> None:
    assert setup(project).returncode == 0
    python = project / ".venv/bin/python"
    python.unlink()
    python.symlink_to(project / "no-such-python")
    stamp = project / ".venv/.k8s-infra-installed"
    (project / "pyproject.toml").write_text(PYPROJECT + "\n")  # a change: install again
    done = setup(project)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert REBUILT.findall(done.stderr) == ["its interpreter .venv/bin/python is a dangling link"]
    assert healthy(project)
    shutil.rmtree(next((project / ".venv/lib").glob("python3*/site-packages/pip")))
    (project / "pyproject.toml").write_text(PYPROJECT + "\n\n")
    done = setup(project)
    assert done.returncode == 0, done.stderr
    assert REBUILT.findall(done.stderr) == ["it has no working pip"]
    assert healthy(project)
    assert stamp.is_file()


@pytest.fixture
def silent_index() -> Iterator[str]:
    """A package index that accepts connections and never answers: pip waits on it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/simple"
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    server.close()


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGKILL])
def test_pip_dies_with_dev_py_and_leaves_the_install_unfinished(
    project: Path, silent_index: str, signum: int
) -> None:
    (project / "requirements/lock.txt").write_text(
        "dev-probe-absent==1.0 --hash=sha256:" + "0" * 64 + "\n"
    )
    env = {**os.environ, "PIP_INDEX_URL": silent_index, "PIP_EXTRA_INDEX_URL": "",
           "PIP_FIND_LINKS": "", "PIP_CONFIG_FILE": os.devnull, "PIP_DEFAULT_TIMEOUT": "600",
           "PIP_RETRIES": "0"}  # fmt: skip
    running = subprocess.Popen(
        [sys.executable, str(project / "scripts/dev.py"), "setup"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        pip: list[int] = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not pip:
            for child in children(running.pid):
                command = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
                if b"install" in command and b"--require-hashes" in command:
                    pip.append(child)
            time.sleep(0.1)
        assert pip, "pip never started"
        time.sleep(1.0)  # pip is waiting on the silent index
        assert alive(pip[0])
        assert os.getpgid(pip[0]) == os.getpgid(running.pid)  # in dev.py's process group
        os.kill(running.pid, signum)
        _, err = running.communicate(timeout=60)
        assert running.returncode == -signum, err
        for _ in range(100):
            if not alive(pip[0]):
                break
            time.sleep(0.05)
        assert not alive(pip[0]), "pip outlived dev.py"
    finally:
        if running.poll() is None:
            running.kill()
            running.wait()
    # left as an interrupted first run leaves it, with no stamp: the next run rebuilds
    # it, as test_a_venv_without_pip_from_an_interrupted_first_run_is_rebuilt shows
    assert (project / ".venv/bin/python").exists()
    assert not (project / ".venv/.k8s-infra-installed").exists()
