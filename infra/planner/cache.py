"""Plans kept by their inputs, so a plan of unchanged inputs answers at once.

A plan is stored with the inputs its program read (``reads.py``) and the
installed environment (Python and every package version). A later request
is answered from the cache when one stored entry's inputs all hash the same
now, in the request's data root, code and planner: then the program would
read the same bytes and register the same resources. Failed plans are never
stored. The cache lives under ``<data root>/.cache/plans`` (ignored by git);
deleting it is always safe.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from infra.planner.reads import Bases, Hasher, Inputs
from infra.planner.runner import PlanRequest, PlanResult, Progress, run_plans

CACHE_DIR = Path(".cache") / "plans"
# Entries kept per stack: the tree now, its base, and a few branches back.
KEEP = 8


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


class PlanCache:
    """The plans of one data root's cache folder; one instance per command run."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.hasher = Hasher()  # hashes each file once per run: the tree does not change meanwhile

    @classmethod
    def for_root(cls, root: Path) -> PlanCache:
        return cls(root / CACHE_DIR)

    def lookup(self, request: PlanRequest) -> PlanResult | None:
        found = self.find(request.stack, request.bases)
        if found is None:
            return None
        plan, inputs = found
        return PlanResult(request, plan, None, 0.0, inputs=inputs, cached=True)

    def store(self, result: PlanResult) -> None:
        """Keep a successful plan (best effort: a read-only checkout just has no cache)."""
        if result.plan is None or result.inputs is None or result.cached:
            return
        self.keep(result.request.stack, result.plan, result.inputs, len(result.resources))

    def find(self, name: str, bases: Bases) -> tuple[Any, Inputs] | None:
        """What was stored under ``name`` for inputs that hash the same under ``bases`` now."""
        for entry in self._index(name):
            inputs = Inputs.from_json(entry.get("inputs") or {})
            if entry.get("environment") != environment() or not inputs.hashes:
                continue
            if self.hasher.differing(inputs, bases):
                continue
            stored = _read_json(self._plan_file(str(entry.get("key"))))
            if stored is not None:
                return stored, inputs
        return None

    def keep(self, name: str, payload: Any, inputs: Inputs, resources: int = 0) -> None:
        key = hashlib.sha256(f"{environment()}\n{name}\n{inputs.digest()}".encode()).hexdigest()
        entry = {
            "key": key,
            "environment": environment(),
            "resources": resources,
            "inputs": inputs.to_json(),
        }
        entries = [entry, *(e for e in self._index(name) if e.get("key") != key)]
        try:
            _write_json(self._plan_file(key), payload)
            _write_json(self._index_file(name), entries[:KEEP])
        except OSError:
            return
        for dropped in entries[KEEP:]:
            self._plan_file(str(dropped.get("key"))).unlink(missing_ok=True)

    def expected(self, stack: str) -> int | None:
        """How many resources the stack's last stored plan had (for progress)."""
        for entry in self._index(stack):
            count = entry.get("resources")
            if isinstance(count, int) and count > 0:
                return count
        return None

    def _index(self, stack: str) -> list[dict[str, Any]]:
        found = _read_json(self._index_file(stack))
        return [e for e in found if isinstance(e, dict)] if isinstance(found, list) else []

    def _index_file(self, stack: str) -> Path:
        return self.folder / f"{stack}.json"

    def _plan_file(self, key: str) -> Path:
        return self.folder / "by-inputs" / f"{key}.json"


def run_cached(
    requests: Sequence[PlanRequest],
    plan_cache: PlanCache | None,
    jobs: int | None = None,
    on_done: Callable[[PlanResult], None] | None = None,
    on_progress: Progress | None = None,
) -> list[PlanResult]:
    """Like ``run_plans``, answering from ``plan_cache`` first and storing what it made."""
    if plan_cache is None:
        return run_plans(requests, jobs, on_done, on_progress)
    results: dict[int, PlanResult] = {}
    missing: list[int] = []
    for index, request in enumerate(requests):
        hit = plan_cache.lookup(request)
        if hit is None:
            missing.append(index)
            continue
        results[index] = hit
        if on_done:
            on_done(hit)

    made = run_plans([requests[i] for i in missing], jobs, on_done, on_progress)
    for index, result in zip(missing, made, strict=True):
        plan_cache.store(result)
        results[index] = result
    return [results[i] for i in range(len(requests))]


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # missing, or cut short by a crash: a miss, never an error


def _write_json(path: Path, data: Any) -> None:
    """Whole or not at all: concurrent runs may write the same entry."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(data, out, sort_keys=True, separators=(",", ":"))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
