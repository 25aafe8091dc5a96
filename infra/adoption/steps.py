"""What an import preview would do, resource by resource, read from the engine's steps.

A preview's counts cannot tell an import from an import the engine follows
with an update: since Pulumi 3.174.0 an import whose inputs differ from the
live resource no longer fails, the engine imports it and then updates it to
match the program (pulumi/pulumi#19339). So adopt reads every step (the
Automation API's ``resourcePreEvent``: operation, old and new inputs,
``diffs`` and ``detailedDiff``) and sorts each resource into one verdict:

- **fine**: imported, created where the adoption table calls the creation
  idempotent (or no cloud object: components, providers, the stack), same,
  or read;
- **difference**: updated (after its import, or already in the state): each
  differing input is listed, the live value and the program's; a reviewed
  acceptance (``infra.adoption.accepted``) may let it through;
- **refused**: replaced, deleted, or created although the table imports its
  type (a second one, or a failure on "already exists"); never accepted.

No Pulumi import here: the steps are plain ``EngineStep`` records.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from infra.adoption.ids import rules
from infra.declarations.resources import Created, Imported
from infra.engines import EngineStep

Verdict = Literal["fine", "difference", "refused"]

FINE_OPS = frozenset({"same", "read", "import", "refresh"})
UPDATE_OPS = frozenset({"update"})
# Every operation that takes a live resource away, in whole or in part.
REPLACE_OPS = frozenset(
    {"replace", "create-replacement", "delete-replaced", "import-replacement", "read-replacement"}
)
DELETE_OPS = frozenset({"delete", "discard", "discard-replaced", "remove-pending-replace"})
STACK_TYPE = "pulumi:pulumi:Stack"
ABSENT = object()
SHOWN_STRUCTURE = 400


@dataclass(frozen=True)
class PropertyChange:
    """One differing input: its path, the kind of change, the live and program values."""

    path: str
    kind: str
    live: Any
    program: Any

    def line(self) -> str:
        return f"{self.path}: {_show(self.live)} → {_show(self.program)} ({self.kind})"


@dataclass(frozen=True)
class ResourceVerdict:
    """Every step of one resource, and what adopt makes of them."""

    urn: str
    type: str
    ops: tuple[str, ...]
    verdict: Verdict
    why: str
    changes: tuple[PropertyChange, ...] = ()

    @property
    def name(self) -> str:
        return self.urn.rsplit("::", 1)[-1]

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(c.path for c in self.changes)

    def describe(self) -> str:
        return f"{self.name} ({self.type}): {' then '.join(self.ops)}: {self.why}"


def is_logical(step: EngineStep) -> bool:
    """No cloud object: a component, a provider, the stack itself."""
    return (
        step.custom is False or step.type == STACK_TYPE or step.type.startswith("pulumi:providers:")
    )


def classify(steps: Sequence[EngineStep]) -> list[ResourceVerdict]:
    """One verdict per resource the steps name, in the order the engine first named it."""
    by_urn: dict[str, list[EngineStep]] = {}
    for step in steps:
        by_urn.setdefault(step.urn, []).append(step)
    return [_verdict(urn, group) for urn, group in by_urn.items()]


def _verdict(urn: str, steps: list[EngineStep]) -> ResourceVerdict:  # noqa: PLR0911
    ops = tuple(dict.fromkeys(s.op for s in steps))
    type_ = steps[0].type
    imported = "import" in ops
    replaced = [s for s in steps if s.op in REPLACE_OPS]
    deleted = [s for s in steps if s.op in DELETE_OPS]
    updated = [s for s in steps if s.op in UPDATE_OPS]
    if replaced:
        return ResourceVerdict(
            urn, type_, ops, "refused", "replaced: the live resource would be deleted and made "
            "again", _changes(replaced),
        )  # fmt: skip
    if deleted:
        return ResourceVerdict(
            urn, type_, ops, "refused", "deleted: the program does not declare it", ()
        )
    if updated:
        why = (
            "imported, then updated to match the program"
            if imported
            else "updated to match the program"
        )
        return ResourceVerdict(urn, type_, ops, "difference", why, _changes(updated))
    if "create" in ops:
        creating = next(s for s in steps if s.op == "create")
        if is_logical(creating):
            return ResourceVerdict(urn, type_, ops, "fine", "no cloud object")
        rule = rules().get(type_)
        if isinstance(rule, Created):
            return ResourceVerdict(urn, type_, ops, "fine", "created idempotently")
        return ResourceVerdict(
            urn, type_, ops, "refused",
            "created, but the adoption table imports this type: a second one, or a failure "
            "on `already exists` (is it missing from the id map?)",
        )  # fmt: skip
    unknown = [op for op in ops if op not in FINE_OPS]
    if unknown:
        return ResourceVerdict(
            urn, type_, ops, "refused", "an operation adopt does not know: " + ", ".join(unknown)
        )
    return ResourceVerdict(urn, type_, ops, "fine", "imported" if imported else ops[0])


def _changes(steps: Iterable[EngineStep]) -> tuple[PropertyChange, ...]:
    """Each differing input of the steps: the detailed diff's paths, else the diffs' keys."""
    found: dict[str, PropertyChange] = {}
    for step in steps:
        old = {**(step.old_outputs or {}), **(step.old_inputs or {})}
        new = step.new_inputs or {}
        detailed = dict(step.detailed_diff) or {key: "update" for key in step.diffs}
        for key in step.keys:  # keys forcing a replacement, when no detail names them
            detailed.setdefault(key, "update-replace")
        for path, kind in sorted(detailed.items()):
            parts = property_path(path)
            found.setdefault(
                path, PropertyChange(path, kind, _lookup(old, parts), _lookup(new, parts))
            )
    return tuple(found.values())


_SEGMENT = re.compile(r'\["((?:[^"\\]|\\.)*)"\]|\[(\d+|\*)\]|\.?([^.\[\]]+)')


def property_path(path: str) -> tuple[str | int, ...]:
    """``a.b[0]["c.d"]`` as ``("a", "b", 0, "c.d")``: the engine's property paths."""
    parts: list[str | int] = []
    for quoted, index, plain in _SEGMENT.findall(path):
        if quoted:
            parts.append(quoted.replace('\\"', '"'))
        elif index:
            parts.append(int(index) if index.isdigit() else index)
        else:
            parts.append(plain)
    return tuple(parts)


