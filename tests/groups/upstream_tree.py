"""The fixture of upstream's tree (tests/fixtures/upstream-tree), and a copy with its bugs fixed.

The fixture holds the newest version of every upstream file the index had
(its README says which commit each came from). It carries two kinds of
problems, each listed below with the fix a copy applies:

- the real data bugs of upstream's files, which a user switching to this
  project fixes first (docs/approver/adoption.md, "An upstream checkout as `--root`");
- the problems that come only from mixing file versions: a few groups files
  were available only in versions older than the restrictions file and
  infra.yaml, which already name groups those files later dropped or added.
"""

from __future__ import annotations

import functools
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import FIXTURES

UPSTREAM_TREE = FIXTURES / "upstream-tree"
GROUPS = UPSTREAM_TREE / "groups"

# Upstream's data bugs: groups under `teams:` (never created upstream either),
# a member written without its domain, and a staging project of infra.yaml
# whose writer group restrictions.yaml no longer allows in any file.
TEAMS_FILES = ("sig-multicluster", "wg-policy", "wg-structured-logging")
BARE_MEMBER = ("sig-etcd", "sig-etcd-leads", "sig-etcd-leads@kubernetes.io")
UNALLOWED = ("sig-api-machinery", "k8s-infra-staging-storage-migrator@kubernetes.io")

# Version mixing: groups the newer restrictions file no longer allows (upstream
# removed them), and groups infra.yaml and the production storage grant that
# the newer versions of these files declare.
DROPPED = {
    "sig-architecture": tuple(
        f"k8s-infra-conform-{name}@kubernetes.io"
        for name in (
            "inspur",
            "capi-openstack",
            "cri-o",
            "huaweicloud",
            "provider-openstack",
            "s390x-k8s",
        )
    ),
    "sig-release": (
        "k8s-infra-staging-mirror@kubernetes.io",
        "k8s-infra-rbac-triageparty-release@kubernetes.io",
    ),
}
ADDED_KUBEBUILDER = ("k8s-infra-staging-kubebuilder", "sig-api-machinery-leads")
ADDED_RELEASE = tuple(
    (f"k8s-infra-{name}", "k8s-infra-release-editors")
    for name in (
        "staging-bom",
        "staging-publishing-bot",
        "staging-tejolote",
        "staging-tg-exporter",
        "staging-zeitgeist",
        "push-sig-release",
    )
)


def copy_tree(target: Path) -> Path:
    """The fixture as it is, in a folder of its own."""
    shutil.copytree(UPSTREAM_TREE, target)
    return target


def fixed_copy(target: Path, *, mixing: bool = True) -> Path:
    """A copy with upstream's data bugs fixed (and, with ``mixing``, the version mix)."""
    root = copy_tree(target)
    for folder in TEAMS_FILES:
        _edit_text(root, folder, lambda text: text.replace("teams:\n", "groups:\n", 1))
    folder, bare, full = BARE_MEMBER
    _edit_text(root, folder, lambda text: text.replace(f"- {bare}\n", f"- {full}\n", 1))
    folder, group = UNALLOWED
    rule = f'  - path: "{folder}/groups.yaml"\n    allowedGroups:\n'
    allowed = f'      - "^{group.replace(".", "[.]")}$"\n'
    restrictions = root / "groups" / "restrictions.yaml"
    text = restrictions.read_text(encoding="utf-8")
    assert rule in text
    restrictions.write_text(text.replace(rule, rule + allowed, 1), encoding="utf-8")
    if mixing:
        for folder, dropped in DROPPED.items():
            _edit_groups(root, folder, functools.partial(_without, dropped=dropped))
        _edit_groups(
            root,
            "sig-api-machinery",
            lambda groups: [*groups, _staging(*ADDED_KUBEBUILDER)],
        )
        _edit_groups(
            root,
            "sig-release",
            lambda groups: [*groups, *(_staging(*a) for a in ADDED_RELEASE)],
        )
    return root


def declared(root: Path) -> Iterator[dict[str, Any]]:
    """Every group of a tree's groups files, read with plain YAML (an independent count)."""
    for path in sorted((root / "groups").rglob("groups.yaml")):
        yield from (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("groups") or ()


def memberships(group: dict[str, Any]) -> set[str]:
    """A group's distinct member addresses, as Google counts them (without case)."""
    return {a.lower() for key in ("owners", "managers", "members") for a in group.get(key) or ()}


def _edit_text(root: Path, folder: str, edit: Callable[[str], str]) -> None:
    path = root / "groups" / folder / "groups.yaml"
    before = path.read_text(encoding="utf-8")
    after = edit(before)
    assert after != before, f"nothing to fix in {path}"
    path.write_text(after, encoding="utf-8")


def _edit_groups(
    root: Path, folder: str, edit: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]
) -> None:
    path = root / "groups" / folder / "groups.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["groups"] = edit(data["groups"])
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def _without(groups: list[dict[str, Any]], dropped: tuple[str, ...]) -> list[dict[str, Any]]:
    kept = [g for g in groups if g["email-id"] not in dropped]
    assert len(kept) == len(groups) - len(dropped), dropped
    return kept


def _staging(name: str, member: str) -> dict[str, Any]:
    return {
        "email-id": f"{name}@kubernetes.io",
        "name": name,
        "description": f"ACL for {name}",
        "settings": {"ReconcileMembers": "true"},
        "members": [f"{member}@kubernetes.io"],
    }
