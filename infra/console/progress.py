"""The progress of offline plans on a terminal, for every command that plans."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from infra.console.output import interactive, stderr


class ExpectedCounts(Protocol):
    """How many resources a stack's last plan had (the plan cache), to size its bar."""

    def expected(self, stack: str) -> int | None: ...


@contextmanager
def plan_progress(
    plan_cache: ExpectedCounts | None, plans: int | None = None
) -> Iterator[tuple[Any, Any]]:
    """On a terminal: plans done (of ``plans``, when known), and for each running plan
    the resources it has registered (of as many as its last cached plan had)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    if not interactive():
        yield None, None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr,
        transient=True,
    ) as bar:
        overall = bar.add_task("plans", total=plans)
        tasks: dict[str, Any] = {}

        def done(result: Any) -> None:
            bar.advance(overall)
            if result.request.stack in tasks:
                bar.remove_task(tasks.pop(result.request.stack))

        def progress(request: Any, count: int) -> None:
            if request.stack not in tasks:
                expected = plan_cache.expected(request.stack) if plan_cache else None
                tasks[request.stack] = bar.add_task(f"{request.stack}: resources", total=expected)
            bar.update(tasks[request.stack], completed=count)

        yield done, progress
