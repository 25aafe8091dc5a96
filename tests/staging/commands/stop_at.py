"""Run ``k8s-infra ARGS...`` and stop (SIGSTOP) at one step of its edit.

    python stop_at.py LABEL LOG -- ARGS...

Every step label the edit reaches is appended to LOG, one a line; at LABEL
the process stops itself, so the test can send it a signal and continue it.
"""

from __future__ import annotations

import os
import signal
import sys

from infra.core import safe_write


def main() -> None:
    label, log = sys.argv[1], sys.argv[2]
    args = sys.argv[sys.argv.index("--") + 1 :]

    def step(where: str) -> None:
        with open(log, "a", encoding="utf-8") as out:
            out.write(where + "\n")
        if where == label:
            os.kill(os.getpid(), signal.SIGSTOP)

    safe_write.checkpoint = step
    from infra.cli.app import app

    app(args, prog_name="k8s-infra")


if __name__ == "__main__":
    main()
