"""Edits of declaration files: one command at a time, all files or none.

Every command that writes declarations goes through ``editing(root)``:

- a lock on ``root`` (``flock`` on the folder itself, so no lock file is
  left in the tree): a second command waits for the first, saying so, and
  gives up after ``LOCK_WAIT`` seconds with nothing changed. Whatever the
  command reads to decide its edit is read under the lock.
- ``Edit.commit(contents)`` writes each file to a temporary beside it, with
  the file's mode and line endings (a CRLF file stays CRLF), follows a
  symbolic link to the file it names (the link stays a link), and only when
  every temporary is written renames them all over their files. The
  renames run with SIGINT, SIGTERM and SIGHUP held back, so a signal lands
  before the first rename or after the last one, never between; an error
  during the renames puts back the files already renamed.
- SIGTERM and SIGHUP raise ``Interrupted`` (SIGINT raises
  ``KeyboardInterrupt``) while the edit runs, so the temporaries are removed
  and the command says what it changed: nothing, or every file. A process
  killed outright (SIGKILL) before its renames leaves its files as they were
  and its temporaries behind; the next edit of those files removes them.

``checkpoint`` is called with a label at each step (``locked``, ``staged
PATH``, ``renamed PATH``, ``committed``); it does nothing unless replaced,
and is where a debugger or a test stops the command between two steps.
"""

from __future__ import annotations

import errno
import fcntl
import glob
import os
import signal
import stat
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from infra.core.errors import K8sInfraError

LOCK_WAIT = 120.0  # seconds a command waits for another one editing the same tree
_POLL = 0.05
_HELD_BACK = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
_TEMPORARY_SUFFIX = ".k8s-infra-edit"


def _no_checkpoint(label: str) -> None:
    del label


checkpoint: Callable[[str], None] = _no_checkpoint


class Interrupted(BaseException):
    """SIGTERM or SIGHUP arrived while an edit was running."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class EditFailed(K8sInfraError):
    """An edit stopped; the message says which files changed and which did not."""

    def __init__(self, message: str, hint: str | None = None, *, exit_code: int = 1) -> None:
        super().__init__(message, hint)
        self.exit_code = exit_code


@dataclass
class Edit:
    """One command's edit of the files under ``root``."""

    root: Path
    written: list[Path] = field(default_factory=list)  # files changed, once committed

    def display(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def commit(self, contents: Mapping[Path, str]) -> list[Path]:
        """Replace (or create) every file of ``contents`` with its text, all or none."""
        staged: list[_Staged] = []
        made_dirs: list[Path] = []
        try:
            for path, text in contents.items():
                staged.append(_stage(path, text, made_dirs))
                checkpoint(f"staged {self.display(path)}")
            _swap_all(self, staged)
        finally:
            for item in staged:
                item.temporary.unlink(missing_ok=True)
            if not self.written:
                for folder in reversed(made_dirs):
                    _remove_empty(folder)
        return self.written

    def changed(self) -> str:
        if not self.written:
            return "nothing was changed"
        return "changed " + ", ".join(self.display(p) for p in self.written)


@dataclass
class _Staged:
    path: Path  # as given (a symbolic link stays one)
    target: Path  # the file written
    temporary: Path
    original: bytes | None  # None: a new file
    mode: int


def _stage(path: Path, text: str, made_dirs: list[Path]) -> _Staged:
    target = Path(os.path.realpath(path))
    original: bytes | None = None
    newline = "\n"
    if target.exists():
        original = target.read_bytes()
        mode = stat.S_IMODE(target.stat().st_mode)
        if b"\r\n" in original and original.count(b"\r\n") == original.count(b"\n"):
            newline = "\r\n"
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
        for folder in reversed(target.parents):
            if not folder.exists():
                folder.mkdir()
                made_dirs.append(folder)
    data = text.replace("\r\n", "\n").replace("\n", newline).encode("utf-8")
    # under the lock no other edit is running: a temporary here was left by one that was
    # killed outright (SIGKILL, a power cut), and is removed
    for stale in target.parent.glob(f".{glob.escape(target.name)}.*{_TEMPORARY_SUFFIX}"):
        stale.unlink(missing_ok=True)
    handle, name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=_TEMPORARY_SUFFIX, dir=target.parent
    )
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fchmod(out.fileno(), mode)
            os.fsync(out.fileno())
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return _Staged(path, target, temporary, original, mode)


