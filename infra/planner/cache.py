"""Plans kept by their key, so a plan of unchanged inputs answers at once.

An entry is stored under the key of the inputs it was planned from
(``keys.py``: the content of every declared input, the code and the
installed packages) and carries its own content hash. A request is answered
only by the entry of the key computed now from the files, and only when the
entry's hash verifies: an entry cannot answer for other content, and a
damaged one is a miss. Failed plans are never stored.

The cache lives in the user's cache folder (``K8S_INFRA_CACHE``, else
``$XDG_CACHE_HOME/k8s-infra``, else ``~/.cache/k8s-infra``), never in the
checkout: a folder inside the data root or the code's checkout, or tracked
by git, is refused and nothing is cached. Deleting it is always safe.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from infra.core.environment import CACHE_ENV
from infra.core.paths import CODE_ROOT
from infra.planner.keys import KEY_FORMAT, plan_key
from infra.planner.runner import PlanRequest, PlanResult, Progress, run_plans

PLANS_DIR = "plans"
# Entries kept per stack: the tree now, its base, and a few branches back.
KEEP = 8


def cache_folder() -> Path:
    """K8S_INFRA_CACHE, else the XDG cache folder's ``k8s-infra``."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured).expanduser().resolve()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return (base / "k8s-infra").resolve()


def refusal(folder: Path, root: Path) -> str | None:
    """Why ``folder`` may not hold plans for ``root``, or None.

    A folder a change can write to (inside the checkout, or tracked by git)
    could hold entries made for other content.
    """
    for checkout in (root.resolve(), CODE_ROOT.resolve()):
        if folder == checkout or checkout in folder.parents:
            return f"the cache folder {folder} is inside the checkout {checkout}"
    existing = next((p for p in (folder, *folder.parents) if p.is_dir()), None)
    if existing is not None and _tracked(existing, folder):
        return f"the cache folder {folder} is tracked by git"
    return None


def _tracked(existing: Path, folder: Path) -> bool:
    try:
        inside = subprocess.run(
            ["git", "-C", str(existing), "ls-files", "--full-name", "--", str(folder)],
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False  # no git: nothing can be tracked
    return inside.returncode == 0 and bool(inside.stdout.strip())


class PlanCache:
    """The plans kept in one cache folder; one instance per command run."""

    def __init__(self, folder: Path, refused: str | None = None) -> None:
        self.folder = folder
        self.refused = refused  # why nothing is read or stored (said once, as a warning)

    @classmethod
    def for_root(cls, root: Path) -> PlanCache:
        folder = cache_folder()
        return cls(folder / PLANS_DIR, refusal(folder, root))

    def lookup(self, request: PlanRequest, key: str) -> PlanResult | None:
        found = self.find(request.stack, key)
        if found is None:
            return None
        return PlanResult(request, found, None, 0.0, key=key, cached=True)

    def store(self, result: PlanResult, key: str) -> None:
        """Keep a successful plan made from the inputs of ``key`` (best effort)."""
        if result.plan is None or result.cached or result.key != key:
            return  # failed, already kept, or its inputs changed while it was made
        self.keep(result.request.stack, key, result.plan, len(result.resources))

    def find(self, name: str, key: str) -> Any | None:
        """The payload stored under ``name`` for ``key``, when its own hash verifies."""
        if self.refused is not None:
            return None
        path = self._entry(name, key)
        entry = _read_json(path)
        if not isinstance(entry, dict) or "payload" not in entry:
            return None
        if (entry.get("format"), entry.get("name"), entry.get("key")) != (KEY_FORMAT, name, key):
            return None
        if entry.get("sha256") != _digest(name, key, entry["payload"]):
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: kept longest
        return entry["payload"]

    def keep(self, name: str, key: str, payload: Any, resources: int = 0) -> None:
        if self.refused is not None:
            return
        entry = {
            "format": KEY_FORMAT,
            "name": name,
            "key": key,
            "sha256": _digest(name, key, payload),
            "resources": resources,
            "payload": payload,
        }
        try:
            _write_json(self._entry(name, key), entry)
            if resources:
                _write_json(self.folder / name / "resources.json", resources)
            self._evict(name)
        except OSError:
            return

    def expected(self, stack: str) -> int | None:
        """How many resources the stack's last stored plan had (for progress only)."""
        if self.refused is not None:
            return None
        count = _read_json(self.folder / stack / "resources.json")
        return count if isinstance(count, int) and count > 0 else None

    def _entry(self, name: str, key: str) -> Path:
        return self.folder / name / f"{key}.json"

    def _evict(self, name: str) -> None:
        entries = sorted(
            (p for p in (self.folder / name).glob("*.json") if p.name != "resources.json"),
            key=lambda p: p.stat().st_mtime_ns,
            reverse=True,
        )
        for dropped in entries[KEEP:]:
            dropped.unlink(missing_ok=True)


def run_cached(
    requests: Sequence[PlanRequest],
    plan_cache: PlanCache | None,
    jobs: int | None = None,
    on_done: Callable[[PlanResult], None] | None = None,
    on_progress: Progress | None = None,
) -> list[PlanResult]:
    """Like ``run_plans``, answering from ``plan_cache`` first and storing what it made."""
    if plan_cache is None or plan_cache.refused is not None:
        return run_plans(requests, jobs, on_done, on_progress)
    keys = [plan_key(r.stack, r.trees) for r in requests]
    results: dict[int, PlanResult] = {}
    missing: list[int] = []
    for index, request in enumerate(requests):
        hit = plan_cache.lookup(request, keys[index])
        if hit is None:
            missing.append(index)
            continue
        results[index] = hit
        if on_done:
            on_done(hit)

    made = run_plans([requests[i] for i in missing], jobs, on_done, on_progress)
    for index, result in zip(missing, made, strict=True):
        plan_cache.store(result, keys[index])
        results[index] = result
    return [results[i] for i in range(len(requests))]


def _digest(name: str, key: str, payload: Any) -> str:
    """The entry's own hash: its plan, bound to the name and key it answers for."""
    text = json.dumps([name, key, payload], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


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
