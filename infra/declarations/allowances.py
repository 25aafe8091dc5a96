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
as public read of the registries). The PR summary does not repeat them. A standing entry names no
resource: it matches a resource ``type`` whose inputs have exactly the
``properties`` it lists, so a name that happens to fit a pattern allows
nothing::

      - stack: staging-images
        change: public
        standing: true
        type: gcp:artifactregistry/repositoryIamMember:RepositoryIamMember
        properties: {project: k8s-staging-images, role: roles/artifactregistry.reader,
                     member: allUsers}
        reason: shared staging registries are public to read

A ``member`` entry allows one binding to a person or a domain (``user:``,
``domain:``), which the guard rails refuse everywhere else: its stack, the
resource's exact name, the member and the role.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from infra.core.fields import Fields
from infra.core.located_yaml import load_yaml
from infra.core.problems import Position, Problems

ALLOW_FILE = "infra/allowed-changes.yaml"
CHANGES = ("delete", "replace", "unprotect", "public")
MEMBER = "member"  # a binding to a `user:` or `domain:` member (the guard rails' member-sources)
ENTRY_CHANGES = (*CHANGES, MEMBER)
PEOPLE = ("user:", "domain:")
REQUIRED = ("stack", "change", "reason")
KEYS = {
    "stack": "the stack the change is in",
    "resource": "the resource's name or URN (a glob: `*` matches any text; exact for `member`)",
    "change": "delete, replace, unprotect, public or member",
    "role": "for `public`: the only role allowed; for `member`: the role granted",
    "member": "for `member`: the `user:` or `domain:` member granted",
    "reason": "why the change is meant",
    "standing": "true for an entry that stays (the estate's design): never reported as unused",
    "type": "for a standing entry: the resource type it allows (a Pulumi type token)",
    "properties": "for a standing entry: the inputs the resource must have, exactly",
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
    type: str | None = None  # a standing entry: the type and exact inputs it matches
    properties: tuple[tuple[str, Any], ...] = ()
    member: str | None = None

    @property
    def place(self) -> str:
        return f"{self.where.path}:{self.where.line}"


def type_of(urn: str) -> str:
    """``urn:pulumi:stack::project::parent$type::name`` -> the resource's type."""
    parts = urn.split("::")
    return parts[2].rsplit("$", 1)[-1] if len(parts) >= 4 else ""


def matches_inputs(
    wanted_type: str, properties: Iterable[tuple[str, Any]], type_: str, inputs: Any
) -> bool:
    """Whether a resource of ``type_`` with ``inputs`` is the one a standing entry names."""
    if type_ != wanted_type or not hasattr(inputs, "get"):
        return False
    return all(inputs.get(key) == value for key, value in properties)


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


def _entry(fields: Fields, item: Any) -> Allowance | None:
    entry = fields.mapping(item, (), allowed=KEYS, required=REQUIRED, what="an allowed change")
    if entry is None or any(key not in entry for key in REQUIRED):
        return None
    stack = fields.text(entry["stack"], ("stack",), what="stack")
    change = fields.choice(entry["change"], ("change",), ENTRY_CHANGES, what="change")
    reason = fields.text(entry["reason"], ("reason",), what="reason")
    role = fields.role(entry["role"], ("role",)) if "role" in entry else None
    standing = fields.boolean(entry["standing"], ("standing",)) if "standing" in entry else False
    if role is not None and change not in ("public", MEMBER):
        fields.key_error(("role",), "`role` only narrows a `public` allowance", "remove it")
        return None
    if None in (stack, change, reason):
        return None
    if standing:
        return _standing(fields, entry, str(stack), str(change), str(reason), role)
    return _named(fields, entry, str(stack), str(change), str(reason), role)


def _named(
    fields: Fields, entry: Any, stack: str, change: str, reason: str, role: str | None
) -> Allowance | None:
    """A one-off entry: the resource it allows, by name or URN."""
    wrong = next((key for key in ("type", "properties") if key in entry), None)
    if wrong is not None:
        fields.key_error((wrong,), f"`{wrong}` belongs to a standing entry",
                         "add `standing: true`, or name the resource")  # fmt: skip
        return None
    if "resource" not in entry:
        fields.key_error((), "an allowed change needs `resource` (its name or URN)",
                         "name it; a standing entry names `type` and `properties`")  # fmt: skip
        return None
    resource = fields.text(entry["resource"], ("resource",), what="resource")
    if resource is None:
        return None
    member = _member(fields, entry, str(resource), role) if change == MEMBER else None
    if change == MEMBER and member is None:
        return None
    if change != MEMBER and "member" in entry:
        fields.key_error(("member",), "`member` belongs to a `member` allowance", "remove it")
        return None
    return Allowance(stack, str(resource), change, reason, fields.at(), role, False, member=member)


def _member(fields: Fields, entry: Any, resource: str, role: str | None) -> str | None:
    """A ``member`` entry names one binding exactly: resource, member and role."""
    member = entry.get("member")
    if not isinstance(member, str) or not member.startswith(PEOPLE):
        fields.key_error(("member",) if "member" in entry else (),
                         "a `member` allowance names the `user:` or `domain:` member granted",
                         "write `member: user:<address>` (or `domain:<domain>`)")  # fmt: skip
        return None
    if role is None:
        fields.key_error((), "a `member` allowance names the role granted",
                         "write `role: roles/<role>`")  # fmt: skip
        return None
    if "*" in resource or resource.startswith("urn:"):
        fields.key_error(("resource",), "a `member` allowance names one resource by its exact "
                         "name", "write the resource's name, without `*`")  # fmt: skip
        return None
    return member


def _standing(
    fields: Fields, entry: Any, stack: str, change: str, reason: str, role: str | None
) -> Allowance | None:
    """A standing entry: a type and the exact inputs it allows, never a name."""
    if "resource" in entry:
        fields.key_error(("resource",),
                         "a standing entry matches a resource type and its inputs, not a name",
                         "write `type:` and `properties:` instead")  # fmt: skip
        return None
    if change == MEMBER:
        fields.key_error(("standing",), "a `member` allowance is never standing",
                         "name the one binding it allows")  # fmt: skip
        return None
    type_ = entry.get("type")
    properties = entry.get("properties")
    if not isinstance(type_, str) or type_.count(":") != 2:
        fields.key_error(("type",) if "type" in entry else (),
                         "a standing entry names the resource type it allows",
                         "write `type: <package>:<module>/<name>:<Name>`")  # fmt: skip
        return None
    if (
        not isinstance(properties, dict)
        or not properties
        or not all(isinstance(v, str | int | bool) for v in properties.values())
    ):
        fields.key_error(("properties",) if "properties" in entry else (),
                         "a standing entry lists the exact inputs it allows",
                         "write `properties: {role: ..., member: ...}` (plain values)")  # fmt: skip
        return None
    if role is not None and properties.get("role") not in (None, role):
        fields.key_error(("role",), "`role` and `properties.role` differ", "keep one")
        return None
    role = role or (str(properties["role"]) if "role" in properties else None)
    shown = ", ".join(f"{k}={v}" for k, v in properties.items())
    return Allowance(
        stack, f"{type_.rsplit(':', 1)[-1]} with {shown}", change, reason, fields.at(), role,
        True, type_, tuple(sorted((str(k), v) for k, v in properties.items())),
    )  # fmt: skip


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
