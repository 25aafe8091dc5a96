"""How the groups engine reaches Google: the ``k8s-infra:groups`` object of a stack.

    k8s-infra:groups:
      root: groups                      # the groups folder (see ``groups.groups_location``)
      service_account: <sa>@<project>.iam.gserviceaccount.com
      admin_subject: <admin>@kubernetes.io   # the Workspace admin it acts as
      customer: my_customer             # optional

No key file and no secret: the service account signs through the IAM
Credentials API with the job's own credentials (``infra.groups.engine.credentials``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from infra.core.fields import yaml_type_name
from infra.core.problems import Position, Problems, did_you_mean

if TYPE_CHECKING:
    from infra.declarations.stacks import StackSettings

DEFAULT_CUSTOMER = "my_customer"

GROUPS_OBJECT_KEYS: Mapping[str, str] = {
    "root": "the groups folder inside the checkout (default: groups)",
    "service_account": "the service account with domain-wide delegation of the group scopes",
    "admin_subject": "the Workspace admin the service account acts as",
    "customer": f"the Workspace customer (default: {DEFAULT_CUSTOMER})",
}

_SERVICE_ACCOUNT = re.compile(
    r"^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z0-9-]+\.iam\.gserviceaccount\.com$"
)
_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CUSTOMER = re.compile(r"^(my_customer|C[0-9a-z]{6,})$")


@dataclass(frozen=True)
class GroupsAccess:
    service_account: str = ""
    admin_subject: str = ""
    customer: str = DEFAULT_CUSTOMER


def parse_groups_object(
    value: Mapping[str, Any], where: Position, problems: Problems
) -> GroupsAccess:
    """Check the keys and values of a ``k8s-infra:groups`` object; ``root`` is checked
    where the folder is resolved."""
    for key in value:
        if key not in GROUPS_OBJECT_KEYS:
            problems.error(
                where,
                f"unknown key `{key}` in `k8s-infra:groups`",
                did_you_mean(key, GROUPS_OBJECT_KEYS)
                or "known keys: " + ", ".join(GROUPS_OBJECT_KEYS),
            )
    found = {}
    for key, pattern, example in (
        ("service_account", _SERVICE_ACCOUNT, "name@project.iam.gserviceaccount.com"),
        ("admin_subject", _ADDRESS, "admin@kubernetes.io"),
        ("customer", _CUSTOMER, f"{DEFAULT_CUSTOMER} or the customer id C0xxxxxxx"),
    ):
        raw = value.get(key)
        if raw is None:
            continue
        if not isinstance(raw, str) or not pattern.match(raw):
            shown = f"`{raw}`" if isinstance(raw, str) else yaml_type_name(raw)
            problems.error(
                where,
                f"`k8s-infra:groups` {key} {shown} is not valid",
                f"{GROUPS_OBJECT_KEYS[key]}, e.g. {example}",
            )
            continue
        found[key] = raw
    return GroupsAccess(**found)


def groups_access(stack: StackSettings | None, problems: Problems) -> GroupsAccess:
    """The access settings of a groups stack (defaults without one)."""
    if stack is None:
        return GroupsAccess()
    return parse_groups_object(stack.object("groups"), stack.where("groups"), problems)
