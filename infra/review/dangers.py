"""Changes a reviewer must not miss, and the ones ``plan --strict`` refuses.

Refused (``fails``): deleting or replacing a protected resource (``pulumi
up`` refuses to, so the change cannot be applied as written); replacing a
resource that holds data or identity (a project, bucket, repository, service
account, address or certificate: the types their concerns declare
``stateful``), protected or not, kept on delete or not, since the old one is
destroyed or orphaned and a new empty one takes its name; removing
protection; and granting ``allUsers``/``allAuthenticatedUsers`` something
new. Shown first but not refused: replacing another resource kept on delete,
and settings that open a group (anyone can join, external members allowed;
which ones, the groups concern declares: ``ResourceFacts.opened_by``).

A change meant to happen is allowed by an entry of ``infra/allowed-changes.yaml``
in the change's own declarations (see ``infra/declarations/allowances.py``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from infra import catalog
from infra.core.iam import PUBLIC_MEMBERS
from infra.declarations.allowances import (
    CHANGES,
    Allowance,
    matches_inputs,
    names_resource,
    type_of,
)
from infra.planner.diff import PlanDiff, Update
from infra.planner.labels import type_name
from infra.review.escape import one_line
from infra.review.leaves import pair

# The kinds an allowance can name, and the one it need not (never refused).
DELETE_PROTECTED, REPLACE_PROTECTED, UNPROTECT, PUBLIC = CHANGES
REPLACE_RETAINED = "replace-retained"
OPENS_GROUP = "opens-group"


@dataclass(frozen=True)
class Danger:
    stack: str
    urn: str
    name: str
    kind: str
    message: str  # what and why, one line
    fails: bool  # refused by --strict unless allowed
    role: str | None = None  # the role a public grant gives
    allowed_by: Allowance | None = None
    inputs: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def refused(self) -> bool:
        return self.fails and self.allowed_by is None

    def line(self) -> str:
        """The danger on one line, for a terminal: every value's control characters escaped."""
        text = f"{self.stack}: {one_line(self.name)}: {one_line(self.message)}"
        if self.allowed_by is not None:
            allowed = self.allowed_by
            text += f" [allowed by {allowed.place}: {one_line(allowed.reason)}]"
        return text

    def to_json(self) -> dict[str, Any]:
        allowed = self.allowed_by
        return {
            "stack": self.stack,
            "urn": self.urn,
            "name": self.name,
            "kind": self.kind,
            "message": self.message,
            "refused": self.refused,
            "allowed_by": allowed.place if allowed else None,
        }


def find_dangers(diff: PlanDiff) -> list[Danger]:
    """Every dangerous change of one stack's diff, in the diff's order."""
    found: list[Danger] = []
    for create in diff.created:
        found += _public_grants(diff.stack, create.urn, create.name, {}, create.inputs)
        found += _opened(diff.stack, create.type, create.urn, create.name, {}, create.inputs)
    for update in diff.update:
        found += _update_dangers(diff.stack, update)
    for delete in diff.delete:
        if delete.protect:
            found.append(Danger(diff.stack, delete.urn, delete.name, DELETE_PROTECTED,
                                "deletes a protected resource; `pulumi up` refuses to",
                                fails=True))  # fmt: skip
    return found


def _stateful(type_token: str) -> bool:
    """Whether the concern creating the type says it holds data or identity."""
    facts = catalog.resource_facts().get(type_token)
    return facts is not None and facts.stateful


def _update_dangers(stack: str, update: Update) -> Iterator[Danger]:
    if update.replaced and update.protected:
        yield Danger(stack, update.urn, update.name, REPLACE_PROTECTED,
                     f"replaces a protected resource ({_forced(update)}); `pulumi up` "
                     "refuses to delete it", fails=True)  # fmt: skip
    elif update.replaced and _stateful(update.type):
        fate = (
            "the old one stays in the cloud, unmanaged"
            if update.retain_on_delete
            else "the old one is destroyed with what it holds"
        )
        yield Danger(stack, update.urn, update.name, REPLACE_PROTECTED,
                     f"replaces a {type_name(update.type)} ({_forced(update)}): {fate}, and a "
                     "new empty one takes its place", fails=True)  # fmt: skip
    elif update.replaced and update.retain_on_delete:
        yield Danger(stack, update.urn, update.name, REPLACE_RETAINED,
                     f"replaces a resource kept on delete ({_forced(update)}): the old one "
                     "stays in the cloud, unmanaged, and a new empty one is created",
                     fails=False)  # fmt: skip
    if update.protect == (True, False):
        yield Danger(stack, update.urn, update.name, UNPROTECT,
                     "removes protection: a later change could delete it", fails=True)  # fmt: skip
    yield from _public_grants(stack, update.urn, update.name, update.base_inputs, update.inputs)
    yield from _opened(
        stack, update.type, update.urn, update.name, update.base_inputs, update.inputs
    )


def _opened(
    stack: str,
    type_token: str,
    urn: str,
    name: str,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
) -> Iterator[Danger]:
    """Settings this change sets that open the resource to people outside it, as the
    concern creating its type tells them (``ResourceFacts.opened_by``)."""
    facts = catalog.resource_facts().get(type_token)
    if facts is None or facts.opened_by is None:
        return
    for key, value in facts.opened_by(before, after):
        yield Danger(stack, urn, name, OPENS_GROUP, f"sets {key}: {value}", fails=False)


def _forced(update: Update) -> str:
    changes = {c.key: c for c in update.changes}
    shown = []
    for key in update.replace or ():
        change = changes.get(key.split(".")[0])
        if change is None:
            shown.append(key)
        else:
            old, new = pair(change.before, change.after)
            shown.append(f"{key}: {old} → {new}")
    return "; ".join(shown)


def _public_grants(
    stack: str, urn: str, name: str, before: Mapping[str, Any], after: Mapping[str, Any]
) -> Iterator[Danger]:
    """A grant to the public that the base did not make (a new member, or a new role)."""
    role = after.get("role")
    same_role = bool(before) and before.get("role") == role
    for key in ("member", "members"):
        new = _members(after.get(key))
        old = _members(before.get(key)) if same_role else set()
        for member in sorted((new - old) & PUBLIC_MEMBERS):
            what = f"role {role}" if isinstance(role, str) else "access"
            yield Danger(stack, urn, name, PUBLIC, f"grants {member} {what}", fails=True,
                         role=role if isinstance(role, str) else None, inputs=after)  # fmt: skip


def _members(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return {v for v in value if isinstance(v, str)}
    return set()


def covers(allowance: Allowance, danger: Danger) -> bool:
    """Whether ``allowance`` allows ``danger``: its stack and kind of change, its role
    if it names one, and its resource (a standing entry: its type and exact inputs)."""
    if danger.stack != allowance.stack or danger.kind != allowance.change:
        return False
    if allowance.role is not None and danger.role != allowance.role:
        return False
    if allowance.type is not None:
        return matches_inputs(
            allowance.type, allowance.properties, type_of(danger.urn), danger.inputs
        )
    return names_resource(allowance.resource, danger.urn)


def apply_allowances(dangers: list[Danger], allowances: list[Allowance]) -> list[Danger]:
    """Each refused danger an allowance covers, marked as allowed by it."""
    marked = []
    for danger in dangers:
        allowance = next((a for a in allowances if danger.fails and covers(a, danger)), None)
        marked.append(replace(danger, allowed_by=allowance) if allowance else danger)
    return marked
