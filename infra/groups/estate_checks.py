"""Checks that hold only for one whole groups tree (opt-in), expected by the groups stack.

Upstream's tests also assert facts of its own tree: a ``community`` group
exists (proof that every file was merged), two security lists share the
owners of ``security@``, two admin groups have pinned members, and ``leads@``
allows web posting. A partial or sample tree fails them by design, so they
run only when asked for (``k8s-infra groups validate --estate-checks``), and
what they expect is configuration, the ``estate_checks`` key of the groups
stack's ``k8s-infra:groups`` object (nothing by default):

    estate_checks:
      required_names: [community]           # names some group must have
      same_owners:                          # group -> groups with its owners, in order
        security@kubernetes.io: [distributors-announce@kubernetes.io]
      pinned_members:                       # group -> its exact members
        k8s-infra-group-admins@kubernetes.io: [sig-k8s-infra-leads@kubernetes.io]
      required_settings:                    # group -> settings it must hold
        leads@kubernetes.io: {AllowWebPosting: "true"}

The pinned lists sit in the stack file, so changing who administers the
organization needs that file's review on top of the groups file's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from infra.core.fields import Fields
from infra.core.problems import Position, Problems
from infra.groups.addresses import canonical
from infra.groups.rules import Declared, GroupSite, check_address, read_addresses, read_settings
from infra.groups.settings_table import RECONCILE_MEMBERS

ESTATE_KEY = "estate_checks"
ESTATE_KEYS: Mapping[str, str] = {
    "required_names": "names some group must have (proof that every file was read)",
    "same_owners": "group -> groups whose owners must be its owners, in the same order",
    "pinned_members": "group -> its exact members",
    "required_settings": "group -> settings it must hold",
}


def _empty() -> Mapping[str, Any]:
    return MappingProxyType({})


@dataclass(frozen=True)
class EstateExpectations:
    required_names: tuple[str, ...] = ()
    # group address -> groups whose owners must be the same list, in the same order
    same_owners: Mapping[str, tuple[str, ...]] = field(default_factory=_empty)
    # group address -> its exact members (order does not matter)
    pinned_members: Mapping[str, frozenset[str]] = field(default_factory=_empty)
    # group address -> settings it must hold (ReconcileMembers included)
    required_settings: Mapping[str, Mapping[str, str]] = field(default_factory=_empty)

    @property
    def configured(self) -> bool:
        """Whether anything is expected at all."""
        return bool(
            self.required_names or self.same_owners or self.pinned_members or self.required_settings
        )


def read_expectations(value: Any, fields: Fields) -> EstateExpectations:
    """The ``estate_checks`` object, ``fields`` located at it; nothing expected when absent."""
    if value is None:
        return EstateExpectations()
    body = fields.mapping(value, (), ESTATE_KEYS, what=f"`{ESTATE_KEY}`")
    if body is None:
        return EstateExpectations()
    pinned = _address_lists(fields, body.get("pinned_members"), "pinned_members")
    return EstateExpectations(
        required_names=fields.texts(body.get("required_names"), ("required_names",)),
        same_owners=MappingProxyType(
            _address_lists(fields, body.get("same_owners"), "same_owners")
        ),
        pinned_members=MappingProxyType({k: frozenset(v) for k, v in pinned.items()}),
        required_settings=MappingProxyType(
            _required_settings(fields, body.get("required_settings"))
        ),
    )


def _by_group(fields: Fields, value: Any, key: str) -> dict[str, Any]:
    """A mapping keyed by group addresses; keys that are not an address are reported."""
    if value is None:
        return {}
    body = fields.mapping(value, (key,), expected="a mapping of group addresses") or {}
    return {
        group: raw
        for group, raw in body.items()
        if check_address(group, "group", fields.key_at((key, group)), fields.problems)
    }


def _canonical_keys(found: Mapping[str, Any]) -> dict[str, Any]:
    """Keys as Google compares addresses: in lowercase."""
    return {canonical(group): value for group, value in found.items()}


def _address_lists(fields: Fields, value: Any, key: str) -> dict[str, tuple[str, ...]]:
    found: dict[str, tuple[str, ...]] = {}
    for group, raw in _by_group(fields, value, key).items():
        path = (key, group)
        listed = read_addresses(fields, raw, path)
        valid = (
            a
            for i, a in listed.items()
            if check_address(a, "address", fields.at((*path, i)), fields.problems)
        )
        found[group] = tuple(canonical(a) for a in valid)
    return _canonical_keys(found)


def _required_settings(fields: Fields, value: Any) -> dict[str, Mapping[str, str]]:
    found: dict[str, Mapping[str, str]] = {}
    for group, raw in _by_group(fields, value, "required_settings").items():
        settings, reconcile = read_settings(raw, fields, ("required_settings", group))
        if reconcile is not None:
            settings[RECONCILE_MEMBERS] = reconcile
        found[group] = MappingProxyType(settings)
    return _canonical_keys(found)


_PARTIAL_TREE = (
    "estate checks expect the whole tree their `estate_checks` describe; "
    "leave them off for a partial one"
)


def check_estate(
    declared: list[Declared],
    groups_dir: str,
    problems: Problems,
    expected: EstateExpectations,
) -> None:
    """Every expectation, checked against the groups kept (the first of duplicates)."""
    check = _EstateCheck(declared, Position(groups_dir), problems)
    check.required_names(expected.required_names)
    check.same_owners(expected.same_owners)
    check.pinned_members(expected.pinned_members)
    check.required_settings(expected.required_settings)


class _EstateCheck:
    def __init__(self, declared: list[Declared], tree: Position, problems: Problems) -> None:
        self.by_email = {item.group.email.lower(): item for item in declared}
        self.names = {item.group.name for item in declared}
        self.tree = tree
        self.problems = problems

    def find(self, address: str, why: str) -> Declared | None:
        item = self.by_email.get(address)
        if item is None:
            self.problems.error(
                self.tree, f"group `{address}` is not declared ({why})", _PARTIAL_TREE
            )
        return item

    def required_names(self, names: tuple[str, ...]) -> None:
        for name in names:
            if name not in self.names:
                self.problems.error(
                    self.tree,
                    f"no group is named `{name}`: were all groups files read?",
                    _PARTIAL_TREE,
                )

    def same_owners(self, expected: Mapping[str, tuple[str, ...]]) -> None:
        for source_address, copies in expected.items():
            source = self.find(source_address, "its owners are copied to other groups")
            for copy_address in copies:
                copy = self.find(copy_address, f"it must have the owners of `{source_address}`")
                if source is None or copy is None or _owners(copy) == _owners(source):
                    continue
                self.problems.error(
                    _key_or_group(copy.site, "owners"),
                    f"owners of `{copy_address}` must be those of `{source_address}` "
                    f"({source.group.file}:{source.group.line}), in the same order",
                    f"copy the owners list of `{source_address}`",
                )

    def pinned_members(self, expected: Mapping[str, frozenset[str]]) -> None:
        for address, pinned in expected.items():
            item = self.find(address, "its members are pinned")
            if item is None:
                continue
            found = {canonical(m) for m in item.group.members}
            if found == pinned:
                continue
            missing = ", ".join(f"`{m}`" for m in sorted(pinned - found)) or "none"
            extra = ", ".join(f"`{m}`" for m in sorted(found - pinned)) or "none"
            self.problems.error(
                _key_or_group(item.site, "members"),
                f"members of `{address}` are pinned: missing {missing}; not expected {extra}",
                "a change to this group also needs its list in the groups stack changed "
                f"(`k8s-infra:groups` {ESTATE_KEY}, pinned_members)",
            )

    def required_settings(self, expected: Mapping[str, Mapping[str, str]]) -> None:
        for address, settings in expected.items():
            item = self.find(address, "its settings are required")
            if item is None:
                continue
            group = item.group
            held = {**group.settings, RECONCILE_MEMBERS: str(group.reconcile_members).lower()}
            for key, value in settings.items():
                if held.get(key) != value:
                    self.problems.error(
                        _key_or_group(item.site, "settings"),
                        f'`{address}` must set `{key}: "{value}"`',
                        "the estate relies on this setting",
                    )


def _owners(item: Declared) -> tuple[str, ...]:
    """A group's owners in order, compared as Google compares addresses: without case."""
    return tuple(canonical(owner) for owner in item.group.owners)


def _key_or_group(site: GroupSite, key: str) -> Position:
    return site.key_at(key) if site.has(key) else site.at()
