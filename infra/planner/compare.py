"""Plans of a change and of its base, replanning only the stacks whose inputs differ.

Each stack of the change is planned first (from the cache when its key is
known). Its key is then computed in the base's tree, written from the base
commit's git objects (``worktree.py``): when both keys are the same, every
input the stack's concerns declare, the code and the environment are the
same bytes, so the base's plan is the same, and the stack has no changes
without being planned at the base. Only the other stacks are planned at the
base (again from the cache when it can).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from infra.planner.cache import PlanCache, run_cached
from infra.planner.diff import PlanDiff, diff_plans, unchanged
from infra.planner.keys import plan_key
from infra.planner.runner import PlanFailed, PlanRequest, PlanResult, Progress


@dataclass(frozen=True)
class Compared:
    diff: PlanDiff
    head: PlanResult
    base: PlanResult | None  # None when the inputs are the same in both trees


def compare(
    requests: Sequence[PlanRequest],
    tree: Path,
    sha: str,
    plan_cache: PlanCache | None,
    jobs: int | None = None,
    on_done: Callable[[PlanResult], None] | None = None,
    on_progress: Progress | None = None,
) -> list[Compared]:
    """Each request's diff against the same stack planned in ``tree`` (the base commit)."""
    heads = run_cached(requests, plan_cache, jobs, on_done, on_progress)
    _raise_first_failure(heads)
    label = f"at {sha[:12]}"
    replan: list[int] = []
    for index, head in enumerate(heads):
        base_request = PlanRequest(head.request.stack, tree, tree, label)
        if head.key is None or head.key != plan_key(head.request.stack, base_request.trees):
            replan.append(index)
    bases = run_cached(
        [PlanRequest(heads[i].request.stack, tree, tree, label) for i in replan],
        plan_cache,
        jobs,
        on_done,
    )
    _raise_first_failure(bases)
    base_of = dict(zip(replan, bases, strict=True))
    compared = []
    for index, head in enumerate(heads):
        base = base_of.get(index)
        if base is None:
            diff = unchanged(head.request.stack, sha)
        else:
            diff = diff_plans(base.plan or {}, head.plan or {}, sha)
        compared.append(Compared(diff, head, base))
    return compared


def _raise_first_failure(results: Sequence[PlanResult]) -> None:
    for result in results:
        if result.plan is None:
            raise PlanFailed(result)
