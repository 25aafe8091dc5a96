"""Global options anywhere on the line, and quiet libraries unless asked.

Click reads a group's options only before its subcommand, so
``k8s-infra validate --root DIR`` would be refused. The root group here
moves every global option written after the subcommand (with its value)
to the front before Click parses the line; the subcommands define none of
these names. Everything after ``--`` is left as written.

Libraries warn on import and use (google.api_core's FutureWarning, the
providers' DeprecationWarnings): a run shows none of them unless
``-v``/``--verbose`` asks, and the setting reaches the child processes
that plan, through ``PYTHONWARNINGS``.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from typer.core import TyperGroup, TyperOption

if TYPE_CHECKING:
    from typer._click.core import Context  # Typer carries its own copy of Click

# The environment variable Python reads its warning filters from, in children too.
_WARNINGS_ENV = "PYTHONWARNINGS"
# The root's options that belong before the command only: help, and shell completion.
_NOT_GLOBAL = frozenset({"-h", "--help", "--install-completion", "--show-completion"})


def hoist(args: Sequence[str], options: Mapping[str, bool]) -> list[str]:
    """``args`` with the ``options`` found after the first word moved to the front.

    ``options`` maps each name (``--root``, ``-v``) to whether it takes a
    value; ``--name=value`` is one word.
    """
    front: list[str] = []
    rest: list[str] = []
    index, after_command = 0, False
    while index < len(args):
        word = args[index]
        if word == "--":
            rest.extend(args[index:])
            break
        name = word.partition("=")[0] if word.startswith("--") else word
        if after_command and name in options:
            takes_value = options[name] and "=" not in word
            front.extend(args[index : index + 1 + takes_value])
            index += 1 + takes_value
            continue
        # the first word that is neither an option nor a leading option's value
        after_command = after_command or not word.startswith("-")
        rest.append(word)
        index += 1
    return front + rest


class GlobalOptionsGroup(TyperGroup):
    """The root group: its own options are accepted after any subcommand too."""

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        options = {
            name: not param.is_flag
            for param in self.params
            if isinstance(param, TyperOption)
            for name in (*param.opts, *param.secondary_opts)
            if name not in _NOT_GLOBAL
        }
        return super().parse_args(ctx, hoist(args, options))


def quiet_libraries(verbose: bool) -> None:
    """Hide library warnings (here and in child processes) unless ``verbose``."""
    if verbose:
        warnings.simplefilter("default")
        os.environ[_WARNINGS_ENV] = "default"
    else:
        warnings.simplefilter("ignore")
        os.environ[_WARNINGS_ENV] = "ignore"
