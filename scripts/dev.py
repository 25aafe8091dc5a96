#!/usr/bin/env python3
"""Set up the virtualenv (.venv, the one Pulumi.yaml names) and run a job in it.

    python3 scripts/dev.py plan    # set up, then the offline plan of every stack
    python3 scripts/dev.py test    # set up, then lint, type-check and the test suite
    python3 scripts/dev.py docs    # set up, then build the docs site strictly (into a temp dir)
    python3 scripts/dev.py lock    # regenerate requirements/lock.txt from pyproject.toml

Needs only Python 3.11+ and git. Every package is installed from
requirements/lock.txt, pinned with its hashes (provider versions change
plans), then the project itself without dependencies. The virtualenv is
reinstalled when the lock or pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import tomllib
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".k8s-infra-installed"
LOCK = ROOT / "requirements" / "lock.txt"
# The lock is made by uv (universal: every platform's hashes), itself pinned.
LOCK_TOOL = "uv==0.13.9"
LOCK_PYTHON = "3.11"


def run(*command: str | Path, env: dict[str, str] | None = None) -> None:
    print("+", " ".join(str(c) for c in command), file=sys.stderr, flush=True)
    done = subprocess.run([str(c) for c in command], cwd=ROOT, check=False, env=env)
    if done.returncode != 0:
        sys.exit(done.returncode)


def setup() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this script may run on an older python3
        sys.exit("k8s-infra needs Python 3.11 or newer")
    wanted = hashlib.sha256(LOCK.read_bytes() + (ROOT / "pyproject.toml").read_bytes())
    if STAMP.exists() and STAMP.read_text() == wanted.hexdigest():
        return
    if not (BIN / "python").exists():
        venv.create(VENV, with_pip=True)
    python = BIN / "python"
    # Hash-checked: a package whose file differs from the lock's is refused.
    run(python, "-m", "pip", "install", "--quiet", "--require-hashes", "-r", LOCK)
    # The project itself, with the build backend the lock pinned.
    run(python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "-e", ".")
    STAMP.write_text(wanted.hexdigest())


def lock() -> None:
    """Resolve pyproject.toml (with the dev and docs extras and the build backend) into the lock."""
    build = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
    with tempfile.TemporaryDirectory(prefix="k8s-infra-lock-") as scratch:
        tools = Path(scratch) / "tools"
        venv.create(tools, with_pip=True)
        tool_bin = tools / ("Scripts" if os.name == "nt" else "bin")
        run(tool_bin / "python", "-m", "pip", "install", "--quiet", LOCK_TOOL)
        extra = Path(scratch) / "build.in"
        extra.write_text("\n".join(build) + "\n")
        run(
            tool_bin / "uv", "pip", "compile", "pyproject.toml", extra,
            "--extra", "dev", "--extra", "docs", "--universal", "--generate-hashes",
            "--python-version", LOCK_PYTHON, "--no-header", "--quiet", "--output-file", LOCK,
            env={**os.environ, "UV_CUSTOM_COMPILE_COMMAND": "python3 scripts/dev.py lock"},
        )  # fmt: skip
    text = LOCK.read_text().replace(str(extra), "the build backend (pyproject.toml)")
    header = (
        "# Every dependency of k8s-infra (with the dev and docs extras and the build\n"
        "# backend), pinned with the hashes of every file PyPI has for it. Generated\n"
        "# from pyproject.toml by `python3 scripts/dev.py lock`; do not edit by hand.\n"
    )
    LOCK.write_text(header + text)


JOBS = {
    "plan": [["k8s-infra", "plan", "all"]],
    "test": [
        ["ruff", "check", "."],
        ["ruff", "format", "--check", "."],
        ["mypy"],
        ["pytest", "-q", "-n", "auto"],
    ],
}


def docs() -> None:
    """Build the site with `mkdocs build --strict`: a broken link or anchor, a page
    outside the nav or an unknown figure fails it. The site goes to a temporary folder."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    with tempfile.TemporaryDirectory(prefix="k8s-infra-site-") as site:
        run(BIN / "mkdocs", "build", "--strict", "--site-dir", site, env=env)


def main() -> None:
    job = sys.argv[1] if len(sys.argv) > 1 else ""
    if job == "lock":
        lock()
        return
    if job == "docs":
        setup()
        docs()
        return
    if job not in JOBS:
        jobs = "|".join([*JOBS, "docs", "lock"])
        sys.exit(f"usage: python3 scripts/dev.py {{{jobs}}} [pytest args]")
    setup()
    extra = sys.argv[2:]
    for command in JOBS[job]:
        tool, *args = command
        if tool == "pytest":
            args += extra
        run(BIN / tool, *args)


if __name__ == "__main__":
    main()
