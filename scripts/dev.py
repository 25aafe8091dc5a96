#!/usr/bin/env python3
"""Set up the virtualenv (.venv, the one Pulumi.yaml names) and run a job in it.

    python3 scripts/dev.py plan    # set up, then the offline plan of every stack
    python3 scripts/dev.py test    # set up, then lint, type-check and the test suite

Needs only Python 3.11+ and git. The virtualenv is reinstalled when
pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".k8s-infra-installed"


def run(*command: str | Path) -> None:
    print("+", " ".join(str(c) for c in command), file=sys.stderr, flush=True)
    done = subprocess.run([str(c) for c in command], cwd=ROOT, check=False)
    if done.returncode != 0:
        sys.exit(done.returncode)


def setup() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this script may run on an older python3
        sys.exit("k8s-infra needs Python 3.11 or newer")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        venv.create(VENV, with_pip=True)
    run(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(BIN / "python", "-m", "pip", "install", "--quiet", "-e", ".[dev]")
    STAMP.write_text(wanted)


JOBS = {
    "plan": [["k8s-infra", "plan", "all"]],
    "test": [
        ["ruff", "check", "."],
        ["ruff", "format", "--check", "."],
        ["mypy"],
        ["pytest", "-q", "-n", "auto"],
    ],
}


def main() -> None:
    job = sys.argv[1] if len(sys.argv) > 1 else ""
    if job not in JOBS:
        sys.exit(f"usage: python3 scripts/dev.py {{{'|'.join(JOBS)}}} [extra pytest args]")
    setup()
    extra = sys.argv[2:]
    for command in JOBS[job]:
        tool, *args = command
        if tool == "pytest":
            args += extra
        run(BIN / tool, *args)


if __name__ == "__main__":
    main()
