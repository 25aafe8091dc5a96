"""Every declaration checked before any plan, reusing the last check of the same files.

``plan`` checks the whole data root first (as ``validate`` does), so that
problems come with their positions and each stack's program may load only
its own declarations. The check is a pure function of every concern's
declared inputs, every stack file and the code: it is kept in the plan
cache under their key (``keys.py``), when it read nothing the key does not
hold.

Each stack plans from what it reads: an error stops the stacks whose
declared inputs hold its file (``blocked_stacks``), and an error in a file no
stack declares stops them all. The checks across concerns (a grant to a
group no file declares) stop no stack: they are kept apart (``across``) and
fail the command once the plans are shown.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from infra.core.paths import CODE_ROOT
from infra.core.problems import Problem, Problems
from infra.declarations.inputs import CODE_EXCLUDED, code_patterns, files
from infra.declarations.stacks import stack_file, stack_names
from infra.planner.cache import PlanCache
from infra.planner.keys import Trees, every_input, inputs_key, stack_inputs, undeclared
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


@dataclass(frozen=True)
class DeclarationCheck:
    """Every problem found (sorted), and those of the checks across concerns among them."""

    problems: list[Problem]
    across: list[Problem]

    def to_json(self) -> dict[str, list[dict[str, object]]]:
        return {
            "problems": [p.to_json() for p in self.problems],
            "across": [p.to_json() for p in self.across],
        }

    @classmethod
    def from_json(cls, data: object) -> DeclarationCheck | None:
        if not isinstance(data, dict):
            return None
        try:
            return cls(
                [Problem.from_json(p) for p in data["problems"]],
                [Problem.from_json(p) for p in data["across"]],
            )
        except (KeyError, TypeError, ValueError):
            return None


def check_declarations(root: Path, plan_cache: PlanCache | None) -> DeclarationCheck:
    """The problems of every declaration under ``root``."""
    key, allowed = check_key(root) if plan_cache is not None else ("", set())
    if plan_cache is not None:
        found = DeclarationCheck.from_json(plan_cache.find(CHECK, key))
        if found is not None:
            return found
    problems = Problems()
    across = Problems()
    recorder = ReadRecorder()
    with recorder.recording():
        from infra.catalog.validation import load_declarations

        load_declarations(root, problems, across=across)
    read = recorder.stop()
    found_check = DeclarationCheck(
        sorted({*problems.sorted(), *across.sorted()}, key=Problem.sort_key), across.sorted()
    )
    if plan_cache is not None and not undeclared_by_check(read, root, allowed):
        plan_cache.keep(CHECK, key, found_check.to_json())
    return found_check


def blocked_stacks(
    root: Path, stacks: Sequence[str], problems: Sequence[Problem], across: Sequence[Problem]
) -> dict[str, list[Problem]]:
    """For each stack, the errors in files it reads (or in files no stack declares)."""
    errors = [p for p in problems if p.severity == "error" and p not in across]
    declared = every_input(root)
    found: dict[str, list[Problem]] = {}
    for stack in stacks:
        own = stack_inputs(root, stack)
        found[stack] = [
            e
            for e in errors
            if _under(e.position.path, own) or not _under(e.position.path, declared)
        ]
    return found


def _under(path: str, patterns: Sequence[str]) -> bool:
    """Whether ``path`` (as a problem names it) is one the patterns name."""
    posix = PurePosixPath(path).as_posix()
    for pattern in patterns:
        if pattern.endswith("/**"):
            folder = pattern.removesuffix("/**")
            if posix == folder or posix.startswith(folder + "/"):
                return True
        elif posix == pattern:
            return True
    return False


def undeclared_by_check(read: set[str], root: Path, allowed: set[Path]) -> list[str]:
    """Files under the data root or the code that the check read but its key does not hold."""
    return undeclared(read, (root.resolve(), CODE_ROOT.resolve()), allowed, own_compiled=True)
