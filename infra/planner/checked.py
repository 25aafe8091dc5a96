"""Every declaration checked before any plan, reusing the last check of the same files.

``plan`` checks the whole data root first (as ``validate`` does), so that
problems come with their positions and each stack's program may load only
its own declarations. The check is a pure function of every concern's
declared inputs, every stack file and the code: it is kept in the plan
cache under their key (``keys.py``). Only a check without errors is kept,
and only when it read nothing the key does not hold.
"""

from __future__ import annotations

import os
from pathlib import Path

from infra.core.paths import CODE_ROOT
from infra.core.problems import Problem, Problems
from infra.declarations.inputs import CODE_EXCLUDED, code_patterns, files
from infra.declarations.stacks import stack_file, stack_names
from infra.planner.cache import PlanCache
from infra.planner.keys import Trees, every_input, inputs_key
from infra.planner.reads import ReadRecorder

# The name the check is kept under, beside the stacks' (no stack name holds `@`).
CHECK = "declarations@check"


def check_key(root: Path) -> tuple[str, set[Path]]:
    """The check's key under ``root``, and every file it may read."""
    trees = Trees(root.resolve(), CODE_ROOT.resolve(), CODE_ROOT.resolve())
    patterns = every_input(trees.root)
    stacks = [stack_file(trees.root, name) for name in stack_names(trees.root)]
    allowed = files(trees.root, patterns) | files(trees.code, code_patterns(), CODE_EXCLUDED)
    allowed |= {Path(os.path.abspath(p)) for p in stacks}
    return inputs_key(CHECK, trees, patterns, *stacks), allowed


def check_declarations(root: Path, plan_cache: PlanCache | None) -> list[Problem]:
    """The problems of every declaration under ``root``, sorted."""
    key, allowed = check_key(root) if plan_cache is not None else ("", set())
    if plan_cache is not None:
        found = plan_cache.find(CHECK, key)
        if isinstance(found, list):
            return [Problem.from_json(p) for p in found]
    problems = Problems()
    recorder = ReadRecorder()
    with recorder.recording():
        from infra.validation import load_declarations

        load_declarations(root, problems)
    read = recorder.stop()
    found_problems = problems.sorted()
    if plan_cache is not None and not problems.has_errors and not undeclared(read, root, allowed):
        plan_cache.keep(CHECK, key, [p.to_json() for p in found_problems])
    return found_problems


def undeclared(read: set[str], root: Path, allowed: set[Path]) -> list[str]:
    """Files under the data root or the code that the check read but its key does not hold."""
    folders = [str(f.resolve()) + os.sep for f in (root, CODE_ROOT)]
    return sorted(
        path
        for path in read
        if any(path.startswith(f) for f in folders)
        and Path(path) not in allowed
        and "__pycache__" not in Path(path).parts  # this process's own compiled code
    )
