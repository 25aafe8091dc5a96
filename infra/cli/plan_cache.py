"""The user's plan cache, as every command that plans opens it."""

from __future__ import annotations

from pathlib import Path

from infra.console.output import stderr
from infra.core.environment import CACHE_ENV
from infra.planner.cache import PlanCache


def open_plan_cache(root: Path) -> PlanCache:
    """The user's plan cache; a warning when it may not be used (then nothing is cached)."""
    plan_cache = PlanCache.for_root(root)
    if plan_cache.refused is not None:
        stderr.print(
            f"warning: {plan_cache.refused}: plans are not cached\n"
            f"  hint: set {CACHE_ENV} to a folder outside the checkout",
            style="yellow",
            markup=False,
        )
    return plan_cache
