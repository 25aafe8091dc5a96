"""The markers are checked: a test that starts programs must say so.

A test that starts the planner's child process, or any other program but git
(the CLI, a CI script, the stand-in engine, a browser, pip...), must be marked
`plan` or `e2e`: those are left out of the quick loop (`pytest`) and run by
`scripts/dev.py test` and CI. What a test starts is seen through Python's
audit events, which no test can switch off.
"""

from __future__ import annotations

import sys
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

_started: set[str] = set()


def needed_marker(argv: Any) -> str | None:
    """The marker a process started with ``argv`` needs, or None for git."""
    words = [str(word) for word in (argv if isinstance(argv, list | tuple) else [argv])]
    if "infra.planner.child" in words:
        return "plan"
    program = Path(words[0]).name if words else ""
    return None if program == "git" else "e2e"


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event == "subprocess.Popen":
        needed = needed_marker(args[1])
        if needed is not None:
            _started.add(needed)


sys.addaudithook(_audit)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None]:
    _started.clear()
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None]:
    outcome: Any = yield
    report: pytest.TestReport = outcome.get_result()
    if report.when == "setup" or not report.passed:
        return
    marks = {mark.name for mark in item.iter_markers()}
    missing = sorted(_started) if not marks & {"plan", "e2e"} else []
    if missing:
        _started.clear()
        report.outcome = "failed"
        report.longrepr = (
            f"{item.nodeid} starts processes that need the marker {' or '.join(missing)}: "
            "mark it (`@pytest.mark.e2e` or `@pytest.mark.plan`), or test the same thing "
            "in-process"
        )
