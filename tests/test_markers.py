"""The marker check fails a test that starts a program without saying so."""

from __future__ import annotations

import pytest

from tests.conftest import REPO
from tests.markers import needed_marker

INNER = """
import subprocess, sys

import pytest


def test_unmarked_starts_python():
    subprocess.run([sys.executable, "-c", "pass"], check=True)


def test_unmarked_runs_git():
    subprocess.run(["git", "--version"], check=True, capture_output=True)


@pytest.mark.e2e
def test_marked_starts_python():
    subprocess.run([sys.executable, "-c", "pass"], check=True)
"""


def test_what_each_process_needs() -> None:
    assert needed_marker(["python", "-m", "infra.planner.child", "--stack", "x"]) == "plan"
    assert needed_marker(["/usr/bin/git", "status"]) is None
    assert needed_marker(["bash", "scripts/ci/pr-check.sh"]) == "e2e"
    assert needed_marker("k8s-infra") == "e2e"


@pytest.mark.e2e
def test_an_unmarked_test_that_starts_a_program_fails(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONPATH", str(REPO))  # the inner run loads `tests.markers`
    pytester.makepyfile(test_inner=INNER)
    pytester.makeini("[pytest]\nmarkers =\n    e2e: x\n    plan: x\n")
    result = pytester.runpytest_subprocess("-p", "tests.markers", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*test_unmarked_starts_python starts processes that need*e2e*"])
