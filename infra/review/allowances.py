"""Changes ``plan --strict`` refuses but a change means to make: ``infra/allowed-changes.yaml``.

The file is part of the change's own declarations, so the allowance is
reviewed with it. Each entry names a stack, a resource (its name or URN; a
glob), the kind of change and why; a public grant may also name the role,
so that allowing public read never allows public write::

    allowed:
      - stack: staging
        resource: k8s-staging-example-project
        change: delete            # delete | replace | unprotect | public
        reason: the subproject is retired (kubernetes/k8s.io#1234)

Remove a one-off entry once its change is applied: ``validate`` warns about
entries that name no resource of their stack's plan (a typo, or a deletion
already applied), except ``standing: true`` ones (the estate's design, such
as public read of the registries). The PR summary does not repeat them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import TYPE_CHECKING, Any

from infra.core.fields import Fields
from infra.core.located_yaml import load_yaml
from infra.core.problems import Position, Problems

if TYPE_CHECKING:
    from infra.review.dangers import Danger

ALLOW_FILE = "infra/allowed-changes.yaml"
CHANGES = ("delete", "replace", "unprotect", "public")
REQUIRED = ("stack", "resource", "change", "reason")
KEYS = {
    "stack": "the stack the change is in",
    "resource": "the resource's name or URN (a glob: `*` matches any text)",
    "change": "delete, replace, unprotect or public",
    "role": "for `public`: the only role allowed",
    "reason": "why the change is meant",
    "standing": "true for an entry that stays (the estate's design): never reported as unused",
}


@dataclass(frozen=True)
class Allowance:
    stack: str
    resource: str
    change: str
    reason: str
    where: Position
    role: str | None = None
    standing: bool = False

    @property
    def place(self) -> str:
        return f"{self.where.path}:{self.where.line}"

    def covers(self, danger: Danger) -> bool:
        if danger.stack != self.stack or danger.kind != self.change:
            return False
        if self.role is not None and danger.role != self.role:
            return False
        return names_resource(self.resource, danger.urn)


def names_resource(pattern: str, urn: str) -> bool:
    """Whether an entry's ``resource`` (a glob of a name or a URN) names the resource ``urn``."""
    name = urn.rsplit("::", 1)[-1]
    return fnmatchcase(name, pattern) or fnmatchcase(urn, pattern)


def load_allowances(root: Path, problems: Problems) -> list[Allowance]:
    """The entries of the allow file under ``root`` (none when there is no file)."""
    file = root / ALLOW_FILE
    if not file.is_file():
        return []
    document = load_yaml(file, ALLOW_FILE, problems)
    if document is None:
        return []
    fields = Fields.of(document, problems)
    top = fields.mapping(document.data, (), allowed={"allowed": "the list of allowed changes"})
    if top is None:
        return []
    found = []
    for index, item in enumerate(fields.sequence(top.get("allowed"), ("allowed",))):
        allowance = _entry(fields.below("allowed", index), item)
        if allowance is not None:
            found.append(allowance)
    return found


def check_allowances(root: Path, stacks: Iterable[str], problems: Problems) -> None:
    """Report what is wrong in the allow file, for ``validate``: its shape and its stacks.

    An entry naming a stack that does not exist would never allow anything, so a
    typo would only show when the PR check fails; validation names it first.
    """
    known = sorted(stacks)
    for allowance in load_allowances(root, problems):
        if allowance.stack not in known:
            problems.error(
                allowance.where,
                f"allowed change for unknown stack `{allowance.stack}`",
                "name one of: " + ", ".join(known),
            )


def matching_nothing(
    allowances: Iterable[Allowance], plans: Mapping[str, Mapping[str, Any]]
) -> list[Allowance]:
    """The one-off allowances that name no resource of their stack's plan (``plans``:
    stack -> plan; allowances of stacks not in it are not judged)."""
    found = []
    for allowance in allowances:
        plan = plans.get(allowance.stack)
        if allowance.standing or plan is None:
            continue
        urns = [str(r["urn"]) for r in plan.get("resources") or []]
        if not any(names_resource(allowance.resource, urn) for urn in urns):
            found.append(allowance)
    return found


def _entry(fields: Fields, item: Any) -> Allowance | None:
    entry = fields.mapping(item, (), allowed=KEYS, required=REQUIRED, what="an allowed change")
    if entry is None or any(key not in entry for key in REQUIRED):
        return None
    stack = fields.text(entry["stack"], ("stack",), what="stack")
    resource = fields.text(entry["resource"], ("resource",), what="resource")
    change = fields.choice(entry["change"], ("change",), CHANGES, what="change")
    reason = fields.text(entry["reason"], ("reason",), what="reason")
    role = fields.role(entry["role"], ("role",)) if "role" in entry else None
    standing = fields.boolean(entry["standing"], ("standing",)) if "standing" in entry else False
    if role is not None and change != "public":
        fields.key_error(("role",), "`role` only narrows a `public` allowance", "remove it")
        return None
    if None in (stack, resource, change, reason):
        return None
    return Allowance(
        str(stack), str(resource), str(change), str(reason), fields.at(), role, bool(standing)
    )
