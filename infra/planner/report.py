"""A diff as lines for people: one line per change, then its values, indented.

The same lines go to the terminal (coloured by their mark) and into the
Markdown summary (in ``diff`` blocks, which GitHub colours the same way)::

    + k8s-staging-images › Repository kueue
        format: DOCKER
    ~ k8s-staging-images › IAMBinding iam-viewer
        members: + group:k8s-infra-staging-kueue@kubernetes.io
    -/+ k8s-staging-images › Repository kueue  (replaced: location)
        location: us-central1 → europe-west1
    - k8s-staging-foo › Project project  [protected: `pulumi up` will fail]
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from infra.planner.diff import Create, Delete, PlanDiff, Update, ValueChange
from infra.planner.labels import key_inputs, show

CREATE, UPDATE, REPLACE, DELETE = "+", "~", "-/+", "-"
INDENT = "    "


@dataclass(frozen=True)
class Line:
    text: str
    mark: str  # CREATE, UPDATE, REPLACE, DELETE, or "" for a value line
    component: str = ""  # the component the change belongs to (for grouping)


def counts_text(diff: PlanDiff) -> str:
    if diff.inputs_unchanged:
        return "no changes (inputs unchanged)"
    if diff.empty:
        return "no changes"
    counts = diff.counts()
    return ", ".join(f"{n} to {kind}" for kind, n in counts.items() if n)


def change_lines(diff: PlanDiff) -> Iterator[Line]:
    """Every change of a diff, each followed by its values."""
    for create in diff.created:
        yield from _create_lines(create)
    for update in diff.update:
        yield from _update_lines(update)
    for delete in diff.delete:
        yield from _delete_lines(delete)


def component(name: str) -> str:
    """The component part of a short name (``-`` for top-level resources)."""
    head, separator, _ = name.partition(" › ")
    return head if separator else "-"


def _create_lines(create: Create) -> Iterator[Line]:
    notes = _notes(create.protect, create.retain_on_delete)
    yield Line(f"{CREATE} {create.name}{notes}", CREATE, component(create.name))
    for key, value in key_inputs(create.inputs).items():
        yield Line(f"{INDENT}{key}: {show(value)}", "", component(create.name))


def _update_lines(update: Update) -> Iterator[Line]:
    where = component(update.name)
    if update.replaced:
        forced = ", ".join(update.replace or ())
        # called out like a deletion: the old resource goes (or stays, unmanaged)
        if update.protected:
            note = "  [protected: `pulumi up` will fail]"
        elif update.retain_on_delete:
            note = "  [kept on delete: the old one stays in the cloud]"
        else:
            note = ""
        yield Line(f"{REPLACE} {update.name}  (replaced: {forced}){note}", REPLACE, where)
    else:
        unchecked = "  (replacement not checked: type unknown)" if update.replace is None else ""
        yield Line(f"{UPDATE} {update.name}{unchecked}", UPDATE, where)
    for change in update.changes:
        for text in value_lines(change):
            yield Line(f"{INDENT}{text}", "", where)


def _delete_lines(delete: Delete) -> Iterator[Line]:
    if delete.protect:
        note = "  [protected: `pulumi up` will fail]"
    elif delete.retain_on_delete:
        note = "  [kept in the cloud: retain_on_delete]"
    else:
        note = ""
    yield Line(f"{DELETE} {delete.name}{note}", DELETE, component(delete.name))


def _notes(protect: bool, retain: bool) -> str:
    notes = [n for n, on in (("protected", protect), ("kept on delete", retain)) if on]
    return f"  [{', '.join(notes)}]" if notes else ""


def value_lines(change: ValueChange) -> Iterator[str]:
    """``key: old → new``; for lists and maps, one line per item added or removed."""
    if isinstance(change.added, list) and isinstance(change.removed, list):
        yield from _list_lines(change)
    elif isinstance(change.added, dict) and isinstance(change.removed, dict):
        yield from _map_lines(change.key, change.removed, change.added)
    else:
        yield f"{change.key}: {_shown(change.before)} → {_shown(change.after)}"


def _list_lines(change: ValueChange) -> Iterator[str]:
    added, removed = change.added or [], change.removed or []
    if not added and not removed:
        yield f"{change.key}: the same items, in a new order"
        return
    for item in removed:
        yield f"{change.key}: - {show(item)}"
    for item in added:
        yield f"{change.key}: + {show(item)}"


def _map_lines(key: str, removed: dict[str, Any], added: dict[str, Any]) -> Iterator[str]:
    for entry in sorted(set(removed) | set(added)):
        if entry in removed and entry in added:
            yield f"{key}.{entry}: {show(removed[entry])} → {show(added[entry])}"
        elif entry in added:
            yield f"{key}.{entry}: + {show(added[entry])}"
        else:
            yield f"{key}.{entry}: - {show(removed[entry])}"


def _shown(value: Any) -> str:
    return "(none)" if value is None else show(value)
