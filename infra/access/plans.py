"""The plans the access model is made from: every stack, now or against a base.

Both go through the plan cache: `access of/on` answer from the plans of the
current inputs (planned once, then read back), and `access diff` asks the
same comparison `plan --base` makes (``infra.planner.compare``), so a stack
whose inputs are the same at the base is planned once and serves both sides.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.access.diff import AccessDiff, diff_access
from infra.access.grant import Grant
from infra.access.model import AccessModel, read_grants, registered_readers
from infra.planner.cache import PlanCache, run_cached
from infra.planner.compare import Compared, compare
from infra.planner.runner import PlanFailed, PlanRequest, PlanResult

Plan = dict[str, Any]


def current_plans(
    root: Path,
    stacks: Sequence[str],
    plan_cache: PlanCache | None,
    jobs: int | None = None,
    on_done: Callable[[PlanResult], None] | None = None,
) -> list[Plan]:
    """Every stack's plan of the declarations and code now (from the cache when it can)."""
    results = run_cached([PlanRequest(s, root) for s in stacks], plan_cache, jobs, on_done)
    for result in results:
        if result.plan is None:
            raise PlanFailed(result)
    return [r.plan for r in results if r.plan is not None]


@dataclass(frozen=True)
class Sides:
    """The plans of every stack after and before a change."""

    head: list[Plan]
    base: list[Plan]


def sides(compared: Sequence[Compared]) -> Sides:
    """From ``compare``'s answers: a stack not planned at the base has the same plan."""
    head = [c.head.plan or {} for c in compared]
    base = [(c.base.plan if c.base is not None else c.head.plan) or {} for c in compared]
    return Sides(head, base)


def access_diff(compared: Sequence[Compared]) -> AccessDiff:
    """What changes in effective access, from the plans ``compare`` made for `plan --base`.

    Nothing is planned again: every stack's head plan, and its base plan (or
    the same plan when its inputs did not change) are read as they are.
    """
    both = sides(compared)
    if all(c.base is None for c in compared):
        return AccessDiff(())
    # A stack unchanged at the base is the same plan on both sides: read once.
    readers = registered_readers()
    read: dict[int, list[Grant]] = {}

    def grants(plans: list[Plan]) -> list[Grant]:
        found: list[Grant] = []
        for plan in plans:
            if id(plan) not in read:
                read[id(plan)] = read_grants([plan], readers)
            found += read[id(plan)]
        return found

    return diff_access(AccessModel.from_grants(grants(both.base)),
                       AccessModel.from_grants(grants(both.head)))  # fmt: skip


def diff_against(
    root: Path,
    tree: Path,
    sha: str,
    stacks: Sequence[str],
    plan_cache: PlanCache | None,
    jobs: int | None = None,
) -> AccessDiff:
    """Plan every stack here and in ``tree`` (the base, checked out) and compare access."""
    requests = [PlanRequest(s, root) for s in stacks]
    return access_diff(compare(requests, tree, sha, plan_cache, jobs))
