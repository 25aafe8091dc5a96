"""The corpus's children fork from this process: run the CLI here once first, so that
what it imports and reads lazily is loaded before they start (each then takes a
fraction of a second)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from infra.cli.app import app
from tests.conftest import REPO


@pytest.fixture(scope="session", autouse=True)
def _warm_cli() -> None:
    runner = CliRunner()
    for command in (["validate"], ["groups", "validate"]):
        runner.invoke(app, ["--root", str(REPO), *command])
