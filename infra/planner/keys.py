"""The key of a plan: a hash of everything the plan can depend on, read from content.

A stack's offline plan is a pure function of:

- the files its concerns declare under the data root, and those every stack
  reads (``infra.declarations.inputs``), links and modes included;
- the stack file it is planned with;
- the program's code (every Python file of the ``infra`` package in the
  code's checkout, and its data files) and the planner's (the running
  package, which runs the program);
- the stack's name, Python and every installed package's version.

Two plans with the same key are the same plan: the key answers cache hits
and which stacks ``plan --base`` must plan at the base. It is computed from
the files themselves, never from a record of an earlier run, and the
planner's child checks that the program read nothing else (``allowed_reads``).
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

# Imported now, not when called: the planner's child swaps the program's `infra`
# package in later, and the key is always made by the planner's own code.
from infra import catalog
from infra.core.problems import Problems
from infra.declarations.inputs import (
    CODE_EXCLUDED,
    check_pattern,
    code_patterns,
    files,
    fingerprint,
    scan,
    shared_inputs,
)
from infra.declarations.layout import STACKS_DIR
from infra.declarations.stacks import StackSettings, load_stack_settings, stack_file, stack_names

# Bumped when the plan's format or the key's make-up changes.
KEY_FORMAT = "k8s-infra plan key 2"


@cache
def environment() -> str:
    """Python and every installed package's version: a plan depends on them too.

    Read from the names of the packages' metadata folders (``pulumi-3.272.0.dist-info``):
    reading each package's metadata would cost more than the rest of a cached plan.
    """
    found = [sys.version]
    # Where packages are installed; not the script's or the current folder.
    for entry in (p for p in sys.path if os.path.basename(p) in ("site-packages", "dist-packages")):
        try:
            names = os.listdir(entry)
        except OSError:
            continue
        found += sorted(n for n in names if n.endswith((".dist-info", ".egg-info")))
    return hashlib.sha256("\n".join(found).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Trees:
    """Where one plan's files are: its declarations, its program and the planner."""

    root: Path
    code: Path
    planner: Path


def stack_settings(root: Path, stack: str) -> StackSettings | None:
    """The stack's settings as the current code reads them (None when they cannot be read)."""
    return load_stack_settings(root, stack, Problems(), catalog.stack_schema())


def stack_inputs(root: Path, stack: str) -> tuple[str, ...]:
    """The patterns a stack's program reads under ``root``: the shared ones and those of
    the concerns it builds (of every concern when its file cannot be read)."""
    settings = stack_settings(root, stack)
    concerns = (
        catalog.CONCERNS
        if settings is None
        else [c for c in catalog.CONCERNS if c.name in settings.components]
    )
    patterns = list(shared_inputs(stack))
    for concern in concerns:
        patterns += [check_pattern(p) for p in concern.inputs(settings)]
    return tuple(sorted(set(patterns)))


def every_input(root: Path) -> tuple[str, ...]:
    """What a check of every declaration reads: every stack file and every concern's inputs."""
    patterns = {STACKS_DIR + "/**"}
    for stack in stack_names(root):
        patterns.update(stack_inputs(root, stack))
    for concern in catalog.CONCERNS:
        patterns.update(concern.inputs(None))
    return tuple(sorted(patterns))


def _lines(label: str, base: Path, patterns: Iterable[str], excluded: frozenset[str]) -> list[str]:
    return [
        f"{label} {path} {found}"
        for pattern in patterns
        for path, found in scan(base, pattern, excluded)
    ]


def inputs_key(name: str, trees: Trees, patterns: Iterable[str], *extra: Path) -> str:
    """The hash of ``patterns`` under the data root, the code, the planner, the
    environment and ``extra`` files (a stack file outside the data root)."""
    lines = [KEY_FORMAT, f"environment {environment()}", f"name {name}"]
    lines += _lines("planner", trees.planner, code_patterns(), CODE_EXCLUDED)
    lines += _lines("code", trees.code, code_patterns(), CODE_EXCLUDED)
    lines += _lines("data", trees.root, sorted(patterns), frozenset())
    lines += [f"extra {index} {fingerprint(path)}" for index, path in enumerate(extra)]
    return hashlib.sha256("\n".join(lines).encode("utf-8", "surrogateescape")).hexdigest()


def plan_key(stack: str, trees: Trees) -> str:
    """The key of ``stack``'s plan with these trees."""
    return inputs_key(stack, trees, stack_inputs(trees.root, stack), stack_file(trees.root, stack))


def allowed_reads(stack: str, trees: Trees) -> set[Path]:
    """Every file the stack's plan may read under the three trees (absolute paths)."""
    allowed = files(trees.root, stack_inputs(trees.root, stack))
    allowed |= files(trees.code, code_patterns(), CODE_EXCLUDED)
    allowed |= files(trees.planner, code_patterns(), CODE_EXCLUDED)
    allowed.add(Path(os.path.abspath(stack_file(trees.root, stack))))
    return allowed


def undeclared_reads(read: Iterable[str], stack: str, trees: Trees) -> list[str]:
    """The files under one of the trees that the plan read but its key does not hold."""
    return undeclared(read, (trees.root, trees.code, trees.planner), allowed_reads(stack, trees))


def undeclared(
    read: Iterable[str], folders: Iterable[Path], allowed: set[Path], *, own_compiled: bool = False
) -> list[str]:
    """The files read under ``folders`` that are not ``allowed`` (absolute paths), sorted.

    ``own_compiled``: leave out ``__pycache__`` files, which a process reading in its
    own code's checkout opens for its own imports (never a plan's child: it compiles
    the program from source).
    """
    prefixes = [str(f) + os.sep for f in folders]
    found = []
    for raw in read:
        path = os.path.abspath(raw)
        if not any(path.startswith(f) for f in prefixes) or Path(path) in allowed:
            continue
        if own_compiled and "__pycache__" in Path(path).parts:
            continue
        found.append(path)
    return sorted(found)
