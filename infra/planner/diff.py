"""What a plan would create, change, replace and delete compared with a base plan.

Resources are matched by URN. An update lists each changed input with its
old and new value (for lists and maps, the items added and removed too) and
the properties, if any, that make the provider replace the resource
(declared by the concerns, ``infra.planner.replacements``). Creates and
deletes carry their inputs.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from infra.planner import replacements
from infra.planner.labels import short_name

# Options compared besides inputs; reported as `option:<name>` keys, because
# dropping `protect` from a production bucket must show up in review.
OPTIONS = ("protect", "retain_on_delete", "provider", "parent", "depends_on")
OPTION_PREFIX = "option:"
Resource = Mapping[str, Any]


@dataclass(frozen=True)
class ValueChange:
    """One changed key: its whole values (None when absent) and, for lists and
    maps, the items added and removed (a map's items are its key/value pairs)."""

    key: str
    before: Any
    after: Any
    added: list[Any] | dict[str, Any] | None = None
    removed: list[Any] | dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"before": self.before, "after": self.after}
        if self.added is not None:
            data["added"] = self.added
            data["removed"] = self.removed
        return data


@dataclass(frozen=True)
class Create:
    urn: str
    name: str  # `component › Type name`
    type: str
    inputs: Mapping[str, Any]
    protect: bool = False
    retain_on_delete: bool = False


@dataclass(frozen=True)
class Update:
    urn: str
    keys: list[str]
    protect: tuple[bool, bool] | None = None  # (before, after) when protection changes
    name: str = ""
    type: str = ""
    changes: tuple[ValueChange, ...] = ()
    # properties that make the provider replace it; None when the type is not in the data
    replace: tuple[str, ...] | None = ()
    protected: bool = False  # protection before the change (what the engine checks)
    retain_on_delete: bool = False
    inputs: Mapping[str, Any] = field(default_factory=dict)
    base_inputs: Mapping[str, Any] = field(default_factory=dict)

    @property
    def replaced(self) -> bool:
        return bool(self.replace)


@dataclass(frozen=True)
class Delete:
    urn: str
    protect: bool
    retain_on_delete: bool
    name: str = ""
    type: str = ""
    inputs: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PlanDiff:
    stack: str
    base: str
    created: list[Create]
    update: list[Update]
    delete: list[Delete]
    inputs_unchanged: bool = False  # no file the stack reads differs: not replanned

    @property
    def create(self) -> list[str]:
        """The URNs created (what the JSON's `create` lists)."""
        return [c.urn for c in self.created]

    @property
    def empty(self) -> bool:
        return not (self.created or self.update or self.delete)

    @property
    def replace(self) -> list[Update]:
        return [u for u in self.update if u.replaced]

    def counts(self) -> dict[str, int]:
        replaced = len(self.replace)
        return {
            "create": len(self.created),
            "update": len(self.update) - replaced,
            "replace": replaced,
            "delete": len(self.delete),
        }

    def to_json(self) -> dict[str, Any]:
        """The documented keys (create, update, delete) with values added beside them."""
        return {
            "stack": self.stack,
            "base": self.base,
            "inputs_unchanged": self.inputs_unchanged,
            "counts": self.counts(),
            "create": self.create,
            "created": [
                {"urn": c.urn, "name": c.name, "type": c.type, "inputs": dict(c.inputs),
                 "protect": c.protect, "retain_on_delete": c.retain_on_delete}
                for c in self.created
            ],
            "update": [
                {"urn": u.urn, "keys": u.keys, "name": u.name, "type": u.type,
                 "values": {c.key: c.to_json() for c in u.changes},
                 "replace": list(u.replace) if u.replace is not None else None}
                for u in self.update
            ],
            "delete": [
                {"urn": d.urn, "protect": d.protect, "retain_on_delete": d.retain_on_delete,
                 "name": d.name, "type": d.type, "inputs": dict(d.inputs)}
                for d in self.delete
            ],
        }  # fmt: skip


