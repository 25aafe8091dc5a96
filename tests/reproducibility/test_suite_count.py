"""`dev.py measure` counts the tests a run ran from pytest's own JUnit report."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import script


def test_the_count_is_the_tests_run_skipped_ones_left_out(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_counted="""
import pytest

@pytest.mark.parametrize("n", range(3))
def test_runs(n):
    assert n < 3

@pytest.mark.skip(reason="left out")
def test_skipped():
    pass

def test_fails():
    assert False
"""
    )
    report = Path(pytester.path) / "report.xml"
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", f"--junit-xml={report}")
    result.assert_outcomes(passed=3, skipped=1, failed=1)
    assert script("dev")._tests_run(report) == 4
