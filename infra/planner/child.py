"""One offline plan, in its own process: ``python -m infra.planner.child``.

A process per plan because the SDK's settings are process-global, because
``plan all`` runs stacks in parallel, and because ``--base`` runs the code
of another commit: the planner (this module and the recorder) is imported
first, then ``infra`` is dropped from ``sys.modules`` and the program is
imported afresh from the code folder given.

The program's code is compiled from its sources, never from compiled files
found in its tree (a change could add one that its sources do not say). The
child records every file the program opened (``reads.py``) and refuses the
plan when one is not among the inputs its key holds (``keys.py``); when
asked, it tells how many resources it has registered so far (for progress).
"""

from __future__ import annotations

import argparse
import importlib.abc
import importlib.machinery
import json
import os
import runpy
import sys
import threading
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from types import CodeType, ModuleType
from typing import Any

import pulumi
from pulumi.runtime import mocks, settings, sync_await

from infra.core.environment import DECLARATIONS_CHECKED_ENV, IMPORTS_ENV, ROOT_ENV
from infra.core.paths import CODE_ROOT, PROJECT_FILE
from infra.core.problems import Problems
from infra.declarations.layout import stacks_root
from infra.declarations.resources import PlanContext
from infra.declarations.stacks import read_project, read_stack_file
from infra.planner.keys import Trees, plan_key, undeclared_reads
from infra.planner.reads import ReadRecorder
from infra.planner.recorder import PlanMocks, RecordingMonitor, plain_outputs
from infra.planner.stack_config import engine_config

# Read by infra/program.py: every declaration of the data root was checked
# before this plan (by `k8s-infra plan`, or when the base commit merged), so
# the program loads only what its stack builds from.
PACKAGE = "infra"
# How often the child tells how many resources it has registered.
PROGRESS_EVERY = 50


class _SourceOnlyLoader(importlib.machinery.SourceFileLoader):
    """Compiles a module from its source file, never from a compiled file beside it."""

    def get_code(self, fullname: str) -> CodeType:
        return self.source_to_code(self.get_data(self.path), self.path)


class _ProgramFinder(importlib.abc.MetaPathFinder):
    """Finds the ``infra`` package under the program's checkout, from Python sources only.

    Nothing else is importable from there: the checkout is not put on
    ``sys.path``, so a folder a change adds beside ``infra/`` (named like a
    provider, say) is never imported; and only ``.py`` files are: a compiled
    or native module a change adds beside a source is never loaded.
    """

    def __init__(self, code: Path) -> None:
        self.code = str(code)

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != PACKAGE and not fullname.startswith(PACKAGE + "."):
            return None
        for entry in [self.code] if fullname == PACKAGE else list(path or []):
            finder = importlib.machinery.FileFinder(
                entry, (_SourceOnlyLoader, importlib.machinery.SOURCE_SUFFIXES)
            )
            spec = finder.find_spec(fullname)
            if spec is not None:
                return spec
        raise ModuleNotFoundError(f"no module named {fullname!r} in {self.code}", name=fullname)


def _use_program_code(code: Path) -> None:
    """Make ``import infra`` resolve to the package under ``code``, compiled from source."""
    for name in list(sys.modules):
        if name == PACKAGE or name.startswith(PACKAGE + "."):
            del sys.modules[name]
    sys.meta_path.insert(0, _ProgramFinder(code))


def _aws_account(values: dict[str, str]) -> str:
    try:
        accounts = json.loads(values.get("aws:allowedAccountIds", "[]"))
    except ValueError:
        accounts = []
    if not isinstance(accounts, list) or not accounts:
        return PlanContext().aws_account_id  # validation reports the malformed value
    return str(accounts[0])


def plan(stack: str, root: Path, code: Path, progress: Path | None = None) -> dict[str, Any]:
    empty: dict[str, Any] = {"stack": stack, "resources": [], "outputs": {}}
    project_file = code / PROJECT_FILE
    if not project_file.is_file():
        project_file = root / PROJECT_FILE
    if not project_file.is_file():
        return empty
    project_problems = Problems()
    project = read_project(project_file, project_problems)
    if project_problems.has_errors:
        raise UnreadableStack(project_problems.sorted()[0].format())
    program = code / project.main / "__main__.py"
    stacks = stacks_root(root)
    stack_file = stacks / project.stack_config_dir / f"Pulumi.{stack}.yaml"
    if not program.is_file() or not stack_file.is_file():
        return empty  # a commit without the program or the stack plans as empty
    display = stack_file.relative_to(stacks).as_posix()
    problems = Problems()
    found = read_stack_file(stack_file, display, problems)
    if found is None or problems.has_errors:
        raise UnreadableStack(
            f"{display} cannot be read ({problems.sorted()[0].message}); "
            "`k8s-infra validate` says where"
        )
    config = engine_config(project, found.config)

    os.environ[ROOT_ENV] = str(root)
    os.environ[DECLARATIONS_CHECKED_ENV] = "1"
    _use_program_code(code)
    pulumi.runtime.set_all_config(config.values, config.secret_keys)
    plan_mocks = PlanMocks(PlanContext(aws_account_id=_aws_account(config.values)))
    monitor = RecordingMonitor(plan_mocks, _progress_writer(progress))
    settings.set_root_resource(None)  # type: ignore[arg-type]  # a fresh stack per run
    mocks.set_mocks(plan_mocks, project=project.name, stack=stack, preview=False, monitor=monitor)
    _without_source_positions()
    pulumi.runtime.test(  # type: ignore[no-untyped-call]
        lambda: runpy.run_path(str(program), run_name="__main__")
    )()

    root_resource = settings.get_root_resource()
    exported = getattr(root_resource, "outputs", None) or {}
    values = sync_await._sync_await(pulumi.Output.from_input(exported).future()) or {}
    secrets = [
        key
        for key, value in exported.items()
        if isinstance(value, pulumi.Output) and sync_await._sync_await(value.is_secret())
    ]
    return {
        "stack": stack,
        "resources": monitor.plan_resources(),
        "outputs": plain_outputs(values, secrets),
    }


