"""A stand-in ``pulumi`` executable for the Automation API paths.

``install`` writes a small Python script named ``pulumi`` into a folder put
first on PATH. It answers what the Automation API asks (``version``,
``whoami``, ``stack select``, ``preview``, ``up``, ``stack output``,
``stack history``), writes engine events ending with a summary event (to the
event-log file, or over gRPC for CLIs newer than 3.205, as the real CLI
does), and records every call: its arguments, folder and the variables the
engine would read (adopt's id map included, as the program would read it).
What it answers comes from a JSON file beside it.

Given the program's resources (or an id map), it models the engine: each
resource's step is computed from the program's inputs, the live estate
(the program's inputs with ``live`` overrides) and the stack's state, kept
in a file between runs, and sent as the engine sends it, a
``resourcePreEvent`` and a ``resOutputsEvent`` with the operation, old and
new inputs, ``diffs``, ``detailedDiff`` (down to the leaves) and ``keys``.
An import whose live inputs differ from the program's is followed by an
update (or a replacement, for a property in ``replace_keys``) in the
current engine (3.174.0 and later, pulumi/pulumi#19339), and fails the run
in the older one. ``up`` applies the steps to the state and the live estate.
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


def engine_mode():
    # `current` (3.174.0 and later: import, then update) or `older` (import fails on a diff).
    if SETTINGS.get("engine"):
        return SETTINGS["engine"]
    major, minor = (int(x) for x in SETTINGS["version"].split(".")[:2])
    return "current" if (major, minor) >= (3, 174) else "older"


def world_path(stack):
    return HERE / f"world-{stack}.json"


def load_world(stack, program):
    # The live estate and the stack's state, kept between runs in the stand-in's folder.
    path = world_path(stack)
    if path.exists():
        return json.loads(path.read_text())
    drift = SETTINGS["live"].get(stack, {})
    live = {}
    for urn, resource in program.items():
        inputs = dict(resource.get("inputs") or {})
        for key, value in drift.get(urn, {}).items():
            if value is None:
                inputs.pop(key, None)
            else:
                inputs[key] = value
        live[urn] = inputs
    state = {urn: live[urn] for urn in SETTINGS["state"].get(stack, []) if urn in live}
    types = {urn: resource["type"] for urn, resource in program.items()}
    for orphan in SETTINGS["orphans"].get(stack, []):
        state[orphan["urn"]] = orphan.get("inputs") or {}
        live[orphan["urn"]] = orphan.get("inputs") or {}
        types[orphan["urn"]] = orphan["type"]
    return {"live": live, "state": state, "types": types}


def type_of_urn(urn):
    return urn.split("::")[2].rsplit("$", 1)[-1]


def leaf_diff(old, new, path, found, replace_keys, top):
    # Property paths that differ, down to the leaves, as a provider's detailed diff.
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new)):
            sub = f"{path}.{key}" if path else key
            if key not in old:
                found[sub] = "add"
            elif key not in new:
                found[sub] = "delete"
            else:
                leaf_diff(old[key], new[key], sub, found, replace_keys, top)
        return
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for i, (a, b) in enumerate(zip(old, new)):
            leaf_diff(a, b, f"{path}[{i}]", found, replace_keys, top)
        return
    if old != new:
        found[path] = "update"


def diff(old, new, replace_keys):
    found = {}
    leaf_diff(old, new, "", found, replace_keys, True)
    detailed = {}
    for path, kind in found.items():
        top = path.split(".")[0].split("[")[0]
        detailed[path] = kind + ("-replace" if top in replace_keys else "")
    tops = sorted({p.split(".")[0].split("[")[0] for p in found})
    return tops, detailed, sorted(k for k in tops if k in replace_keys)


def state_of(urn, type_, inputs, custom=True):
    return {"type": type_, "urn": urn, "id": "", "parent": "", "provider": "",
            "custom": custom, "inputs": inputs, "outputs": inputs}


def step(op, urn, type_, old=None, new=None, custom=True, diffs=None, detailed=None, keys=None):
    return {"op": op, "urn": urn, "type": type_, "provider": "",
            "old": state_of(urn, type_, old, custom) if old is not None else None,
            "new": state_of(urn, type_, new, custom) if new is not None else None,
            "diffs": diffs or [], "detailedDiff": {
                k: {"diffKind": v, "inputDiff": False} for k, v in (detailed or {}).items()},
            "keys": keys or [], "logical": True}


def modeled_steps(kind, stack, imports, targets):
    # Every step of a preview or update, from the program, the live estate and the state.
    program = {r["urn"]: r for r in SETTINGS["resources"].get(stack, [])}
    for urn in imports:  # an id map names resources the test did not list: typed by their URN
        program.setdefault(urn, {"urn": urn, "type": type_of_urn(urn), "custom": True,
                                 "inputs": {}})
    world = load_world(stack, program)
    replace_keys = SETTINGS["replace_keys"].get(stack, {})
    steps, failures = [], []
    for urn, resource in program.items():
        if targets and urn not in targets:
            continue
        type_, custom = resource["type"], resource.get("custom", True)
        wanted = dict(resource.get("inputs") or {})
        keys = replace_keys.get(urn, [])
        if urn in world["state"]:
            old = world["state"][urn]
            tops, detailed, forced = diff(old, wanted, keys)
            if not tops:
                steps.append(step("same", urn, type_, old, wanted, custom))
            elif forced:
                for op in ("create-replacement", "replace", "delete-replaced"):
                    steps.append(step(op, urn, type_, old, wanted, custom, tops, detailed, forced))
            else:
                steps.append(step("update", urn, type_, old, wanted, custom, tops, detailed))
            continue
        if urn in imports:
            live = world["live"].get(urn, wanted)
            steps.append(step("import", urn, type_, None, live, custom))
            tops, detailed, forced = diff(live, wanted, keys)
            if tops and engine_mode() == "older":
                failures.append((urn, type_, tops))
            elif forced:
                for op in ("create-replacement", "replace", "delete-replaced"):
                    steps.append(step(op, urn, type_, live, wanted, custom, tops, detailed, forced))
            elif tops:
                steps.append(step("update", urn, type_, live, wanted, custom, tops, detailed))
            continue
        steps.append(step("create", urn, type_, None, wanted, custom))
    for urn, old in world["state"].items():
        if urn not in program and (not targets or urn in targets):
            steps.append(step("delete", urn, world["types"][urn], old, None))
    return world, steps, failures


def apply_steps(stack, world, steps):
    for s in steps:
        urn = s["urn"]
        if s["op"] in ("import", "create", "update", "replace", "same"):
            world["state"][urn] = s["new"]["inputs"]
            world["live"][urn] = s["new"]["inputs"]
        elif s["op"] == "delete":
            world["state"].pop(urn, None)
            world["live"].pop(urn, None)
    world_path(stack).write_text(json.dumps(world))


COUNTED = ("same", "create", "update", "delete", "replace", "import")


def operation(kind, stack):
    failure = SETTINGS["fail"].get(stack)
    imports = read_imports(os.environ.get("K8S_INFRA_IMPORTS")) or {}
    if imports and kind == "preview":
        failure = failure or SETTINGS["fail_imports"].get(stack)
    if failure:
        if "--event-log" in ARGS:
            # the operation started and failed: the CLI still ends its log with a cancel
            # event, which is what stops the Automation API's log watcher
            send_events(value_of("--event-log"),
                        [{"preludeEvent": {"config": {}}}, {"cancelEvent": {}}])
        sys.stderr.write(failure + "\n")
        sys.exit(255)
    targets = {ARGS[i + 1] for i, a in enumerate(ARGS) if a == "--target"}
    resource_events = []
    if stack in SETTINGS["resources"] or imports or stack in SETTINGS["state"]:
        world, steps, failures = modeled_steps(kind, stack, imports, targets)
        if failures:  # the older engine: an import whose inputs differ fails the run
            events = [{"preludeEvent": {"config": {}}}]
            for urn, type_, tops in failures:
                name = urn.rsplit("::", 1)[-1]
                print(f"    = {type_} {name} import [diff: " + ",".join("~" + t for t in tops)
                      + "]; 1 error")
                events.append({"diagnosticEvent": {
                    "urn": urn, "prefix": "error: ", "color": "never", "severity": "error",
                    "message": "inputs to import do not match the existing resource; "
                               "importing this resource will fail\n"}})
            events.append({"cancelEvent": {}})
            if "--event-log" in ARGS:
                send_events(value_of("--event-log"), events)
            sys.stderr.write("error: inputs to import do not match the existing resource; "
                             "importing this resource will fail\n")
            sys.exit(255)
        changes = {}
        for s in steps:
            if s["op"] in COUNTED:
                changes[s["op"]] = changes.get(s["op"], 0) + 1
        planning = kind == "preview"
        for s in steps:
            resource_events.append({"resourcePreEvent": {"metadata": s, "planning": planning}})
            resource_events.append({"resOutputsEvent": {"metadata": s, "planning": planning}})
        if kind == "up":
            apply_steps(stack, world, steps)
    else:
        changes = SETTINGS["changes"].get(stack, {"same": 3})
    for op, count in sorted(changes.items()):
        print(f"    {op}: {count}")
    events = [
        {"preludeEvent": {"config": {}}},
        *resource_events,
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
    # The modelled engine: "current" (3.174.0 and later: an import whose inputs
    # differ is followed by an update) or "older" (the import fails); by default
    # the version decides.
    engine: str = ""
    # The program's resources per stack (as the offline plan lists them: urn,
    # type, custom, inputs); with them, or with an id map, every run emits a
    # step per resource (resourcePreEvent and resOutputsEvent) and counts them.
    resources: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # Live values that differ from the program's, per stack and URN (None: unset live).
    live: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    # Properties whose change forces a replacement, per stack and URN.
    replace_keys: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    # URNs already in the stack's state (an adopted stack).
    state: dict[str, list[str]] = field(default_factory=dict)
    # Resources in the state the program no longer declares: {urn, type, inputs}.
    orphans: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    whoami_error: str = ""
    outputs: dict[str, Any] = field(default_factory=dict)

    def save(self) -> None:
        settings = {
            "version": self.version,
            "stacks": list(self.stacks),
            "changes": self.changes,
            "fail": self.fail,
            "fail_imports": self.fail_imports,
            "engine": self.engine,
            "resources": self.resources,
            "live": self.live,
            "replace_keys": self.replace_keys,
            "state": self.state,
            "orphans": self.orphans,
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
