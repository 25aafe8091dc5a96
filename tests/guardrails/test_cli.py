"""``k8s-infra policy check`` and ``policy config`` as people and CI run them."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import REPO, invoke

pytestmark = pytest.mark.plan  # plans registry-prod


def test_check_fails_with_a_line_per_violation(
    cli: CliRunner, checkout_copy: Path, repo_plan: Callable[[str], Any]
) -> None:
    """Without the allow file, the proxy's public invoker grants are declared public nowhere.

    The plan is the repository's (the allow file is the guard rails' input, not the
    program's), so it comes from the session's cache."""
    result = invoke(cli, "--root", str(checkout_copy), "policy", "check", "registry-prod")
    assert result.exit_code == 1, result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(lines) == 22, result.stderr
    assert lines[0] == (
        "error: registry-prod: registry-proxy-archeio-asia-east1-invoker: [public-grants] "
        "grants allUsers roles/run.invoker on a resource not declared public (fix: declare it "
        "public: a `standing: true` `public` entry of infra/allowed-changes.yaml naming its type "
        "and exact properties (role, member...), reviewed with the change)"
    )
    assert "22 violation(s)" in result.stderr


def test_check_passes_and_prints_json(cli: CliRunner, checkout_copy: Path) -> None:
    shutil.copy(REPO / "infra" / "allowed-changes.yaml", checkout_copy / "infra")
    result = invoke(cli, "--root", str(checkout_copy), "policy", "check", "registry-prod",
                    "--json", "--no-cache")  # fmt: skip
    assert result.exit_code == 0, result.output
    (stack,) = json.loads(result.stdout)["stacks"]
    assert stack["stack"] == "registry-prod"
    assert stack["violations"] == stack["not_evaluated"] == []
    assert stack["resources"] > 100
    assert "policies pass: 0 violation(s)" in result.stderr


def test_config_is_written_and_read_back(
    cli: CliRunner, checkout_copy: Path, tmp_path: Path
) -> None:
    target = tmp_path / "policy-config.json"
    result = invoke(cli, "--root", str(checkout_copy), "policy", "config", "-o", str(target))
    assert result.exit_code == 0, result.output
    written = json.loads(target.read_text())
    assert written["public-grants"] == {"declared": []}  # no allow file in the copy
    printed = invoke(cli, "--root", str(checkout_copy), "policy", "config")
    assert json.loads(printed.stdout) == written


def test_unknown_stack_is_a_usage_error(cli: CliRunner) -> None:
    result = invoke(cli, "--root", str(REPO), "policy", "check", "nope")
    assert result.exit_code == 2
    assert "unknown stack `nope`" in result.stderr
