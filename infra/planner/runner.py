"""Runs offline plans in child processes, several at once, and collects them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.core.environment import DEBUG_ENV
from infra.core.errors import K8sInfraError
from infra.core.paths import CODE_ROOT
from infra.core.problems import Problem
from infra.planner.keys import Trees

# The folder that holds the running `infra` package: the code of "this" plan.
CURRENT_CODE = CODE_ROOT


@dataclass(frozen=True)
class PlanRequest:
    stack: str
    root: Path
    code: Path = CURRENT_CODE
    label: str = ""  # says which plan failed, e.g. "at <base commit>"

    @property
    def trees(self) -> Trees:
        """Where this plan's inputs live: its data root, its code and the planner."""
        return Trees(self.root.resolve(), self.code.resolve(), CURRENT_CODE.resolve())


@dataclass
class PlanResult:
    request: PlanRequest
    plan: dict[str, Any] | None
    error: dict[str, Any] | None
    seconds: float
    stderr: str = field(repr=False, default="")
    key: str | None = None  # the key of the inputs it was made from (None when it failed)
    cached: bool = False  # answered from the plan cache, no program run

    @property
    def resources(self) -> list[dict[str, Any]]:
        return self.plan["resources"] if self.plan else []


class PlanFailed(K8sInfraError):
    """A plan could not be made: the program raised, or declarations are invalid."""

    def __init__(self, result: PlanResult) -> None:
        error = result.error or {}
        problems = [Problem.from_json(p) for p in error.get("problems") or []]
        message = error.get("message") or "the planner failed"
        where = f"plan of stack `{result.request.stack}`"
        if result.request.label:
            where += f" {result.request.label}"
        traceback = error.get("traceback")
        hint: str | None
        if problems:
            hint = "run `k8s-infra validate` for every problem in the declarations"
        elif traceback and not os.environ.get(DEBUG_ENV):
            hint = f"a bug in the program: set {DEBUG_ENV}=1 to see where it failed"
        else:
            hint = "the lines above say where the program failed" if traceback else None
        super().__init__(
            f"{where} failed: {message}",
            hint,
            problems=problems,
            # shown (before the error line) only when asked for: it is for developers
            detail=traceback if os.environ.get(DEBUG_ENV) else None,
        )
        self.result = result
        self.exit_code = int(error.get("exit_code") or 1)


Progress = Callable[["PlanRequest", int], None]  # (a running plan, resources registered so far)


def run_plans(
    requests: Sequence[PlanRequest],
    jobs: int | None = None,
    on_done: Callable[[PlanResult], None] | None = None,
    on_progress: Progress | None = None,
) -> list[PlanResult]:
    """Plan every request in its own process, at most ``jobs`` at a time; keeps order."""
    limit = max(1, jobs or os.cpu_count() or 1)
    results: dict[int, PlanResult] = {}
    pending = list(enumerate(requests))
    running: list[_Child] = []
    with tempfile.TemporaryDirectory(prefix="k8s-infra-plan-") as scratch:
        while pending or running:
            while pending and len(running) < limit:
                index, request = pending.pop(0)
                running.append(_start(index, request, Path(scratch), on_progress is not None))
            time.sleep(0.02)
            for child in list(running):
                if child.process.poll() is None:
                    if on_progress is not None:
                        on_progress(requests[child.index], child.progress())
                    continue
                running.remove(child)
                result = child.finish(requests[child.index])
                results[child.index] = result
                if on_done:
                    on_done(result)
    return [results[i] for i in range(len(requests))]


@dataclass
class _Child:
    index: int
    process: subprocess.Popen[bytes]
    output: Path
    progress_file: Path | None
    log: Any
    started: float

    def progress(self) -> int:
        try:
            return int((self.progress_file or Path()).read_text(encoding="utf-8") or 0)
        except (OSError, ValueError):
            return 0

    def finish(self, request: PlanRequest) -> PlanResult:
        self.log.seek(0)
        text = self.log.read().decode("utf-8", "replace")
        self.log.close()
        return _result(request, self.output, text, time.monotonic() - self.started)


def _start(index: int, request: PlanRequest, scratch: Path, progress: bool) -> _Child:
    output = scratch / f"{index}.json"
    progress_file = scratch / f"{index}.progress" if progress else None
    log = tempfile.TemporaryFile(dir=scratch)  # noqa: SIM115 - closed when the child ends
    command = [
        sys.executable, "-m", "infra.planner.child",
        "--stack", request.stack,
        "--root", str(request.root),
        "--code", str(request.code),
        "--output", str(output),
    ]  # fmt: skip
    if progress_file is not None:
        command += ["--progress", str(progress_file)]
    process = subprocess.Popen(
        command,
        cwd=scratch,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=log,
        env={**os.environ, "PYTHONWARNINGS": "ignore::DeprecationWarning"},
    )
    return _Child(index, process, output, progress_file, log, time.monotonic())


def _result(request: PlanRequest, output: Path, log: str, seconds: float) -> PlanResult:
    try:
        payload = json.loads(output.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        tail = "\n".join(log.strip().splitlines()[-15:])
        payload = {"error": {"message": f"the planner process died:\n{tail}", "exit_code": 1}}
    key = payload.get("key")
    return PlanResult(
        request,
        payload.get("plan"),
        payload.get("error"),
        seconds,
        log,
        key if isinstance(key, str) else None,
    )


def plan_one(request: PlanRequest) -> dict[str, Any]:
    """One plan, raising PlanFailed when it cannot be made."""
    (result,) = run_plans([request])
    if result.plan is None:
        raise PlanFailed(result)
    return result.plan
