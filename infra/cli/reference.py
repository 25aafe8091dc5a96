"""The CLI reference in Markdown, generated from the Typer app (for the docs site,
whose macros plugin loads this module as a pluglet: ``define_env``).

Every command, in the order `--help` lists them: its usage line, its help
text, its examples as a code block, and a table of its arguments and options
with their defaults and environment variables. Nothing is written by hand, so
the reference cannot drift from the code.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import typer

from infra.core import errors

# The exit codes every command uses (infra.core.errors), and what each means.
EXIT_MEANINGS = {
    errors.EXIT_OK: "ok",
    errors.EXIT_PROBLEMS: "problems found: invalid input, a guard-rail violation, a failed plan, "
    "group or engine run, drift with `--expect-no-changes`, names skipped",
    errors.EXIT_USAGE: "usage error, including a prompt needed without a terminal",
    errors.EXIT_PULUMI_CLI: "the Pulumi CLI is missing, too old or of another major version",
    errors.EXIT_CREDENTIALS: "credentials, the state backend or the stack are missing",
}

_MARKUP = re.compile(r"\[/?[a-z ]+\]")
_EXAMPLES = "Examples"


def _plain(text: str) -> str:
    return _MARKUP.sub("", text)


def _cell(text: str) -> str:
    return _plain(text).replace("|", "\\|").replace("\n", " ").strip()


# Typer carries its own copy of click: commands, contexts and parameters are read
# through their attributes, never checked against click's classes.
def walk(command: Any, ctx: Any) -> Iterator[tuple[Any, Any]]:
    """The command and every subcommand below it, depth first, in listed order."""
    yield command, ctx
    if hasattr(command, "list_commands"):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is None or sub.hidden:
                continue
            yield from walk(sub, sub.context_class(sub, info_name=name, parent=ctx))


def _help(text: str) -> list[str]:
    """The help text as Markdown: paragraphs, then the examples as a console block."""
    body, _, examples = _plain(text).partition(_EXAMPLES)
    lines = [line.strip() for line in body.strip().splitlines()]
    out = ["\n".join(lines).strip(), ""]
    commands = [line.strip() for line in examples.splitlines() if line.strip()]
    if commands:
        out += ["Examples:", "", "```sh", *commands, "```", ""]
    return out


def _parameters(command: Any, ctx: Any) -> list[str]:
    rows = []
    for param in command.get_params(ctx):
        if getattr(param, "hidden", False):
            continue
        if param.param_type_name == "argument":
            name = f"`{(param.name or '').upper()}`"
            what = "required" if param.required else "optional"
            rows.append(f"| {name} | {_cell(getattr(param, 'help', None) or '')} | {what} |")
            continue
        names = ", ".join(f"`{o}`" for o in [*param.opts, *param.secondary_opts])
        details = []
        if param.required:
            details.append("required")
        if param.envvar:
            envvars = [param.envvar] if isinstance(param.envvar, str) else list(param.envvar)
            details.append("env: " + ", ".join(f"`{e}`" for e in envvars))
        if param.show_default and param.default not in (None, False, (), ""):
            details.append(f"default: `{param.default}`")
        rows.append(f"| {names} | {_cell(param.help or '')} | {'; '.join(details)} |")
    if not rows:
        return []
    return ["| argument or option | meaning | |", "| --- | --- | --- |", *rows, ""]


def render(app: typer.Typer, name: str = "k8s-infra") -> str:
    """The whole reference: one section per command."""
    root = typer.main.get_command(app)
    out: list[str] = []
    for command, ctx in walk(root, root.context_class(root, info_name=name)):
        path = ctx.command_path
        usage = " ".join([path, *command.collect_usage_pieces(ctx)])
        level = "#" * min(1 + path.count(" "), 4)
        out += [f"#{level} `{path}`", "", "```text", usage, "```", ""]
        out += _help(command.help or "")
        out += _parameters(command, ctx)
    return "\n".join(out).rstrip() + "\n"


def exit_codes() -> str:
    """The exit codes every command uses, as a Markdown table."""
    rows = [f"| {code} | {meaning} |" for code, meaning in EXIT_MEANINGS.items()]
    return "\n".join(["| code | meaning |", "| --- | --- |", *rows]) + "\n"


def cli_reference() -> str:
    """The application's reference (one level down: the page's own title is the top heading)."""
    from infra.cli.app import app

    return render(app)


def define_env(env: Any) -> None:
    """The docs site's macros of the application: ``{{ cli_reference() }}`` and
    ``{{ exit_codes() }}``."""
    env.macro(cli_reference)
    env.macro(exit_codes)
