"""Every declaration checked before any plan, reusing the last check of the same files.

``plan`` checks the whole data root first (as ``validate`` does), so that
problems come with their positions and each stack's program may load only
its own declarations. The check is a pure function of the files it reads,
like a plan: it is recorded the same way (``reads.py``) and kept in the plan
cache. Only a check without errors is kept.
"""

from __future__ import annotations

import sys
from pathlib import Path

from infra.core.paths import CODE_ROOT
from infra.core.problems import Problem, Problems
from infra.planner.cache import PlanCache
from infra.planner.reads import Bases, ReadRecorder

# The name the check is kept under, beside the stacks' (no stack name holds `@`).
CHECK = "declarations@check"


def check_declarations(root: Path, plan_cache: PlanCache | None) -> list[Problem]:
    """The problems of every declaration under ``root``, sorted."""
    bases = Bases(root.resolve(), CODE_ROOT.resolve(), CODE_ROOT.resolve())
    if plan_cache is not None:
        found = plan_cache.find(CHECK, bases)
        if found is not None and isinstance(found[0], list):
            return [Problem.from_json(p) for p in found[0]]
    problems = Problems()
    recorder = ReadRecorder(bases)
    with recorder.recording():
        from infra.validation import load_declarations

        load_declarations(root, problems)
    # The checking code is an input too, imported now or long before.
    recorder.note_modules(list(sys.modules.values()))
    found_problems = problems.sorted()
    if plan_cache is not None and not problems.has_errors:
        plan_cache.keep(CHECK, [p.to_json() for p in found_problems], recorder.inputs())
    return found_problems
