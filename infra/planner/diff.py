"""What a plan would create, change and delete compared with a base plan."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Options compared besides inputs; reported as `option:<name>` keys, because
# dropping `protect` from a production bucket must show up in review.
OPTIONS = ("protect", "retain_on_delete", "provider", "parent", "depends_on")
OPTION_PREFIX = "option:"


@dataclass(frozen=True)
class Update:
    urn: str
    keys: list[str]
    protect: tuple[bool, bool] | None = None  # (before, after) when protection changes


@dataclass(frozen=True)
class Delete:
    urn: str
    protect: bool
    retain_on_delete: bool


@dataclass(frozen=True)
class PlanDiff:
    stack: str
    base: str
    create: list[str]
    update: list[Update]
    delete: list[Delete]

    @property
    def empty(self) -> bool:
        return not (self.create or self.update or self.delete)

    def to_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "base": self.base,
            "create": self.create,
            "update": [{"urn": u.urn, "keys": u.keys} for u in self.update],
            "delete": [{"urn": d.urn, "protect": d.protect} for d in self.delete],
        }


def diff_plans(base: dict[str, Any], head: dict[str, Any], base_sha: str) -> PlanDiff:
    before = {r["urn"]: r for r in base["resources"]}
    after = {r["urn"]: r for r in head["resources"]}
    create = sorted(set(after) - set(before))
    delete = [
        Delete(urn, bool(before[urn]["protect"]), bool(before[urn]["retain_on_delete"]))
        for urn in sorted(set(before) - set(after))
    ]
    update = []
    for urn in sorted(set(before) & set(after)):
        old, new = before[urn]["inputs"], after[urn]["inputs"]
        keys = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
        keys += [
            OPTION_PREFIX + option
            for option in OPTIONS
            if before[urn].get(option) != after[urn].get(option)
        ]
        if keys:
            protect = (bool(before[urn]["protect"]), bool(after[urn]["protect"]))
            update.append(Update(urn, keys, protect if protect[0] != protect[1] else None))
    return PlanDiff(head["stack"], base_sha, create, update, delete)
