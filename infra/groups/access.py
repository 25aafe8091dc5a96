"""How the groups engine reaches Google: the ``k8s-infra:groups`` object of a stack.

    k8s-infra:groups:
      root: groups                      # the groups folder (see ``groups.groups_location``)
      service_account: <sa>@<project>.iam.gserviceaccount.com
      admin_subject: <admin>@kubernetes.io   # the Workspace admin it acts as
      customer: my_customer             # optional
      estate_checks: {...}              # optional, see ``infra.groups.estate_checks``

No key file and no secret: the service account signs through the IAM
Credentials API with the job's own credentials (``infra.groups.engine.credentials``).

The object is read through ``Fields``: from a stack file, each problem is
reported at the key that holds it (``stack_fields``); from ``pulumi.Config``,
at the config key itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from infra.core.fields import FieldPath, Fields
from infra.groups.estate_checks import ESTATE_KEY, EstateExpectations, read_expectations

if TYPE_CHECKING:
    from infra.core.problems import Position, Problems
    from infra.declarations.stacks import StackSettings

GROUPS_KEY = "groups"
WHAT = "`k8s-infra:groups`"
DEFAULT_CUSTOMER = "my_customer"

GROUPS_OBJECT_KEYS: Mapping[str, str] = {
    "root": "the groups folder inside the checkout (default: groups)",
    "service_account": "the service account with domain-wide delegation of the group scopes",
    "admin_subject": "the Workspace admin the service account acts as",
    "customer": f"the Workspace customer (default: {DEFAULT_CUSTOMER})",
    ESTATE_KEY: "what `groups validate --estate-checks` expects of the whole tree (default: none)",
}

# key -> (full-match pattern, what it must be)
_VALUES: Mapping[str, tuple[re.Pattern[str], str]] = {
    "service_account": (
        re.compile(r"[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z0-9-]+\.iam\.gserviceaccount\.com"),
        "a service account address (name@project.iam.gserviceaccount.com)",
    ),
    "admin_subject": (
        re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+"),
        "an admin's address (admin@kubernetes.io)",
    ),
    "customer": (
        re.compile(r"my_customer|C[0-9a-z]{6,}"),
        f"a Workspace customer ({DEFAULT_CUSTOMER} or the customer id C0xxxxxxx)",
    ),
}


@dataclass(frozen=True)
class GroupsAccess:
    service_account: str = ""
    admin_subject: str = ""
    customer: str = DEFAULT_CUSTOMER


def stack_fields(stack: StackSettings, problems: Problems) -> Fields:
    """A reader of ``stack``'s ``k8s-infra:groups`` object: each problem at the deepest
    key the stack file locates, else at ``k8s-infra:groups`` itself."""

    def locate(path: FieldPath, _key: bool) -> Position:
        keys = [str(part) for part in path]
        for end in range(len(keys), 0, -1):
            name = ".".join([GROUPS_KEY, *keys[:end]])
            if name in stack.positions:
                return stack.positions[name]
        return stack.where(GROUPS_KEY)

    return Fields(locate, problems)


@dataclass(frozen=True)
class GroupsObject:
    """What a ``k8s-infra:groups`` object says, ``root`` aside."""

    access: GroupsAccess = field(default_factory=GroupsAccess)
    estate: EstateExpectations = field(default_factory=EstateExpectations)


def parse_groups_object(value: Any, fields: Fields) -> GroupsObject:
    """Check the keys and values of a ``k8s-infra:groups`` object; ``root`` is checked
    where the folder is resolved."""
    body = fields.mapping(value, (), GROUPS_OBJECT_KEYS, what=WHAT)
    if body is None:
        return GroupsObject()
    found = {}
    for key, (pattern, expected) in _VALUES.items():
        if body.get(key) is None:
            continue
        text = fields.text(
            body[key], (key,), pattern, expected, what=f"{WHAT} {key}", hint=GROUPS_OBJECT_KEYS[key]
        )
        if text is not None:
            found[key] = text
    estate = read_expectations(body.get(ESTATE_KEY), fields.below(ESTATE_KEY))
    return GroupsObject(GroupsAccess(**found), estate)


def groups_access(stack: StackSettings | None, problems: Problems) -> GroupsAccess:
    """The access settings of a groups stack (defaults without one)."""
    if stack is None:
        return GroupsAccess()
    return parse_groups_object(stack.object(GROUPS_KEY), stack_fields(stack, problems)).access


def estate_expectations(
    stack: StackSettings | None, problems: Problems
) -> EstateExpectations | None:
    """What the groups stack's ``estate_checks`` expect; None when it sets none."""
    if stack is None or stack.object(GROUPS_KEY).get(ESTATE_KEY) is None:
        return None
    fields = stack_fields(stack, problems).below(ESTATE_KEY)
    return read_expectations(stack.object(GROUPS_KEY)[ESTATE_KEY], fields)
