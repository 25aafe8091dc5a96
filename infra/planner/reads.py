"""What a plan depends on: every file and folder its program read, with content hashes.

A stack's plan is a pure function of the files its program reads (code and
declarations alike), the stack's name and the installed packages. The
planner's child records each ``open`` and each folder listing through an
audit hook; a file is known by its folder ("root" for the data root, "code"
for the program's code, "planner" for the planner running it) and its path
there, and hashed with its content (or as absent). Two trees give the same
plan when every recorded input hashes the same in both: that decides both
cache hits and which stacks ``plan --base`` replans.

A folder's listing counts, so a new groups file is seen. A check of existence
alone (``Path.exists``) raises no audit event: a plan that depends on one
must also read or list what it checks (today every such check ends in a
problem, and failed plans are never reused).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ABSENT = "absent"
FOLDER_PREFIX = "dir:"  # a folder listing's key starts with this
_LISTING_EVENTS = ("os.listdir", "os.scandir")
_SKIPPED_PARTS = frozenset({".git", ".venv", ".cache", "node_modules"})
# Folders the import system lists to find modules and package metadata: where
# packages are is part of the environment, not of the plan's inputs.
_IMPORT_SYSTEM = ("<frozen importlib", os.path.dirname(importlib.__file__) + os.sep)


@dataclass(frozen=True)
class Bases:
    """Where each kind of input lives for one plan."""

    root: Path
    code: Path
    planner: Path

    def folder(self, base: str) -> Path:
        return {"root": self.root, "code": self.code, "planner": self.planner}[base]

    def classify(self, path: str) -> str | None:
        """``<base>:<relative path>`` for a path under one of the folders, else None."""
        for base in ("root", "code", "planner"):
            folder = str(self.folder(base))
            if path == folder or path.startswith(folder + os.sep):
                relative = os.path.relpath(path, folder)
                parts = Path(relative).parts
                if _SKIPPED_PARTS.intersection(parts):
                    return None
                return f"{base}:{Path(relative).as_posix()}"
        return None


@dataclass(frozen=True)
class Inputs:
    """Every input of one plan: ``<base>:<path>`` (``dir:`` for a listing) -> hash."""

    hashes: Mapping[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, str]:
        return dict(sorted(self.hashes.items()))

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Inputs:
        return cls({str(k): str(v) for k, v in data.items()})

    def digest(self) -> str:
        text = "\n".join(f"{k}={v}" for k, v in sorted(self.hashes.items()))
        return hashlib.sha256(text.encode()).hexdigest()


class Hasher:
    """Hashes files and listings, each absolute path once per process."""

    def __init__(self) -> None:
        self._seen: dict[str, str] = {}

    def current(self, key: str, bases: Bases) -> str:
        """The hash ``key`` has under ``bases`` now."""
        listing = key.startswith(FOLDER_PREFIX)
        base, _, relative = key.removeprefix(FOLDER_PREFIX).partition(":")
        path = bases.folder(base) / relative
        memo = f"{listing}:{path}"
        if memo not in self._seen:
            self._seen[memo] = listing_hash(path) if listing else file_hash(path)
        return self._seen[memo]

    def differing(self, inputs: Inputs, bases: Bases) -> list[str]:
        """The inputs whose hash under ``bases`` is not the recorded one."""
        return [key for key, wanted in inputs.hashes.items() if self.current(key, bases) != wanted]


def file_hash(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except (FileNotFoundError, NotADirectoryError):
        return ABSENT
    except IsADirectoryError:
        return listing_hash(path)


def listing_hash(folder: Path) -> str:
    try:
        names = sorted(e.name + ("/" if e.is_dir() else "") for e in os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return ABSENT
    return hashlib.sha256("\n".join(names).encode()).hexdigest()


# Audit hooks cannot be removed: one dispatcher per process serves every recorder.
_RECORDERS: list[ReadRecorder] = []
_HOOKED: list[bool] = []


def _dispatch(event: str, args: tuple[Any, ...]) -> None:
    for recorder in _RECORDERS:
        recorder.hook(event, args)


class ReadRecorder:
    """Notes every path read under the bases, through an audit hook."""

    def __init__(self, bases: Bases) -> None:
        self.bases = bases
        self.files: set[str] = set()
        self.folders: set[str] = set()
        self._prefix = sys.prefix
        self._recording = True

    def install(self) -> None:
        """Record from now on (the planner's child records its whole life)."""
        if not _HOOKED:
            sys.addaudithook(_dispatch)
            _HOOKED.append(True)
        _RECORDERS.append(self)

    @contextmanager
    def recording(self) -> Iterator[ReadRecorder]:
        """Record what runs inside the block."""
        self.install()
        try:
            yield self
        finally:
            _RECORDERS.remove(self)

    def hook(self, event: str, args: tuple[Any, ...]) -> None:
        if not self._recording:
            return
        if event == "open":
            self._note(args[0], self.files)
        elif event in _LISTING_EVENTS and not _from_import_system():
            self._note(args[0] if args and args[0] is not None else ".", self.folders)

    def _note(self, raw: Any, into: set[str]) -> None:
        if isinstance(raw, int) or raw is None:
            return  # a file descriptor: its path was noted when it was opened
        try:
            path = os.path.abspath(os.fsdecode(raw))
        except (TypeError, ValueError):
            return
        if path.startswith(self._prefix + os.sep):
            return  # the interpreter and installed packages: part of the environment
        if path.endswith(".pyc"):
            try:
                path = importlib.util.source_from_cache(path)
            except ValueError:
                return
        into.add(path)

    def note_modules(self, modules: Iterable[object]) -> None:
        """Source files of imported modules (``-m`` and early imports ran before the hook)."""
        for module in modules:
            source = getattr(module, "__file__", None)
            if isinstance(source, str):
                self._note(source, self.files)

    def inputs(self) -> Inputs:
        """Every path noted, hashed now; recording stops (hashing reads files too)."""
        self._recording = False
        hashes: dict[str, str] = {}
        for path in self.files:
            key = self.bases.classify(os.path.realpath(path))
            if key is not None:
                hashes[key] = file_hash(Path(path))
        for path in self.folders:
            key = self.bases.classify(os.path.realpath(path))
            if key is not None:
                hashes[FOLDER_PREFIX + key] = listing_hash(Path(path))
        return Inputs(hashes)


def _from_import_system() -> bool:
    """Whether the import system lists the folder (for modules or package metadata).

    The first frame outside this module is the one that called
    ``os.listdir``/``os.scandir``.
    """
    frame = sys._getframe(1)
    while frame.f_code.co_filename == __file__ and frame.f_back is not None:
        frame = frame.f_back
    return frame.f_code.co_filename.startswith(_IMPORT_SYSTEM)
