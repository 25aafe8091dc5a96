"""`dev.py measure` counts the tests a run ran from pytest's own JUnit report."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import REPO


def dev_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("dev", REPO / "scripts" / "dev.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
    assert dev_script()._tests_run(report) == 4
