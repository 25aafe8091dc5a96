"""People's output: tables fit an 80-column terminal with names whole; long plans show progress."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from rich.console import Console

from infra.cli import plan as plan_command
from infra.declarations.stacks import stack_names
from infra.planner.diff import diff_plans, unchanged
from infra.planner.runner import PlanRequest, PlanResult, run_plans
from tests.conftest import REPO

STACKS = stack_names(REPO)


@pytest.fixture
def narrow(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    """The command's stderr as an 80-column terminal would show it."""
    out = io.StringIO()
    console = Console(file=out, width=80, force_terminal=False, no_color=True, soft_wrap=False)
    monkeypatch.setattr(plan_command, "stderr", console)
    return out


def assert_fits(text: str) -> None:
    for line in text.splitlines():
        assert len(line) <= 80, line
    assert "…" not in text, text


@pytest.mark.parametrize("stack", STACKS)
def test_a_plan_table_fits_80_columns_with_every_name_whole(
    repo_plan: Callable[[str], dict[str, Any]], narrow: io.StringIO, stack: str
) -> None:
    plan = repo_plan(stack)
    plan_command._print_plan(PlanResult(PlanRequest(stack, REPO), plan, None, 1.0))
    text = narrow.getvalue()
    assert_fits(text)
    for token in {r["type"] for r in plan["resources"] if r["custom"]}:
        assert token.rsplit(":", 1)[-1] in text


def test_the_counts_of_every_stack_fit_80_columns(
    repo_plan: Callable[[str], dict[str, Any]], narrow: io.StringIO
) -> None:
    empty = {"stack": "registry-sandbox", "resources": [], "outputs": {}}
    diffs = [diff_plans(empty if s == "staging" else repo_plan(s), repo_plan(s), "0" * 40)
             for s in STACKS]  # fmt: skip
    diffs += [unchanged("registry-sandbox", "0" * 40)]
    Console(file=narrow, width=80, no_color=True).print(plan_command._counts_table(diffs))
    text = narrow.getvalue()
    assert_fits(text)
    assert "registry-mirrors" in text and "no changes" in text and "inputs unchanged" in text


@pytest.mark.e2e
def test_a_long_plan_reports_its_resources_as_it_goes() -> None:
    """The child writes how many resources it has registered; the runner passes it on."""
    seen: list[int] = []
    (result,) = run_plans(
        [PlanRequest("staging-images", REPO)], on_progress=lambda _request, n: seen.append(n)
    )
    assert result.plan is not None
    counts = [n for n in seen if n]
    assert counts, "no progress was reported"
    assert counts == sorted(counts) and counts[-1] <= len(result.plan["resources"])
