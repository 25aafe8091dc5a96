"""Every example the docs pages show runs: transcripts are run and their output
compared, listed commands parse with the program's own command tree.

Transcripts run in a copy of the repository's declarations, from its folder,
so commands that write (`staging new`, `schema`) change the copy only.
"""

from __future__ import annotations

import shlex
import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from infra.cli.app import app
from tests.conftest import REPO, invoke
from tests.docs.pages import Block, blocks, matches

TRANSCRIPTS = blocks(("console",))
LISTINGS = blocks(("sh",))
PROGRAM = "k8s-infra"


def test_the_pages_show_examples() -> None:
    pages = {b.page for b in TRANSCRIPTS}
    assert len(TRANSCRIPTS) >= 5
    assert {"index.md", "setup.md", "reviewer.md", "subproject-lead.md"} <= pages


def run(step: str, cli: CliRunner) -> tuple[int, list[str]]:
    words = shlex.split(step)
    env = {}
    while words and "=" in words[0] and not words[0].startswith("-"):
        name, _, value = words.pop(0).partition("=")
        env[name] = value
    assert words[0] == PROGRAM, f"a transcript runs only `{PROGRAM}`: {step}"
    result = invoke(cli, *words[1:], env=env)
    return result.exit_code, result.output.splitlines()


@pytest.mark.e2e
@pytest.mark.parametrize("block", TRANSCRIPTS, ids=lambda b: b.id)
def test_each_transcript_prints_what_the_page_shows(
    block: Block, checkout_copy: Path, cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the reviewed allowances too: the guard rails read them
    shutil.copy(REPO / "infra" / "allowed-changes.yaml", checkout_copy / "infra")
    monkeypatch.chdir(checkout_copy)  # the nearest Pulumi.yaml above: the copy's
    code = 0
    for step in block.steps():
        if step.command == "echo $?":
            actual = [str(code)]
        else:
            code, actual = run(step.command, cli)
        assert matches(step.output, actual), f"{block.id}: `{step.command}` printed:\n" + "\n".join(
            actual
        )
    # an example that fails shows its exit code
    shown = [s.command for s in block.steps()]
    assert code == 0 or shown[-1] == "echo $?", f"{block.id}: exit {code} not shown"


def listed_commands() -> list[tuple[str, list[str]]]:
    """(where, arguments) of every `k8s-infra ...` line of the sh blocks."""
    found = []
    for block in LISTINGS:
        pending, start = "", 0
        for number, text in enumerate(block.lines, block.line + 1):
            if text.endswith("\\"):  # a command continued on the next line
                pending, start = pending + text[:-1], start or number
                continue
            command, where, pending, start = pending + text, start or number, "", 0
            words = shlex.split(command, comments=True)
            if not words or words[0] != PROGRAM:
                continue
            # what a shell does with the output is not the program's
            cut = next((i for i, w in enumerate(words) if w in {">", ">>", "|", "2>"}), None)
            # a job script's listing passes its own arguments on: not the page's to check
            args = [w for w in words[1:cut] if w != "$@"]
            found.append((f"{block.page}:{where}", args))
    return found


@pytest.mark.parametrize(("where", "args"), listed_commands(), ids=str)
def test_each_listed_command_exists_with_its_options(where: str, args: list[str]) -> None:
    """Parsed as the program parses it: unknown commands or options, missing or extra
    arguments and malformed values are refused (nothing runs)."""
    command = typer.main.get_command(app)
    ctx = command.make_context(PROGRAM, list(args))
    while hasattr(command, "get_command"):
        # click keeps the subcommand's name apart from its arguments
        rest = [*getattr(ctx, "_protected_args", getattr(ctx, "protected_args", [])), *ctx.args]
        assert rest, f"{where}: `{PROGRAM} {' '.join(args)}` names no command"
        sub = command.get_command(ctx, rest[0])
        assert sub is not None, f"{where}: no command `{rest[0]}`"
        ctx = sub.make_context(rest[0], rest[1:], parent=ctx)
        command = sub
