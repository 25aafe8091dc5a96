"""The policy pack's process, started as the Pulumi CLI starts it: it prints its port."""

from __future__ import annotations

import os
import select
import subprocess
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from tests.conftest import REPO

PACK = REPO / "policy-pack"


@contextmanager
def served_pack(
    command: list[str], env: Mapping[str, str] | None = None
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """Run ``command`` in the pack folder; the process and the port it serves on.

    The process is killed when the block ends, however it ends.
    """
    process = subprocess.Popen(
        command, cwd=PACK, env={**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], 60)
        assert ready, "the pack printed no port within a minute"
        port = process.stdout.readline().strip()
        assert port.isdigit(), process.stderr.read() if process.stderr else port
        yield process, port
    finally:
        process.kill()
        process.wait(timeout=10)
