"""Shared fixtures: the repository, the CLI runner and cached offline plans."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from infra.planner.runner import PlanRequest, plan_one

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def _plain_output(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("K8S_INFRA_ROOT", raising=False)
    monkeypatch.delenv("K8S_INFRA_GOOGLE_API_ENDPOINT", raising=False)


@pytest.fixture
def cli() -> CliRunner:
    return CliRunner()


def invoke(runner: CliRunner, *args: str, env: dict[str, str] | None = None) -> Any:
    """Run the CLI in-process; bugs raise instead of becoming exit code 1."""
    from infra.cli.app import app

    return runner.invoke(app, list(args), env=env, catch_exceptions=False)


_PLANS: dict[tuple[str, str], dict[str, Any]] = {}


@pytest.fixture(scope="session")
def repo_plan() -> Callable[[str], dict[str, Any]]:
    """The offline plan of a stack on the repository's own declarations, made once."""

    def get(stack: str) -> dict[str, Any]:
        key = (stack, str(REPO))
        if key not in _PLANS:
            _PLANS[key] = plan_one(PlanRequest(stack, REPO))
        return _PLANS[key]

    return get


@pytest.fixture
def checkout_copy(tmp_path: Path) -> Path:
    """A copy of the repository's declarations to modify (code stays the installed one)."""
    target = tmp_path / "checkout"
    target.mkdir()
    shutil.copy(REPO / "Pulumi.yaml", target / "Pulumi.yaml")
    shutil.copytree(REPO / "stacks", target / "stacks")
    shutil.copytree(REPO / "groups", target / "groups")
    (target / "infra").mkdir()
    shutil.copy(REPO / "infra" / "infra.yaml", target / "infra" / "infra.yaml")
    shutil.copytree(REPO / "infra" / "data", target / "infra" / "data")
    return target
