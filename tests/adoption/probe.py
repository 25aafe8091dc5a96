"""Runs a stack's program under the planner's mock monitor and prints the import ids
the engine would receive: ``python -m tests.adoption.probe STACK ROOT`` (the map is
named by K8S_INFRA_IMPORTS, as adopt names it). A subprocess keeps the SDK's global
state out of the test worker."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from infra.planner import child
from infra.planner.recorder import RecordingMonitor

SEEN: dict[str, str] = {}


class ImportRecordingMonitor(RecordingMonitor):
    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        if request.importId:
            SEEN[response.urn] = request.importId
        return response


def main() -> None:
    stack, root = sys.argv[1], Path(sys.argv[2])
    setattr(child, "RecordingMonitor", ImportRecordingMonitor)  # noqa: B010 - the child names it
    plan = child.plan(stack, root, root)
    protected = {r["urn"]: r["protect"] for r in plan["resources"]}
    print(json.dumps({"imports": SEEN, "protect": protected}))


if __name__ == "__main__":
    main()
