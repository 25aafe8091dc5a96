"""A concern's commands reach `k8s-infra` through the catalog alone.

A toy concern, registered only here, brings a one-command Typer sub-app: the
application built while it is registered lists the group in `--help` and
runs its command with the root's data; built without it, the group is gone.
"""

from __future__ import annotations

import pytest
import typer
from typer.core import TyperGroup
from typer.testing import CliRunner

from infra import catalog
from infra.cli.app import build_app
from infra.console.output import boundary
from infra.core.problems import Problems
from infra.declarations.application import cli_context
from infra.declarations.concern import CheckContext, Checked, Concern
from infra.declarations.loaded import Declarations
from infra.declarations.stacks import StackSettings, stack_names
from tests.conftest import REPO

toy_app = typer.Typer(help="The toy concern's commands", no_args_is_help=True)


@toy_app.command("count")
@boundary
def count(ctx: typer.Context) -> None:
    """Print how many stacks the data root declares."""
    typer.echo(f"{len(stack_names(cli_context(ctx).root))} stacks")


def _check(_context: CheckContext, _problems: Problems) -> Checked:
    return Checked()


def _build(_stack: StackSettings, _declarations: Declarations) -> None:
    raise AssertionError("no stack builds the toy concern")


TOY = Concern(
    name="toy",
    summary="a concern that only brings commands",
    check=_check,
    build=_build,
    commands=lambda: ("toy", toy_app),
)


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(build_app(), list(args), catch_exceptions=False)
    return result.exit_code, result.output


def _listed() -> list[str]:
    """The commands `k8s-infra --help` lists, in its order."""
    command = typer.main.get_command(build_app())
    assert isinstance(command, TyperGroup)
    return list(command.commands)  # TyperGroup lists them in this order


def test_a_registered_concern_s_commands_are_listed_and_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setattr(catalog, "CONCERNS", (*catalog.CONCERNS, TOY))

    code, shown = _run("--help")
    assert code == 0
    assert "The toy concern's commands" in shown
    listed = _listed()
    # after the catalog's concerns, before the tools that are no concern
    assert listed.index("staging") < listed.index("toy") < listed.index("promoter")

    code, output = _run("--root", str(REPO), "toy", "count")
    assert code == 0, output
    assert output == f"{len(list((REPO / 'stacks').glob('Pulumi.*.yaml')))} stacks\n"


def test_a_concern_removed_from_the_catalog_takes_its_commands_along(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setattr(catalog, "CONCERNS", (*catalog.CONCERNS, TOY))
    assert "toy" in _listed()
    monkeypatch.setattr(catalog, "CONCERNS", tuple(c for c in catalog.CONCERNS if c is not TOY))

    code, shown = _run("--help")
    assert code == 0
    assert "The toy concern's commands" not in shown
    assert "toy" not in _listed()
    assert "staging" in _listed()
    code, _ = _run("--root", str(REPO), "toy", "count")
    assert code == 2  # usage error: no such command


def test_the_repository_s_commands_keep_their_order() -> None:
    assert _listed() == [
        *("validate", "plan", "graph", "preview", "up", "adopt", "schema"),
        *("groups", "staging", "promoter", "policy", "access"),
    ]
