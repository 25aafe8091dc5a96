"""A stand-in ``pulumi`` executable for the Automation API paths.

``install`` writes a small Python script named ``pulumi`` into a folder put
first on PATH. It answers what the Automation API asks (``version``,
``whoami``, ``stack select``, ``preview``, ``up``, ``stack output``,
``stack history``), writes engine events ending with a summary event (to the
event-log file, or over gRPC for CLIs newer than 3.205, as the real CLI
does), and records every call: its arguments, folder and the variables the
engine would read (adopt's id map included, as the program would read it).
What it answers comes from a JSON file beside it.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCRIPT = r"""
import json, os, sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SETTINGS = json.loads((HERE / "pulumi.json").read_text())
ARGS = [a for a in sys.argv[1:] if a != "--non-interactive"]


def value_of(flag):
    return ARGS[ARGS.index(flag) + 1] if flag in ARGS else None


def read_imports(path):
    if not path or not os.path.exists(path):
        return None
    return json.loads(Path(path).read_text())


def record():
    entry = {
        "args": ARGS,
        "cwd": os.getcwd(),
        "root": os.environ.get("K8S_INFRA_ROOT"),
        "backend": os.environ.get("PULUMI_BACKEND_URL"),
        # the id map adopt names for this run, and what it held when the program ran
        "imports": os.environ.get("K8S_INFRA_IMPORTS"),
        "imports_map": read_imports(os.environ.get("K8S_INFRA_IMPORTS")),
    }
    config = value_of("--policy-pack-config")
    if config:  # read now: the file lives only as long as the run
        entry["policy_config"] = json.loads(Path(config).read_text())
    with open(HERE / "calls.jsonl", "a") as calls:
        calls.write(json.dumps(entry) + "\n")


def send_events(target, events):
    lines = [json.dumps({"sequence": i, "timestamp": 0, **e}) for i, e in enumerate(events, 1)]
    if target.startswith("tcp://"):
        import grpc
        from pulumi.runtime.proto import events_pb2, events_pb2_grpc

        with grpc.insecure_channel(target.removeprefix("tcp://")) as channel:
            stub = events_pb2_grpc.EventsStub(channel)
            stub.StreamEvents(iter([events_pb2.EventRequest(event=line) for line in lines]))
    else:
        with open(target, "a") as log:
            log.write("".join(line + "\n" for line in lines))


def operation(kind, stack):
    failure = SETTINGS["fail"].get(stack)
    if os.environ.get("K8S_INFRA_IMPORTS") and kind == "preview":
        failure = failure or SETTINGS["fail_imports"].get(stack)
    if failure:
        sys.stderr.write(failure + "\n")
        sys.exit(255)
    changes = SETTINGS["changes"].get(stack, {"same": 3})
    for op, count in sorted(changes.items()):
        print(f"    {op}: {count}")
    events = [
        {"preludeEvent": {"config": {}}},
        {"summaryEvent": {"maybeCorrupt": False, "durationSeconds": 1,
                          "resourceChanges": changes, "PolicyPacks": {}}},
        {"cancelEvent": {}},
    ]
    if "--event-log" in ARGS:
        send_events(value_of("--event-log"), events)
    if kind == "up":
        (HERE / f"last-up-{stack}.json").write_text(json.dumps(changes))


def history(stack):
    path = HERE / f"last-up-{stack}.json"
    changes = json.loads(path.read_text()) if path.exists() else {}
    return [{"kind": "update", "startTime": "2024-01-01T00:00:00.000Z",
             "endTime": "2024-01-01T00:00:01.000Z", "message": "", "environment": {},
             "config": {}, "result": "succeeded", "version": 1,
             "resourceChanges": changes}]


def main():
    record()
    stack = value_of("--stack")
    words = [a for a in ARGS if not a.startswith("-")]
    if words[:1] == ["version"]:
        print("v" + SETTINGS["version"])
    elif words[:1] == ["whoami"]:
        if SETTINGS["whoami_error"]:
            sys.stderr.write(SETTINGS["whoami_error"] + "\n")
            sys.exit(255)
        print(json.dumps({"user": "ci", "url": os.environ.get("PULUMI_BACKEND_URL", "")}))
    elif words[:2] == ["stack", "select"]:
        if stack not in SETTINGS["stacks"]:
            sys.stderr.write(f"error: no stack named '{stack}' found\n")
            sys.exit(255)
    elif words[:1] in (["preview"], ["up"]):
        operation(words[0], stack)
    elif words[:2] == ["stack", "output"]:
        print(json.dumps(SETTINGS["outputs"]))
    elif words[:2] == ["stack", "history"]:
        print(json.dumps(history(stack)))
    else:
        sys.stderr.write("stand-in: unexpected call " + " ".join(ARGS) + "\n")
        sys.exit(2)


main()
"""

ALL_STACKS = (
    "groups",
    "registry-mirrors",
    "registry-prod",
    "registry-sandbox",
    "staging",
    "staging-images",
)


@dataclass
class StandIn:
    """The stand-in's folder, its settings, and what it was asked."""

    folder: Path
    version: str = "3.200.0"  # event-log file; the gRPC stream is tested too
    stacks: tuple[str, ...] = ALL_STACKS
    changes: dict[str, dict[str, int]] = field(default_factory=dict)
    fail: dict[str, str] = field(default_factory=dict)
    # failures of an import preview only (an input differs from the live resource)
    fail_imports: dict[str, str] = field(default_factory=dict)
    whoami_error: str = ""
    outputs: dict[str, Any] = field(default_factory=dict)

    def save(self) -> None:
        settings = {
            "version": self.version,
            "stacks": list(self.stacks),
            "changes": self.changes,
            "fail": self.fail,
            "fail_imports": self.fail_imports,
            "whoami_error": self.whoami_error,
            "outputs": self.outputs,
        }
        (self.folder / "pulumi.json").write_text(json.dumps(settings))

    def env(self) -> dict[str, str]:
        """The environment that puts the stand-in first on PATH."""
        return {
            "PATH": f"{self.folder}{os.pathsep}{os.environ['PATH']}",
            "K8S_INFRA_PULUMI_ROOT": "",
            "PULUMI_HOME": str(self.folder.parent / "pulumi-home"),
        }

    def calls(self) -> list[dict[str, Any]]:
        log = self.folder / "calls.jsonl"
        if not log.exists():
            return []
        return [json.loads(line) for line in log.read_text().splitlines()]

    def operations(self) -> list[tuple[str, str]]:
        """(operation, stack) of every preview and up, in order."""
        found = []
        for call in self.calls():
            args = call["args"]
            if args and args[0] in ("preview", "up"):
                found.append((args[0], args[args.index("--stack") + 1]))
        return found

    def targets(self, operation: str, stack: str) -> list[str]:
        """The ``--target`` URNs of the last ``operation`` on ``stack``."""
        call = self.last(operation, stack)
        args = call["args"]
        return [args[i + 1] for i, arg in enumerate(args) if arg == "--target"]

    def last(self, operation: str, stack: str) -> dict[str, Any]:
        matching = [
            c
            for c in self.calls()
            if c["args"][:1] == [operation] and c["args"][c["args"].index("--stack") + 1] == stack
        ]
        assert matching, f"no `{operation}` of {stack} in {self.operations()}"
        return matching[-1]


def install(tmp_path: Path, **settings: Any) -> StandIn:
    folder = tmp_path / "stand-in-bin"
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "pulumi"
    script.write_text(f"#!{sys.executable}\n{SCRIPT}")
    script.chmod(0o755)
    stand_in = StandIn(folder, **settings)
    stand_in.save()
    return stand_in
