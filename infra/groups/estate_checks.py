"""Checks that hold only for the whole kubernetes.io groups tree (opt-in).

Upstream's tests also assert facts of its own tree: a ``community`` group
exists (proof that every file was merged), two security lists share the
owners of ``security@``, two admin groups have pinned members, and ``leads@``
allows web posting. A partial or sample tree fails them by design, so they
run only when asked for (``k8s-infra groups validate --estate-checks``).

The pinned member lists are written here, in code, so that changing who
administers the organization or the groups needs a code owner's review on
top of the groups file's. The addresses below are the synthetic ones the
test fixture of the upstream tree uses; a deployment checking the real tree
sets the real members here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from infra.core.problems import Position, Problems
from infra.groups.rules import Declared, GroupSite


@dataclass(frozen=True)
class EstateExpectations:
    required_names: tuple[str, ...]
    # group address -> groups whose owners must be the same list, in the same order
    same_owners: Mapping[str, tuple[str, ...]]
    # group address -> its exact members (order does not matter)
    pinned_members: Mapping[str, frozenset[str]]
    # group address -> settings it must hold
    required_settings: Mapping[str, Mapping[str, str]]


KUBERNETES_IO = EstateExpectations(
    required_names=("community",),
    same_owners=MappingProxyType(
        {
            "security@kubernetes.io": (
                "distributors-announce@kubernetes.io",
                "security-discuss-private@kubernetes.io",
            )
        }
    ),
    pinned_members=MappingProxyType(
        {
            "k8s-infra-gcp-org-admins@kubernetes.io": frozenset(
                {"person-036@example.com", "sig-k8s-infra-leads@kubernetes.io"}
            ),
            "k8s-infra-group-admins@kubernetes.io": frozenset(
                {
                    "person-010@example.com",
                    "person-011@example.com",
                    "sig-k8s-infra-leads@kubernetes.io",
                }
            ),
        }
    ),
    required_settings=MappingProxyType(
        {"leads@kubernetes.io": MappingProxyType({"AllowWebPosting": "true"})}
    ),
)

_PARTIAL_TREE = "estate checks expect the whole kubernetes.io tree; leave them off for others"


def check_estate(
    declared: list[Declared],
    groups_dir: str,
    problems: Problems,
    expected: EstateExpectations = KUBERNETES_IO,
) -> None:
    by_email = {item.group.email.lower(): item for item in declared}
    names = {item.group.name for item in declared}
    tree = Position(groups_dir)

    def find(address: str, why: str) -> Declared | None:
        item = by_email.get(address)
        if item is None:
            problems.error(tree, f"group `{address}` is not declared ({why})", _PARTIAL_TREE)
        return item

    for name in expected.required_names:
        if name not in names:
            problems.error(
                tree,
                f"no group is named `{name}`: were all groups files read?",
                _PARTIAL_TREE,
            )
    for source_address, copies in expected.same_owners.items():
        source = find(source_address, "its owners are copied to other groups")
        for copy_address in copies:
            copy = find(copy_address, f"it must have the owners of `{source_address}`")
            if source is None or copy is None or copy.group.owners == source.group.owners:
                continue
            problems.error(
                _key_or_group(copy.site, "owners"),
                f"owners of `{copy_address}` must be those of `{source_address}` "
                f"({source.group.file}:{source.group.line}), in the same order",
                f"copy the owners list of `{source_address}`",
            )
    for address, pinned in expected.pinned_members.items():
        item = find(address, "its members are pinned")
        if item is None:
            continue
        found = {m.lower() for m in item.group.members}
        if found == pinned:
            continue
        missing = ", ".join(f"`{m}`" for m in sorted(pinned - found)) or "none"
        extra = ", ".join(f"`{m}`" for m in sorted(found - pinned)) or "none"
        problems.error(
            _key_or_group(item.site, "members"),
            f"members of `{address}` are pinned: missing {missing}; not expected {extra}",
            "a change to this group also needs the pinned list in "
            "infra/models/group_estate.py changed, with a code owner's review",
        )
    for address, settings in expected.required_settings.items():
        item = find(address, "its settings are required")
        if item is None:
            continue
        for key, value in settings.items():
            if item.group.settings.get(key) != value:
                problems.error(
                    _key_or_group(item.site, "settings"),
                    f'`{address}` must set `{key}: "{value}"`',
                    "the estate relies on this setting",
                )


def _key_or_group(site: GroupSite, key: str) -> Position:
    return site.key_at(key) if site.has(key) else site.at()
