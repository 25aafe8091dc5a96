"""Components run in this process under the planner's recording monitor.

For fast tests of one component with a small model: the same mocks and
placeholders as ``k8s-infra plan``, no child process, no whole estate.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
from pulumi.runtime import mocks, settings

from infra.declarations.resources import PlanContext
from infra.planner.recorder import PlanMocks, RecordingMonitor


def record(build: Callable[[], object], stack: str = "test") -> dict[str, dict[str, Any]]:
    """The resources ``build`` registers, by name, as ``k8s-infra plan --json`` lists them."""
    plan_mocks = PlanMocks(PlanContext())
    monitor = RecordingMonitor(plan_mocks)
    settings.set_root_resource(None)  # type: ignore[arg-type]
    mocks.set_mocks(plan_mocks, project="k8s-infra", stack=stack, preview=False, monitor=monitor)
    pulumi.runtime.test(build)()  # type: ignore[no-untyped-call]
    return {r["name"]: r for r in monitor.plan_resources() if r["custom"]}
