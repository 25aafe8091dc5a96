#!/usr/bin/env python3
"""Set up the virtualenv (.venv, the one Pulumi.yaml names) and run a job in it.

    python3 scripts/dev.py setup   # set up only
    python3 scripts/dev.py plan    # set up, then the offline plan of every stack
    python3 scripts/dev.py test    # set up, lint, type-check, then the quick suite and the
                                   # end-to-end one, each timed (with args: pytest ARGS)
    python3 scripts/dev.py measure # the same, and write the timings to docs/suite.yml
    python3 scripts/dev.py docs    # set up, then build the docs site strictly (into a temp dir)
    python3 scripts/dev.py lock    # regenerate requirements/lock.txt from pyproject.toml

Needs only Python 3.11+ and git. Every package is installed from
requirements/lock.txt, pinned with its hashes (provider versions change
plans), then the project itself without dependencies. The virtualenv is
reinstalled when the lock or pyproject.toml changes.

The stamp (``.venv/.k8s-infra-installed``, the hash of the lock and
pyproject.toml) is removed before an install and written last, so a
``.venv`` without it was left by an install that did not finish. Such a
``.venv``, one whose interpreter is missing or a dangling link, or one
without pip, is removed and made again, with one line saying why. Every
child (pip, the tools) runs in this script's process group; when this
script is stopped by SIGINT, SIGTERM or SIGHUP it stops its child first,
and on Linux a child is also killed if this script dies without a word.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
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


_running: list[subprocess.Popen[bytes]] = []  # the child now running, if any
_stopping: list[int] = []  # the signals asking this script to stop


def _die_with_parent() -> None:
    """In the child, before exec: be killed when this script dies (Linux)."""
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _kill_running() -> None:
    for child in _running:
        if child.poll() is None:
            child.kill()


def _stop(signum: int, frame: object) -> None:
    """Stop the running child; once it is gone, end as the signal asks.

    The handler runs while the main thread waits for the child, so it only
    signals: ``run`` sees the child end and re-raises. A child still there
    after 10 s is killed (SIGALRM).
    """
    del frame
    _stopping.append(signum)
    live = [c for c in _running if c.poll() is None]
    if not live:
        _end(signum)
    for child in live:
        child.terminate()
    signal.signal(signal.SIGALRM, lambda *_: _kill_running())
    signal.alarm(10)


def _end(signum: int) -> None:
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def run(*command: str | Path, env: dict[str, str] | None = None) -> None:
    """Run a command in this process group; exit with its code when it fails."""
    print("+", " ".join(str(c) for c in command), file=sys.stderr, flush=True)
    child = subprocess.Popen(  # no threads here, so preexec_fn is safe
        [str(c) for c in command],
        cwd=ROOT,
        env=env,
        preexec_fn=_die_with_parent,  # noqa: PLW1509
    )
    _running.append(child)
    try:
        code = child.wait()
    finally:
        _running.remove(child)
    if _stopping:
        _end(_stopping[0])
    if code != 0:
        sys.exit(code)


def _broken() -> str | None:
    """Why the virtualenv cannot be used or updated as it is; None when it can."""
    if not VENV.exists():
        return None
    python = BIN / "python"
    if not python.exists():  # missing, or a link to an interpreter that is gone
        what = "a dangling link" if python.is_symlink() else "missing"
        return f"its interpreter {python.relative_to(ROOT)} is {what}"
    if not STAMP.exists():
        return "an install into it did not finish"
    checked = subprocess.run(
        [str(python), "-m", "pip", "--version"], capture_output=True, check=False,
        preexec_fn=_die_with_parent,
    )  # fmt: skip
    if checked.returncode != 0:
        return "it has no working pip"
    return None


def setup() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this script may run on an older python3
        sys.exit("k8s-infra needs Python 3.11 or newer")
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _stop)
    wanted = hashlib.sha256(LOCK.read_bytes() + (ROOT / "pyproject.toml").read_bytes())
    python = BIN / "python"
    if python.exists() and STAMP.exists() and STAMP.read_text() == wanted.hexdigest():
        return
    reason = _broken()
    if reason is not None:
        print(f"dev.py: .venv is incomplete ({reason}); rebuilding it", file=sys.stderr,
              flush=True)  # fmt: skip
        shutil.rmtree(VENV)
    if not VENV.exists():
        venv.create(VENV, with_pip=False)
        run(python, "-m", "ensurepip", "--upgrade", "--default-pip")
    STAMP.unlink(missing_ok=True)  # written again last, once everything is installed
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
    "setup": [],
    "plan": [["k8s-infra", "plan", "all"]],
    "test": [
        ["ruff", "check", "."],
        ["ruff", "format", "--check", "."],
        ["mypy"],
    ],
}
JOBS["measure"] = JOBS["test"]
# What `measure` found, for the pages that state it (tests/docs/test_figures.py checks them)
MEASURED = ROOT / "docs" / "suite.yml"
# The suite in two parts, each timed: the quick one (pytest's default selection,
# in-process) and the rest (`plan` and `e2e`: whole-stack plans, programs started).
SUITE = {
    "quick": ["pytest", "-q"],
    "end-to-end": ["pytest", "-q", "-m", "plan or e2e"],
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
    for tool, *args in JOBS[job]:
        run(BIN / tool, *args)
    if job in ("test", "measure"):
        test_suite(extra, record=job == "measure")


def test_suite(extra: list[str], *, record: bool = False) -> None:
    """Both parts of the suite (or pytest with the arguments given), with their timings."""
    if extra:
        run(BIN / "pytest", *extra)
        return
    took: dict[str, float] = {}
    tests = 0
    with tempfile.TemporaryDirectory(prefix="k8s-infra-suite-") as scratch:
        for part, (tool, *args) in SUITE.items():
            report = Path(scratch) / "report.xml"
            started = time.monotonic()
            run(BIN / tool, *args, f"--junit-xml={report}")
            took[part] = time.monotonic() - started
            tests += _tests_run(report)
    quick, rest = took["quick"], took["end-to-end"]
    print(
        f"test suite: quick {quick:.0f} s (`pytest`), full {quick + rest:.0f} s "
        f"(quick + end-to-end {rest:.0f} s), {tests:,} tests, on {os.cpu_count()} CPU(s)",
        file=sys.stderr,
        flush=True,
    )
    if record:
        MEASURED.write_text(
            "# `python3 scripts/dev.py measure` wrote this; do not edit by hand.\n"
            f"quick_seconds: {quick:.0f}\nfull_seconds: {quick + rest:.0f}\n"
            f"tests: {tests}\ncpus: {os.cpu_count()}\n",
            encoding="utf-8",
        )


def _tests_run(report: Path) -> int:
    """The tests a pytest run ran (its JUnit XML report), skipped ones left out."""
    from xml.etree import ElementTree

    suites = ElementTree.parse(report).getroot()
    return sum(
        int(suite.get("tests", 0)) - int(suite.get("skipped", 0))
        for suite in suites.iter("testsuite")
    )


if __name__ == "__main__":
    main()
