"""What a plan's program read: every file it opened, through an audit hook.

The recorder is a check, not the source of truth: a plan's key is computed
from the files its concerns declare (``keys.py``), and the planner's child
refuses a plan whose program opened a file under the data root, the code or
the planner that the key does not hold (``keys.undeclared_reads``). Reads
elsewhere (the interpreter, installed packages, temporary files) are part of
the environment.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

# Audit hooks cannot be removed: one dispatcher per process serves every recorder.
_RECORDERS: list[ReadRecorder] = []
_HOOKED: list[bool] = []


def _dispatch(event: str, args: tuple[Any, ...]) -> None:
    for recorder in _RECORDERS:
        recorder.hook(event, args)


class ReadRecorder:
    """Notes the absolute path of every file opened, through an audit hook."""

    def __init__(self) -> None:
        self.files: set[str] = set()
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
        if self._recording and event == "open":
            self._note(args[0])

    def _note(self, raw: Any) -> None:
        if isinstance(raw, int) or raw is None:
            return  # a file descriptor: its path was noted when it was opened
        try:
            path = os.path.abspath(os.fsdecode(raw))
        except (TypeError, ValueError):
            return
        if path.startswith(self._prefix + os.sep):
            return  # the interpreter and installed packages: part of the environment
        self.files.add(path)

    def note_modules(self, modules: Iterable[object]) -> None:
        """Source files of imported modules (``-m`` and early imports ran before the hook)."""
        for module in modules:
            source = getattr(module, "__file__", None)
            if isinstance(source, str):
                self._note(source)

    def stop(self) -> set[str]:
        """Every file noted; recording stops (checking what was read reads files too)."""
        self._recording = False
        return set(self.files)
