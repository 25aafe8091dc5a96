"""The command line: help, exit codes, output discipline, the installed entry point."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import REPO, invoke

COMMANDS = [
    ["validate"],
    ["plan"],
    ["graph"],
    ["preview"],
    ["up"],
    ["adopt"],
    ["schema"],
    ["staging", "ensure"],
    ["staging", "new"],
    ["promoter", "new"],
    ["promoter", "validate"],
    ["access", "diff"],
    ["access", "of"],
    ["access", "on"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help_with_examples(cli: CliRunner, command: list[str]) -> None:
    result = invoke(cli, *command, "--help")
    assert result.exit_code == 0, result.output
    assert "Examples" in result.stdout
    assert "k8s-infra " + " ".join(command) in result.stdout


def test_root_help_names_the_exit_codes(cli: CliRunner) -> None:
    result = invoke(cli, "--help")
    assert result.exit_code == 0
    assert "3 Pulumi CLI missing" in result.stdout
    assert "K8S_INFRA_ROOT" in result.stdout


def test_unknown_stack_is_a_usage_error(cli: CliRunner) -> None:
    result = invoke(cli, "--root", str(REPO), "plan", "nope")
    assert result.exit_code == 2, result.output
    assert "error: unknown stack `nope`" in result.stderr
    assert "hint: known stacks: groups, registry-mirrors" in result.stderr
    assert result.stdout == ""


def test_missing_root_is_a_usage_error(cli: CliRunner, tmp_path: Path) -> None:
    result = invoke(cli, "--root", str(tmp_path / "missing"), "validate")
    assert result.exit_code == 2
    assert "is not a folder" in result.stderr


def test_no_checkout_found_is_a_usage_error(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke(cli, "validate")
    assert result.exit_code == 2
    assert "no checkout found here" in result.stderr


def test_root_from_environment(cli: CliRunner, tmp_path: Path) -> None:
    result = invoke(cli, "validate", env={"K8S_INFRA_ROOT": str(tmp_path / "missing")})
    assert result.exit_code == 2
    assert "missing" in result.stderr


@pytest.mark.parametrize(
    "command", [["preview", "staging"], ["up", "staging", "--yes"], ["adopt", "staging", "--yes"]]
)
def test_commands_needing_the_pulumi_cli_fail_cleanly_without_it(
    cli: CliRunner, command: list[str], tmp_path: Path
) -> None:
    env = {"PATH": str(tmp_path), "K8S_INFRA_PULUMI_ROOT": ""}
    result = invoke(cli, "--root", str(REPO), *command, env=env)
    assert result.exit_code == 3, result.output
    assert "error: Pulumi CLI not found" in result.stderr
    assert "k8s-infra plan STACK" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.e2e
def test_plan_json_goes_to_stdout_only(cli: CliRunner, repo_plan: Callable[[str], Any]) -> None:
    """(``repo_plan``: planned once for the session, then answered from the cache.)"""
    result = invoke(cli, "--root", str(REPO), "plan", "registry-sandbox", "--json")
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert set(plan) == {"stack", "resources", "outputs"}
    assert plan["stack"] == "registry-sandbox"


@pytest.mark.e2e
def test_installed_console_script_starts_without_heavy_imports() -> None:
    """`k8s-infra --help` must not import Pulumi or the Google API client."""
    probe = (
        "import sys\n"
        "from infra.cli.app import app\n"
        "try:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('pulumi', 'pulumi_gcp', 'pulumi_aws', 'googleapiclient')"
        " if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert "HEAVY []" in done.stdout
    script = Path(sys.executable).parent / "k8s-infra"
    done = subprocess.run([str(script), "--version"], capture_output=True, text=True, check=True)
    assert done.stdout.startswith("k8s-infra ")


def test_a_component_listed_twice_is_refused(cli: CliRunner, checkout_copy: Path) -> None:
    stack = checkout_copy / "stacks" / "Pulumi.staging-images.yaml"
    stack.write_text(
        stack.read_text().replace("[staging-images]", "[staging-images, staging-images]")
    )
    result = invoke(cli, "--root", str(checkout_copy), "validate")
    assert result.exit_code == 1
    assert (
        "stacks/Pulumi.staging-images.yaml:6:3: error: component `staging-images` is listed twice"
        in (result.stderr)
    )


def _commands(group: object, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [path]
    commands = getattr(group, "commands", None)
    if isinstance(commands, dict):
        for name, command in sorted(commands.items()):
            found += _commands(command, (*path, name))
    return found


def test_flags_are_shown_as_flags_in_every_help(cli: CliRunner) -> None:
    import typer

    from infra.cli.app import app

    commands = _commands(typer.main.get_command(app))
    assert len(commands) > 15
    for path in commands:
        result = invoke(cli, *path, "--help", env={"COLUMNS": "200"})
        assert result.exit_code == 0, (path, result.output)
        assert "<bool>" not in result.stdout, path
    staging_new = invoke(cli, "staging", "new", "--help", env={"COLUMNS": "200"}).stdout
    assert re.search(r"--project\s+A staging project of its own", staging_new)


@pytest.mark.parametrize(
    "args",
    [("validate",), ("plan", "staging"), ("staging", "new", "x", "--dir", "sig-testing"),
     ("promoter", "validate", "."), ("policy", "check", "staging"), ("groups", "validate")],
)  # fmt: skip
def test_a_root_that_is_no_checkout_is_a_usage_error(cli: CliRunner, args: tuple[str, ...]) -> None:
    result = invoke(cli, *args, env={"K8S_INFRA_ROOT": "/"})
    assert result.exit_code == 2, result.output
    assert "error: --root `/` is no checkout" in result.stderr
