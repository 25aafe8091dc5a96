"""What ``groups diff`` and ``groups sync`` share: inputs, clients, progress and output.

People read changes and the summary on stderr; ``--json`` puts the changes
on stdout as a list of ``{group, kind, field_or_member, role, old, new}``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from infra.console.output import interactive, print_problems, stderr
from infra.core.errors import ProblemsFound, UsageError
from infra.core.problems import Problems
from infra.groups.access import GroupsAccess, groups_access
from infra.groups.engine.deadline import DEFAULT_CALL_SECONDS, DEFAULT_RUN_SECONDS
from infra.groups.loader import GROUPS_COMPONENT, load_declared_groups
from infra.groups.model import GroupsTree

if TYPE_CHECKING:
    from rich.progress import TaskID

    from infra.declarations.application import DeclarationsReader
    from infra.groups.engine.changes import Change
    from infra.groups.engine.progress import Progress


# How long one HTTP call, and the whole run, may take (shared by diff and sync).
CallTimeout = Annotated[
    float,
    typer.Option(
        "--call-timeout",
        metavar="SECONDS",
        min=1.0,
        help="Give up on an HTTP call (a batch included) after this long; it is retried.",
    ),
]
RunDeadline = Annotated[
    float,
    typer.Option(
        "--deadline",
        metavar="SECONDS",
        min=1.0,
        help="Send nothing more after this long; what was not done is listed (exit 1).",
    ),
]
CALL_SECONDS = DEFAULT_CALL_SECONDS
RUN_SECONDS = DEFAULT_RUN_SECONDS


@dataclass(frozen=True)
class Inputs:
    tree: GroupsTree
    access: GroupsAccess


def load_inputs(root: Path, reader: DeclarationsReader) -> Inputs:
    """The declared groups and the access settings of the groups stack; errors stop here."""
    problems = Problems()
    stack = reader.stack_building(root, GROUPS_COMPONENT, problems)
    tree = load_declared_groups(root, stack, problems)
    access = groups_access(stack, problems)
    if problems.has_errors:
        raise ProblemsFound(problems.sorted())
    print_problems(problems.sorted())  # warnings only
    if tree is None:
        raise UsageError(
            f"no groups declared under {root}",
            "run inside a checkout with a groups/ folder, or pass --root",
        )
    return Inputs(tree, access)


class _Bar:
    """The engine's progress as a rich bar on stderr."""

    def __init__(self) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=stderr,
            transient=True,
        )
        self.task: TaskID | None = None

    def phase(self, description: str, total: int) -> None:
        if self.task is not None:
            self.progress.remove_task(self.task)
        self.task = self.progress.add_task(description, total=total)

    def advance(self, count: int) -> None:
        if self.task is not None:
            self.progress.advance(self.task, count)


@contextmanager
def progress_bar() -> Iterator[Progress | None]:
    """A bar for a person at a terminal; nothing in CI or when piped."""
    if not interactive():
        yield None
        return
    bar = _Bar()
    with bar.progress:
        yield bar


_SIGNS = {
    "create_group": "+",
    "update_group": "~",
    "update_setting": "~",
    "add_member": "+",
    "change_role": "~",
    "remove_member": "-",
    "delete_group": "-",
}
_STYLES = {"+": "green", "~": "yellow", "-": "red"}


def print_changes(changes: Sequence[Change], *, title: str) -> None:
    for change in changes:
        sign = _SIGNS[change.kind]
        stderr.print(f"{sign} {change.describe()}", style=_STYLES[sign], markup=False)
    table = Table(title=title, title_justify="left")
    table.add_column("change")
    table.add_column("count", justify="right")
    table.add_column("groups", justify="right")
    counts = Counter(c.kind for c in changes)
    groups: dict[str, set[str]] = {}
    for change in changes:
        groups.setdefault(change.kind, set()).add(change.group.lower())
    for kind, count in counts.items():
        table.add_row(kind.replace("_", " "), str(count), str(len(groups[kind])))
    table.add_row("total", str(len(changes)), str(len({c.group.lower() for c in changes})))
    stderr.print(table)


def changes_json(changes: Sequence[Change]) -> list[dict[str, str | None]]:
    return [c.to_json() for c in changes]
