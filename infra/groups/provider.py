"""A Pulumi dynamic provider for one Google Group, built on ``infra.groups.engine``.

Dynamic providers are pickled into state by module path, so this module
must stay importable as ``infra.groups.provider``. The provider
object carries nothing: clients are built inside each method, and the
service account and admin come from the stack's ``k8s-infra:groups`` config
(handed to ``configure``) or, with ``K8S_INFRA_GOOGLE_API_ENDPOINT``, are not
needed at all. No credential ever reaches state.

Create is create-or-adopt: an existing group of that address is taken over
and reconciled. Create and update reconcile against live state (not the
previous inputs), so drift is corrected. Delete does nothing: removing a
declaration only stops managing the group; deleting it is the opt-in
``k8s-infra groups sync --delete-unmanaged``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)

from infra.core.fields import Fields, locate_file
from infra.core.problems import Problems
from infra.declarations.stacks import NAMESPACE
from infra.groups.access import GroupsAccess, parse_groups_object
from infra.groups.addresses import address_key, canonical
from infra.groups.model import ROLES, Group
from infra.groups.settings_table import SETTINGS

if TYPE_CHECKING:
    from infra.groups.engine.apis import GoogleApis
    from infra.groups.engine.reconcile import Options

# The resource's inputs (camelCase, as the engine names properties).
INPUT_KEYS = (
    "email",
    "name",
    "description",
    "settings",
    "reconcileMembers",
    "owners",
    "managers",
    "members",
)
_ROLE_KEYS = {"OWNER": "owners", "MANAGER": "managers", "MEMBER": "members"}
_YAML_KEY = {spec.api_name: spec.key for spec in SETTINGS.values()}


def group_inputs(group: Group, desired: Mapping[str, str]) -> dict[str, Any]:
    """A declared group as resource inputs; ``desired`` are its API settings.

    Addresses are planned as Google stores them (``canonical``: lowercase),
    each once: an address written twice in two cases is one member, in its
    first (highest) role, as the engine applies it.
    """
    seen: set[str] = set()
    roles: dict[str, list[str]] = {key: [] for key in _ROLE_KEYS.values()}
    for membership in group.memberships():
        address = canonical(membership.email)
        if address not in seen:
            seen.add(address)
            roles[_ROLE_KEYS[membership.role]].append(address)
    return {
        "email": canonical(group.email),
        "name": group.name,
        "description": group.description,
        "settings": dict(sorted(desired.items())),
        "reconcileMembers": group.reconcile_members,
        **roles,
    }


def group_from_inputs(props: Mapping[str, Any]) -> Group:
    """Back from inputs to the model the engine reconciles."""
    settings = props.get("settings") or {}
    return Group(
        email=str(props["email"]),
        name=str(props.get("name") or ""),
        description=str(props.get("description") or ""),
        settings={_YAML_KEY[k]: str(v) for k, v in settings.items() if k in _YAML_KEY},
        reconcile_members=bool(props.get("reconcileMembers")),
        owners=tuple(props.get("owners") or ()),
        managers=tuple(props.get("managers") or ()),
        members=tuple(props.get("members") or ()),
    )


class GroupProvider(ResourceProvider):
    # Only a reference to this class is pickled; nothing secret is captured.
    serialize_as_secret_always = False

    def configure(self, req: ConfigureRequest) -> None:
        raw = req.config.get(f"{NAMESPACE}:groups")
        value = json.loads(raw) if isinstance(raw, str) else raw
        problems = Problems()
        fields = Fields(locate_file("k8s-infra:groups"), problems)
        access = parse_groups_object(value or {}, fields).access
        if problems.has_errors:
            raise ValueError("; ".join(p.format() for p in problems.sorted()))
        self._access = access

    def _engine(self) -> tuple[GoogleApis, Options]:
        from infra.groups.engine.apis import connect
        from infra.groups.engine.reconcile import Options

        access: GroupsAccess = getattr(self, "_access", None) or GroupsAccess()
        return connect(access), Options(customer=access.customer)

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        failures = []
        if not isinstance(news.get("email"), str) or "@" not in news["email"]:
            failures.append(CheckFailure("email", "a group needs an address"))
        for key in _ROLE_KEYS.values():
            if not isinstance(news.get(key, []), list):
                failures.append(CheckFailure(key, f"`{key}` must be a list of addresses"))
        return CheckResult(news, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = [k for k in INPUT_KEYS if _normal(k, olds.get(k)) != _normal(k, news.get(k))]
        replaces = []
        if address_key(str(olds.get("email", ""))) != address_key(str(news.get("email", ""))):
            replaces.append("email")
        return DiffResult(
            changes=bool(changed), replaces=replaces, stables=["groupId"] if not replaces else []
        )

    def create(self, props: dict[str, Any]) -> CreateResult:
        group_id = self._reconcile(group_from_inputs(props))
        return CreateResult(group_id, {**props, "groupId": group_id})

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        group_id = self._reconcile(group_from_inputs(news))
        return UpdateResult({**news, "groupId": group_id})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """The live group seen through its declaration: its settings, and the members
        the declaration manages (extra plain members are not, without ReconcileMembers).

        A name or description the declaration leaves empty is not managed, so
        the declared (empty) value is kept and a refresh shows no change for it."""
        from infra.groups.engine.live import get_group, read_state

        apis, options = self._engine()
        live = get_group(apis, id_ or str(props["email"]), options.backoff)
        if live is None:
            return ReadResult(None, {})  # gone: the engine drops it from state
        state = read_state(apis, live, options.backoff)
        declared = group_from_inputs(props)
        wanted = {address_key(m.email) for m in declared.memberships()}
        outs: dict[str, Any] = {
            **props,
            "settings": {k: state.settings.get(k) for k in props.get("settings") or {}},
            "groupId": live.id,
        }
        if declared.name:
            outs["name"] = live.name
        if declared.description:
            outs["description"] = live.description
        for role in ROLES:
            outs[_ROLE_KEYS[role]] = [
                m.email
                for m in state.members
                if m.role == role
                and (
                    declared.reconcile_members or role != "MEMBER" or address_key(m.email) in wanted
                )
            ]
        return ReadResult(live.id, outs)

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Nothing: a group outlives its declaration (see the module docstring)."""

    def _reconcile(self, group: Group) -> str:
        """Create-or-adopt and reconcile one group; its id. Raises on any failure."""
        from infra.groups.engine.reconcile import apply_change_set, compare_one

        apis, options = self._engine()
        report = apply_change_set(apis, compare_one(apis, group, options), options)
        if report.failures:
            raise RuntimeError("\n".join(f"failed: {f.format()}" for f in report.failures))
        key = address_key(group.email)
        state = report.compared.states.get(key)
        return report.created.get(key) or (state.group.id if state else "")


def _normal(key: str, value: Any) -> Any:
    """Member lists compare as sets of addresses, the group's address without case
    (order and case in a file are not changes)."""
    if key in _ROLE_KEYS.values() and isinstance(value, Sequence):
        return sorted({address_key(str(v)) for v in value})
    if key == "email" and isinstance(value, str):
        return canonical(value)
    return value
