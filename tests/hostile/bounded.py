"""Run the CLI on hostile input in a child process bounded in time and memory.

The child is forked from the test process (everything is imported
already, so a case costs milliseconds, not an interpreter start), limits
its own address space with ``RLIMIT_AS``, optionally gives up root's right
to read any file (to meet "permission denied" even when tests run as
root), runs the real CLI in-process and sends back its exit code and
output. The parent kills it when its time is up: a hang fails the case
instead of the suite.
"""

from __future__ import annotations

import json
import os
import resource
import select
import signal
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

SECONDS = 30.0
MEMORY = 768 * 1024 * 1024  # bytes of address space the child may add to what it has
# Capabilities that let root read and list what its modes forbid.
_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH = 1, 2
_CAPABILITY_VERSION_3 = 0x20080522


@dataclass(frozen=True)
class Run:
    exit_code: int | None  # None: killed at its deadline, or died
    stdout: str
    stderr: str
    seconds: float
    crash: str = ""  # an exception that escaped the CLI, or how the child died

    def lines_at(self, path: str) -> list[str]:
        """The problem lines naming ``path`` (``path:line:col: ...``)."""
        return [line for line in self.stderr.splitlines() if line.startswith(f"{path}:")]


def run_cli(
    args: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    seconds: float = SECONDS,
    memory: int = MEMORY,
    as_nobody: bool = False,
    before: Callable[[], None] | None = None,
) -> Run:
    """``k8s-infra ARGS`` in a bounded child; ``before`` runs in the child first."""
    read_end, write_end = os.pipe()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_end)
        _child(write_end, list(args), dict(env or {}), memory, as_nobody, before)
    os.close(write_end)
    raw, finished = _collect(read_end, started + seconds)
    os.close(read_end)
    if not finished:
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    elapsed = time.monotonic() - started
    if not finished:
        return Run(None, "", "", elapsed, f"killed after {seconds:g} s")
    try:
        data = json.loads(raw)
    except ValueError:
        return Run(None, "", "", elapsed, f"child died (status {status}): {raw[:200]!r}")
    return Run(data["exit"], data["stdout"], data["stderr"], elapsed, data["crash"])


def _collect(handle: int, deadline: float) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return b"".join(chunks), False
        ready, _, _ = select.select([handle], [], [], left)
        if not ready:
            continue
        chunk = os.read(handle, 1 << 16)
        if not chunk:
            return b"".join(chunks), True
        chunks.append(chunk)


def _child(
    handle: int,
    args: list[str],
    env: dict[str, str],
    memory: int,
    as_nobody: bool,
    before: Callable[[], None] | None,
) -> None:
    result: dict[str, Any] = {"exit": None, "stdout": "", "stderr": "", "crash": ""}
    try:
        os.environ.update(env)
        if before is not None:
            before()
        limit = _address_space() + memory
        if as_nobody and os.geteuid() == 0:
            _drop_file_overrides()
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        from typer.testing import CliRunner

        from infra.cli.app import app

        outcome = CliRunner().invoke(app, args, catch_exceptions=True)
        result.update(exit=outcome.exit_code, stdout=outcome.stdout, stderr=outcome.stderr)
        error = outcome.exception
        if error is not None and not isinstance(error, SystemExit):
            info = outcome.exc_info
            result["crash"] = "".join(traceback.format_exception(*info)) if info else repr(error)
    except BaseException as error:
        result["crash"] = "".join(traceback.format_exception(error))
    finally:
        try:
            data = memoryview(json.dumps(result).encode())
            while data:
                data = data[os.write(handle, data) :]
        finally:
            os._exit(0)


def _drop_file_overrides() -> None:
    """Give up CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH: root then meets file modes like
    anyone (a file of mode 0 is unreadable) while keeping its own files, the interpreter's
    included, readable as their owner."""
    import ctypes

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [
            ("effective", ctypes.c_uint32),
            ("permitted", ctypes.c_uint32),
            ("inheritable", ctypes.c_uint32),
        ]

    libc = ctypes.CDLL(None, use_errno=True)
    header = Header(_CAPABILITY_VERSION_3, 0)
    data = (Data * 2)()
    if libc.capget(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capget")
    mask = ~((1 << _CAP_DAC_OVERRIDE) | (1 << _CAP_DAC_READ_SEARCH)) & 0xFFFFFFFF
    data[0].effective &= mask
    data[0].permitted &= mask
    if libc.capset(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capset")


def _address_space() -> int:
    """The child's own address space now, in bytes (the limit is added to it)."""
    with open("/proc/self/status", "rb") as status:
        for line in status:
            if line.startswith(b"VmSize:"):
                return int(line.split()[1]) * 1024
    return 0
