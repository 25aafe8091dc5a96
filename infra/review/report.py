"""A diff as entries for people: one per changed resource, its head line and every
changed leaf (every input, for a resource created or deleted).

The same entries go to the terminal (each line coloured by its mark, every
value on one line, control characters escaped) and into the Markdown summary
(in ``diff`` blocks, which GitHub colours the same way)::

    + k8s-staging-images › Repository kueue
        format: DOCKER
        location: us-central1
    ~ registry-prod › Service archeio
        template.containers[0].image: …archeio@sha256:f5e8… → …archeio@sha256:1111…
    ~ k8s-staging-images › IAMBinding iam-viewer
        members: + group:k8s-infra-staging-kueue@kubernetes.io
    -/+ k8s-staging-images › Repository kueue  (replaced: location)
        location: us-central1 → europe-west1
    - k8s-staging-foo › Project project  [protected: `pulumi up` will fail]
        projectId: k8s-staging-foo
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from infra.planner.diff import OPTION_PREFIX, Create, Delete, PlanDiff, Update
from infra.planner.labels import SEPARATOR
from infra.review.escape import one_line
from infra.review.leaves import ABSENT, ADDED, REMOVED, WHOLE, Leaf, all_leaves, leaves, pair, show

CREATE, UPDATE, REPLACE, DELETE = "+", "~", "-/+", "-"
INDENT = "    "
# Order of priority: what a reviewer must see first.
PRIORITY = {REPLACE: 0, DELETE: 1, UPDATE: 2, CREATE: 3}


@dataclass(frozen=True)
class Line:
    text: str
    mark: str  # CREATE, UPDATE, REPLACE, DELETE, or "" for a value line
    component: str = ""  # the component the change belongs to (for grouping)


@dataclass(frozen=True)
class Entry:
    """One changed resource: its mark, names, note and value lines (one-line text)."""

    mark: str
    name: str  # `component › Type name`, escaped for one line
    note: str  # after the name: what is replaced, protection
    values: tuple[str, ...]

    @property
    def component(self) -> str:
        return component(self.name)

    @property
    def own(self) -> str:
        """The name without its component: what is alike across components."""
        _, separator, rest = self.name.partition(SEPARATOR)
        return rest if separator else self.name

    @property
    def kind(self) -> str:
        """The class name of its type (the first word of its own name)."""
        return self.own.split(" ", 1)[0]

    @property
    def head(self) -> str:
        return f"{self.mark} {self.name}{self.note}"

    def lines(self) -> list[str]:
        return [self.head, *(INDENT + v for v in self.values)]


def counts_text(diff: PlanDiff) -> str:
    if diff.inputs_unchanged:
        return "no changes (inputs unchanged)"
    if diff.empty:
        return "no changes"
    counts = diff.counts()
    return ", ".join(f"{n} to {kind}" for kind, n in counts.items() if n)


def entries(diff: PlanDiff) -> Iterator[Entry]:
    """Every change of a diff, in the diff's order (creates, updates, deletes)."""
    for create in diff.created:
        yield _create(create)
    for update in diff.update:
        yield _update(update)
    for delete in diff.delete:
        yield _delete(delete)


def change_lines(diff: PlanDiff) -> Iterator[Line]:
    """Every change of a diff, each followed by its values (the terminal's lines)."""
    for entry in entries(diff):
        yield Line(entry.head, entry.mark, entry.component)
        for value in entry.values:
            yield Line(INDENT + value, "", entry.component)


def component(name: str) -> str:
    """The component part of a short name (``-`` for top-level resources)."""
    head, separator, _ = name.partition(SEPARATOR)
    return head if separator else "-"


def _create(create: Create) -> Entry:
    values = tuple(f"{path}: {show(value, WHOLE)}" for path, value in all_leaves(create.inputs))
    notes = _notes(create.protect, create.retain_on_delete)
    return Entry(CREATE, one_line(create.name), notes, values)


def _update(update: Update) -> Entry:
    values = tuple(text for change in update.changes
                   for text in value_lines(change.key, change.before, change.after))  # fmt: skip
    if update.replaced:
        forced = ", ".join(update.replace or ())
        # called out like a deletion: the old resource goes (or stays, unmanaged)
        if update.protected:
            note = "  [protected: `pulumi up` will fail]"
        elif update.retain_on_delete:
            note = "  [kept on delete: the old one stays in the cloud]"
        else:
            note = ""
        return Entry(REPLACE, one_line(update.name), f"  (replaced: {forced}){note}", values)
    unchecked = "  (replacement not checked: type unknown)" if update.replace is None else ""
    return Entry(UPDATE, one_line(update.name), unchecked, values)


def _delete(delete: Delete) -> Entry:
    if delete.protect:
        note = "  [protected: `pulumi up` will fail]"
    elif delete.retain_on_delete:
        note = "  [kept in the cloud: retain_on_delete]"
    else:
        note = ""
    values = tuple(f"{path}: {show(value, WHOLE)}" for path, value in all_leaves(delete.inputs))
    return Entry(DELETE, one_line(delete.name), note, values)


def _notes(protect: bool, retain: bool) -> str:
    notes = [n for n, on in (("protected", protect), ("kept on delete", retain)) if on]
    return f"  [{', '.join(notes)}]" if notes else ""


def value_lines(key: str, before: Any, after: Any) -> Iterator[str]:
    """One line per changed leaf of one input: ``path: old → new``, and for a list of plain
    values one line per item added (``path: + item``) or removed (``path: - item``)."""
    if key.startswith(OPTION_PREFIX):
        old, new = pair(before, after)
        yield f"{key}: {old} → {new}"
        return
    old_value = ABSENT if before is None else before
    new_value = ABSENT if after is None else after
    for leaf in leaves(one_line(key), old_value, new_value):
        yield leaf_line(leaf)


def leaf_line(leaf: Leaf) -> str:
    if leaf.mark == REMOVED:
        return f"{leaf.path}: - {show(leaf.before, WHOLE)}"
    if leaf.mark == ADDED:
        return f"{leaf.path}: + {show(leaf.after, WHOLE)}"
    if isinstance(leaf.before, list) and isinstance(leaf.after, list):
        return f"{leaf.path}: the same items, in a new order"
    old, new = pair(leaf.before, leaf.after)
    return f"{leaf.path}: {old} → {new}"


def leaves_json(update: Update) -> list[dict[str, Any]]:
    """Every changed leaf of an update as JSON: ``path``, ``mark`` (``~``, or ``+``/``-``
    for an item of a list), and ``before``/``after`` where there is one."""
    found = []
    for change in update.changes:
        if change.key.startswith(OPTION_PREFIX):
            found.append({"path": change.key, "mark": "~", "before": change.before,
                          "after": change.after})  # fmt: skip
            continue
        old = ABSENT if change.before is None else change.before
        new = ABSENT if change.after is None else change.after
        found += [leaf.to_json() for leaf in leaves(change.key, old, new)]
    return found