def _without_source_positions() -> None:
    """The SDK walks the Python stack of every resource it registers, so the engine can
    show where it was declared: a quarter of an offline plan's time, for a field the
    mock monitor drops and no plan holds. Here each registration sends an empty one."""
    from pulumi.runtime import resource as registration
    from pulumi.runtime.proto import source_pb2

    if hasattr(registration, "_get_stack_trace"):  # an SDK without it walks no stack
        registration._get_stack_trace = source_pb2.StackTrace


def _progress_writer(progress: Path | None) -> Callable[[int], None] | None:
    """Writes the count of registered resources to ``progress`` now and then."""
    if progress is None:
        return None

    # The SDK registers resources from several threads: one writer at a time, and a
    # count never goes back; the file is replaced whole, never read half-written.
    lock = threading.Lock()
    highest = 0

    def write(count: int) -> None:
        nonlocal highest
        if count % PROGRESS_EVERY:
            return
        with lock:
            if count <= highest:
                return
            highest = count
            partial = progress.with_suffix(".partial")
            partial.write_text(str(count), encoding="utf-8")
            partial.replace(progress)

    return write


class UnreadableStack(Exception):
    """The stack file is not a YAML mapping the planner can hand to the program."""


class UndeclaredReads(Exception):
    """The program read files its concerns do not declare: a change there would go
    unseen by the plan's key, so the plan is refused."""

    def __init__(self, paths: list[str], trees: Trees) -> None:
        shown = ", ".join(_relative(p, trees) for p in paths[:5])
        more = f" and {len(paths) - 5} more" if len(paths) > 5 else ""
        super().__init__(
            f"the program read {shown}{more}, which no concern of the stack declares as an "
            "input; declare it in the concern's `inputs` (infra/declarations/inputs.py)"
        )


def _relative(path: str, trees: Trees) -> str:
    for tree in (trees.root, trees.code, trees.planner):
        if path.startswith(str(tree) + os.sep):
            return os.path.relpath(path, tree)
    return path


def _failure(exc: BaseException) -> dict[str, Any]:
    problems = getattr(exc, "problems", None)
    if problems is not None:
        return {
            "message": str(exc),
            "problems": [p.to_json() for p in problems],
            "exit_code": 1,
        }
    # e.g. missing required config
    if isinstance(exc, pulumi.RunError | UnreadableStack | UndeclaredReads):
        return {"message": str(exc), "problems": [], "exit_code": 1}
    detail = "".join(traceback.format_exception(exc))
    return {
        "message": f"the program failed: {type(exc).__name__}: {exc}",
        "problems": [],
        "exit_code": 1,
        "traceback": detail,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.planner.child")
    parser.add_argument("--stack", required=True)
    parser.add_argument("--root", required=True, type=Path)
    parser.add_argument("--code", required=True, type=Path)
    parser.add_argument("--output", required=True, type=Path)
    parser.add_argument("--progress", type=Path)
    args = parser.parse_args(argv)
    # An offline plan follows its files alone: adopt's id map is for its own engine runs.
    os.environ.pop(IMPORTS_ENV, None)
    root, code = args.root.resolve(), args.code.resolve()
    trees = Trees(root, code, CODE_ROOT.resolve())
    reads = ReadRecorder()
    reads.install()
    # The planner itself was imported before the hook: its modules count too.
    reads.note_modules(list(sys.modules.values()))
    try:
        planned = plan(args.stack, root, code, args.progress)
        reads.note_modules(list(sys.modules.values()))
        undeclared = undeclared_reads(reads.stop(), args.stack, trees)
        if undeclared:
            raise UndeclaredReads(undeclared, trees)
        # The key of what was there when the plan ended: the parent keeps the plan
        # only when it is the key it looked up before (nothing changed meanwhile).
        result: dict[str, Any] = {"plan": planned, "key": plan_key(args.stack, trees)}
        status = 0
    except Exception as exc:
        result = {"error": _failure(exc)}
        status = 1
    args.output.write_text(json.dumps(result, sort_keys=True), encoding="utf-8")
    return status


if __name__ == "__main__":
    sys.exit(main())