def _swap_all(edit: Edit, staged: list[_Staged]) -> None:
    """Rename every temporary over its file with the signals held back."""
    display = edit.display
    blocked = _block_signals()
    renamed: list[_Staged] = []
    try:
        try:
            for item in staged:
                os.replace(item.temporary, item.target)
                renamed.append(item)
                checkpoint(f"renamed {display(item.path)}")
            for folder in {item.target.parent for item in staged}:
                _sync_folder(folder)
        except BaseException as error:
            _, lost = _put_back(renamed)
            failed = display(staged[len(renamed)].path) if len(renamed) < len(staged) else "?"
            if lost:
                raise EditFailed(
                    f"could not write {failed}: {error}; "
                    f"{', '.join(display(p) for p in lost)} could not be put back and "
                    "hold the new text; the others are unchanged",
                    "restore those files from version control (`git checkout -- FILE`)",
                ) from None
            if isinstance(error, OSError):
                raise EditFailed(
                    f"could not write {failed}: {error}; nothing was changed",
                    "fix the cause and run it again",
                ) from None
            raise
        edit.written = [item.path for item in staged]
        checkpoint("committed")
    finally:
        if blocked is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


def _put_back(renamed: list[_Staged]) -> tuple[list[Path], list[Path]]:
    restored: list[Path] = []
    lost: list[Path] = []
    for item in reversed(renamed):
        try:
            if item.original is None:
                item.target.unlink()
            else:
                handle, name = tempfile.mkstemp(
                    prefix=f".{item.target.name}.", suffix=_TEMPORARY_SUFFIX, dir=item.target.parent
                )
                with os.fdopen(handle, "wb") as out:
                    out.write(item.original)
                    os.fchmod(out.fileno(), item.mode)
                os.replace(name, item.target)
            restored.append(item.path)
        except OSError:
            lost.append(item.path)
    return restored, lost


def _sync_folder(folder: Path) -> None:
    try:
        handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        with suppress(OSError):
            os.fsync(handle)
    finally:
        os.close(handle)


def _remove_empty(folder: Path) -> None:
    with suppress(OSError):
        folder.rmdir()


def _block_signals() -> set[int | signal.Signals] | None:
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.pthread_sigmask(signal.SIG_BLOCK, _HELD_BACK)


def _raise_interrupted(signum: int, frame: FrameType | None) -> None:
    del frame
    raise Interrupted(signum)


@contextmanager
def _signals_raise() -> Iterator[None]:
    """SIGTERM and SIGHUP raise ``Interrupted`` inside the block (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, _raise_interrupted) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextmanager
def _locked(root: Path, wait: float, waiting: Callable[[str], None]) -> Iterator[None]:
    handle = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        deadline = time.monotonic() + wait
        told = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as error:
                if error.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
            if not told:
                waiting(f"waiting for another k8s-infra command editing {root} to finish")
                told = True
            if time.monotonic() >= deadline:
                raise EditFailed(
                    f"another k8s-infra command has been editing {root} for {wait:.0f} s; "
                    "nothing was changed",
                    "let it finish (or stop it), then run this again",
                )
            time.sleep(_POLL)
        yield
    finally:
        os.close(handle)  # releases the lock


@contextmanager
def editing(
    root: Path,
    *,
    wait: float = LOCK_WAIT,
    waiting: Callable[[str], None] = lambda line: None,
) -> Iterator[Edit]:
    """Hold the lock on ``root`` and turn signals into errors saying what changed."""
    edit = Edit(root)
    try:
        with _signals_raise(), _locked(root, wait, waiting):
            checkpoint("locked")
            yield edit
    except Interrupted as stop:
        raise EditFailed(
            f"interrupted by {signal.Signals(stop.signum).name}; {edit.changed()}",
            None if edit.written else "run it again",
            exit_code=128 + stop.signum,
        ) from None
    except KeyboardInterrupt:
        raise EditFailed(
            f"interrupted by SIGINT; {edit.changed()}",
            None if edit.written else "run it again",
            exit_code=128 + signal.SIGINT,
        ) from None