def covers(accepted: str, path: str) -> bool:
    """An accepted property covers itself and every path below it."""
    mine, theirs = property_path(accepted), property_path(path)
    return theirs[: len(mine)] == mine


def _lookup(values: Any, parts: tuple[str | int, ...]) -> Any:
    for part in parts:
        in_mapping = isinstance(values, Mapping) and part in values
        in_list = isinstance(values, list) and isinstance(part, int) and part < len(values)
        if not (in_mapping or in_list):
            return ABSENT
        values = values[part]
    return values


def _show(value: Any) -> str:
    if value is ABSENT:
        return "(absent)"
    text = json.dumps(value, sort_keys=True, default=str)
    # a value is shown whole; only a structure past this length is cut (its leaves differ too)
    if isinstance(value, (dict, list)) and len(text) > SHOWN_STRUCTURE:
        return text[: SHOWN_STRUCTURE - 3] + "..."
    return text


def report_lines(verdicts: Sequence[ResourceVerdict]) -> list[str]:
    """Each resource that is not fine, with each differing input, live → program."""
    lines: list[str] = []
    for verdict in verdicts:
        if verdict.verdict == "fine":
            continue
        lines.append(f"  {verdict.urn}")
        lines.append(f"    {' then '.join(verdict.ops)}: {verdict.why}")
        if verdict.changes:
            lines.extend(f"      {change.line()}" for change in verdict.changes)
        elif verdict.verdict == "difference":
            lines.append("      (the engine named no property)")
    return lines


def changing(verdicts: Sequence[ResourceVerdict]) -> list[ResourceVerdict]:
    """The resources an ordinary update changes in place, replaces or deletes."""
    touching = UPDATE_OPS | REPLACE_OPS | DELETE_OPS
    return [v for v in verdicts if touching & set(v.ops)]


def not_routine(verdicts: Sequence[ResourceVerdict]) -> list[ResourceVerdict]:
    """Replacements and deletions of live objects the adoption table imports.

    Such an object existed before the stack (or cannot be made again
    unseen): losing it is never routine, whatever the update's other steps.
    """
    imported = rules()
    return [
        v
        for v in verdicts
        if (REPLACE_OPS | DELETE_OPS) & set(v.ops) and isinstance(imported.get(v.type), Imported)
    ]


def counts(verdicts: Sequence[ResourceVerdict]) -> dict[str, int]:
    found: dict[str, int] = {}
    for verdict in verdicts:
        found[verdict.verdict] = found.get(verdict.verdict, 0) + 1
    return found