def unchanged(stack: str, base_sha: str) -> PlanDiff:
    """The diff of a stack none of whose inputs differ between the two trees."""
    return PlanDiff(stack, base_sha, [], [], [], inputs_unchanged=True)


def diff_plans(base: dict[str, Any], head: dict[str, Any], base_sha: str) -> PlanDiff:
    before = {r["urn"]: r for r in base["resources"]}
    after = {r["urn"]: r for r in head["resources"]}
    create = [_create(after[urn], after) for urn in sorted(set(after) - set(before))]
    delete = [_delete(before[urn], before) for urn in sorted(set(before) - set(after))]
    update = []
    for urn in sorted(set(before) & set(after)):
        changed = _update(before[urn], after[urn], after)
        if changed is not None:
            update.append(changed)
    return PlanDiff(head["stack"], base_sha, create, update, delete)


def _create(resource: Resource, by_urn: Mapping[str, Resource]) -> Create:
    return Create(
        resource["urn"],
        short_name(resource, by_urn),
        resource["type"],
        resource["inputs"],
        bool(resource["protect"]),
        bool(resource["retain_on_delete"]),
    )


def _delete(resource: Resource, by_urn: Mapping[str, Resource]) -> Delete:
    return Delete(
        resource["urn"],
        bool(resource["protect"]),
        bool(resource["retain_on_delete"]),
        short_name(resource, by_urn),
        resource["type"],
        resource["inputs"],
    )


def _update(old: Resource, new: Resource, by_urn: Mapping[str, Resource]) -> Update | None:
    old_inputs, new_inputs = old["inputs"], new["inputs"]
    input_keys = sorted(k for k in set(old_inputs) | set(new_inputs)
                        if old_inputs.get(k) != new_inputs.get(k))  # fmt: skip
    options = [o for o in OPTIONS if old.get(o) != new.get(o)]
    if not input_keys and not options:
        return None
    changes = [value_change(k, old_inputs.get(k), new_inputs.get(k)) for k in input_keys]
    changes += [value_change(OPTION_PREFIX + o, old.get(o), new.get(o)) for o in options]
    forcing = replacements.forcing(new["type"], old_inputs, new_inputs)
    if forcing is not None and "provider" in options:
        forcing.append(replacements.PROVIDER_OPTION)
    protect = (bool(old["protect"]), bool(new["protect"]))
    return Update(
        urn=new["urn"],
        keys=input_keys + [OPTION_PREFIX + o for o in options],
        protect=protect if protect[0] != protect[1] else None,
        name=short_name(new, by_urn),
        type=new["type"],
        changes=tuple(changes),
        replace=tuple(forcing) if forcing is not None else None,
        protected=protect[0],
        retain_on_delete=bool(old["retain_on_delete"]),
        inputs=new_inputs,
        base_inputs=old_inputs,
    )


def value_change(key: str, before: Any, after: Any) -> ValueChange:
    """Old and new value, with the items added and removed when both are lists or maps."""
    if isinstance(before, list | None) and isinstance(after, list | None) and (before or after):
        old, new = before or [], after or []
        return ValueChange(key, before, after, minus(new, old), minus(old, new))
    if isinstance(before, dict | None) and isinstance(after, dict | None) and (before or after):
        old_map, new_map = before or {}, after or {}
        added = {k: v for k, v in new_map.items() if old_map.get(k, _ABSENT) != v}
        removed = {k: v for k, v in old_map.items() if new_map.get(k, _ABSENT) != v}
        if not _is_sentinel(before) and not _is_sentinel(after):
            return ValueChange(key, before, after, added, removed)
    return ValueChange(key, before, after)


_ABSENT = object()


def _is_sentinel(value: Any) -> bool:
    return isinstance(value, dict) and bool({"$secret", "$unknown", "$resource"} & set(value))


def minus(items: list[Any], others: list[Any]) -> list[Any]:
    """Items of ``items`` not in ``others``, as a multiset, in ``items``' order."""
    left = Counter(canonical(o) for o in others)
    found = []
    for item in items:
        key = canonical(item)
        if left[key]:
            left[key] -= 1
        else:
            found.append(item)
    return found


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True)
