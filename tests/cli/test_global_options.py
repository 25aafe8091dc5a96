"""Global options before or after the command, and library warnings only with ``-v``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from infra.cli.global_options import hoist
from infra.core.environment import GOOGLE_API_ENDPOINT_ENV
from tests.conftest import REPO, invoke
from tests.fake_google import FakeGoogle

GLOBALS = {"--root": True, "-v": False, "--verbose": False}


@pytest.mark.parametrize(
    ("line", "parsed"),
    [
        (["validate", "--root", "D"], ["--root", "D", "validate"]),
        (["validate", "--root=D"], ["--root=D", "validate"]),
        (["--root", "D", "validate", "-v"], ["-v", "--root", "D", "validate"]),
        (
            ["groups", "validate", "--json", "-v", "--root", "D"],
            ["-v", "--root", "D", "groups", "validate", "--json"],
        ),
        (["plan", "staging", "--base", "HEAD"], ["plan", "staging", "--base", "HEAD"]),
        (["plan", "--", "--root", "D"], ["plan", "--", "--root", "D"]),
        (["validate", "--root"], ["--root", "validate"]),
    ],
)
def test_global_options_move_to_the_front(line: list[str], parsed: list[str]) -> None:
    assert hoist(line, GLOBALS) == parsed


def test_root_after_the_command(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no checkout here: only --root can find one
    for line in (
        ["validate", "--root", str(REPO)],
        ["validate", f"--root={REPO}"],
        ["--root", str(REPO), "validate"],
        ["groups", "validate", "--root", str(REPO), "-v"],
    ):
        result = invoke(cli, *line)
        assert result.exit_code == 0, (line, result.output)
        assert f"in {REPO}" in result.stderr
    missing = invoke(cli, "validate", "--root", str(tmp_path / "nowhere"))
    assert missing.exit_code == 2
    assert "is not a folder" in missing.stderr


def test_an_option_of_no_command_is_still_refused(cli: CliRunner) -> None:
    result = invoke(cli, "validate", "--rooot", str(REPO))
    assert result.exit_code == 2
    assert "No such option" in result.stderr


@pytest.mark.e2e
def test_library_warnings_only_with_verbose(tmp_path: Path) -> None:
    """google.api_core warns on import (a FutureWarning about Python versions): a normal
    run does not show it, ``-v`` (before or after the command) does."""
    server = FakeGoogle().start()
    env = {**os.environ, GOOGLE_API_ENDPOINT_ENV: server.url}
    env.pop("PYTHONWARNINGS", None)
    command = str(Path(sys.executable).parent / "k8s-infra")

    def run(*line: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [command, *line], capture_output=True, text=True, env=env, cwd=REPO, check=False
        )

    try:
        quiet = run("groups", "diff")
        assert quiet.returncode == 0, quiet.stderr
        assert "create group" in quiet.stderr
        assert "Warning" not in quiet.stderr
        for loud in (run("-v", "groups", "diff"), run("groups", "diff", "--verbose")):
            assert loud.returncode == 0, loud.stderr
            assert "FutureWarning" in loud.stderr
    finally:
        server.stop()
