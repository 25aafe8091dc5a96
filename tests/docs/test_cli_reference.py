"""The CLI reference is generated from the Typer app: every command is in it, with
its usage, its examples and each of its options."""

from __future__ import annotations

import typer

from infra.cli.app import app
from infra.cli.reference import EXIT_MEANINGS, exit_codes, render, walk
from infra.core import errors


def test_every_command_and_option_is_in_the_reference() -> None:
    text = render(app)
    root = typer.main.get_command(app)
    commands = list(walk(root, root.context_class(root, info_name="k8s-infra")))
    assert len(commands) >= 20
    for command, ctx in commands:
        assert f"`{ctx.command_path}`" in text
        for param in command.get_params(ctx):
            for option in getattr(param, "opts", []):
                if option.startswith("-"):
                    assert f"`{option}`" in text, (ctx.command_path, option)
    # the examples of a command's help, as a code block
    assert "```sh\nk8s-infra staging new kueue-viz --dir sig-scheduling" in text


def test_the_exit_codes_are_the_programs() -> None:
    codes = [errors.EXIT_OK, errors.EXIT_PROBLEMS, errors.EXIT_USAGE, errors.EXIT_PULUMI_CLI,
             errors.EXIT_CREDENTIALS]  # fmt: skip
    assert sorted(EXIT_MEANINGS) == codes
    table = exit_codes()
    assert all(f"| {code} |" in table for code in codes)


def test_the_reference_page_lists_every_guard_rail() -> None:
    """The page's table comes from the policy pack (scripts/docs_macros.py)."""
    from infra.guardrails.checks import policies
    from tests.conftest import REPO, script

    table = script("docs_macros").guard_rails()
    names = [line.split("`")[1] for line in table.splitlines()[2:] if line]
    assert names == [policy.name for policy in policies()]
    assert "{{ guard_rails() }}" in (REPO / "docs" / "reference" / "index.md").read_text()
