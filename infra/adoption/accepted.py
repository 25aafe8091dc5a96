"""Differences from the live estate that the approvers accepted: a reviewed file.

``stacks/accepted-differences.yaml`` lists, per resource (its URN), the
input properties whose live value the adoption's update may change to the
program's, each entry with the reason the review gave::

    accepted:
      - urn: urn:pulumi:registry-prod::k8s-infra::...::registry-proxy-us-central1
        properties: [template.containers]
        reason: archeio is pulled from Artifact Registry (docs/design/differences.md)

A property covers itself and every path below it (``template`` covers
``template.containers[0].image``). adopt goes on only when every
difference its import preview finds is covered, and names the accepted
ones that did not occur. A replacement or a deletion is never accepted:
no entry can name one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from infra.adoption.steps import ResourceVerdict, covers
from infra.core.fields import Fields
from infra.core.located_yaml import load_yaml
from infra.core.problems import Position, Problems

ACCEPTED_FILE = Path("stacks") / "accepted-differences.yaml"
URN = re.compile(r"urn:pulumi:[A-Za-z0-9_.-]+::[A-Za-z0-9_.-]+::\S+::\S+")
ENTRY_KEYS = {
    "urn": "the resource's URN, as adopt prints it",
    "properties": "the input properties accepted (a path covers every path below it)",
    "reason": "why the live value may change: the review's reason",
}


@dataclass(frozen=True)
class Acceptance:
    urn: str
    properties: tuple[str, ...]
    reason: str
    position: Position | None = field(default=None, compare=False)

    @property
    def stack(self) -> str:
        return self.urn.split("::", 1)[0].removeprefix("urn:pulumi:")


@dataclass(frozen=True)
class Judgement:
    """The differences found, against those accepted."""

    unaccepted: tuple[ResourceVerdict, ...]  # refused, or with a property no entry covers
    accepted: tuple[ResourceVerdict, ...]
    not_occurred: tuple[tuple[str, str], ...]  # (urn, property) accepted, not found

    @property
    def may_proceed(self) -> bool:
        return not self.unaccepted


def accepted_path(root: Path) -> Path:
    """Beside the stack files (this code's, for an upstream checkout as the data root)."""
    from infra.declarations.layout import stacks_root

    return stacks_root(root) / ACCEPTED_FILE


def read_accepted(path: Path, display: str, problems: Problems) -> list[Acceptance]:
    """Every entry of the file (none when it does not exist); problems as everywhere."""
    if not path.exists() and not path.is_symlink():
        return []
    document = load_yaml(path, display, problems)
    if document is None:
        return []
    fields = Fields.of(document, problems)
    top = fields.mapping(document.data or {}, (), allowed={"accepted": "the accepted entries"})
    if top is None:
        return []
    found: list[Acceptance] = []
    seen: set[str] = set()
    for index, entry in enumerate(fields.sequence(top.get("accepted"), ("accepted",))):
        where = ("accepted", index)
        what = f"accepted entry {index + 1}"
        item = fields.mapping(entry, where, allowed=ENTRY_KEYS, required=ENTRY_KEYS, what=what)
        if item is None:
            continue
        if not set(ENTRY_KEYS) <= set(item):
            continue  # reported by `mapping`
        urn = fields.text(item["urn"], (*where, "urn"), URN, "a Pulumi URN")
        properties = fields.texts(item["properties"], (*where, "properties"))
        reason = fields.text(item["reason"], (*where, "reason"))
        if not properties and isinstance(item["properties"], list):
            fields.error((*where, "properties"), "name at least one property")
        if urn is None or not properties or reason is None:
            continue
        if urn in seen:
            fields.error((*where, "urn"), f"`{urn}` is listed twice", "merge the entries")
            continue
        seen.add(urn)
        found.append(Acceptance(urn, properties, reason, document.at(*where, "urn")))
    return found


def check_accepted(root: Path, stacks: Sequence[str], problems: Problems) -> None:
    """`validate`'s check of the file: its shape, and that each entry names a known stack."""
    path = accepted_path(root)
    try:
        display = str(path.relative_to(root))
    except ValueError:
        display = str(path)
    for entry in read_accepted(path, display, problems):
        if entry.stack not in stacks:
            problems.error(
                entry.position or Position(display),
                f"`{entry.urn}` names the stack `{entry.stack}`, which does not exist",
                "known stacks: " + ", ".join(stacks),
            )


def judge(
    stack: str, verdicts: Sequence[ResourceVerdict], accepted: Sequence[Acceptance]
) -> Judgement:
    """Which differences stop adopt, which the review accepted, which accepted did not occur.

    Only the entries of ``stack`` count; the file holds every stack's.
    """
    accepted = [a for a in accepted if a.stack == stack]
    by_urn = {a.urn: a for a in accepted}
    unaccepted: list[ResourceVerdict] = []
    passed: list[ResourceVerdict] = []
    used: set[tuple[str, str]] = set()
    for verdict in verdicts:
        if verdict.verdict == "fine":
            continue
        entry = by_urn.get(verdict.urn)
        if verdict.verdict == "refused" or entry is None or not verdict.changes:
            unaccepted.append(verdict)
            continue
        uncovered = [p for p in verdict.paths if not any(covers(a, p) for a in entry.properties)]
        for path in verdict.paths:
            used.update((entry.urn, a) for a in entry.properties if covers(a, path))
        (unaccepted if uncovered else passed).append(verdict)
    not_occurred = tuple(
        (a.urn, prop) for a in accepted for prop in a.properties if (a.urn, prop) not in used
    )
    return Judgement(tuple(unaccepted), tuple(passed), not_occurred)
