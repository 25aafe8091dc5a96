"""Upstream's own tree as `--root`: only its real problems are reported, and fixed, it plans.

The fixture (tests/fixtures/upstream-tree) holds every upstream groups file,
the restrictions and infra.yaml; `tests/groups/upstream_tree.py` says which
of its problems are upstream's data bugs and which come from mixing file
versions, and how a copy fixes each.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from tests.conftest import REPO, invoke
from tests.groups.tree import load, problem_lines
from tests.groups.upstream_tree import (
    GROUPS,
    UPSTREAM_TREE,
    copy_tree,
    declared,
    fixed_copy,
    memberships,
)

# The fixture's counts, read with plain YAML (groups under `groups:` keys only).
GROUPS_DECLARED, MEMBERSHIPS_DECLARED = 276, 1463
# Fixed: the three `teams:` files' 6 groups count, 8 version-mix groups go, 7 come.
GROUPS_FIXED, MEMBERSHIPS_FIXED = 281, 1447
STAGING_PROJECTS = 93

# Upstream's data bugs, as reported: (location, what the line says).
REAL_BUGS = [
    ("groups/sig-api-machinery/groups.yaml:92:15: error:",
     "group `k8s-infra-staging-storage-migrator@kubernetes.io` is not allowed in this file"),
    ("groups/sig-etcd/groups.yaml:42:7: error:",
     "member `sig-etcd-leads` is not a valid address: it has no `@`"),
    ("groups/sig-multicluster/groups.yaml:1:1: error:",
     "top-level key `teams` instead of `groups`: the groups under it are never created"),
    ("groups/wg-policy/groups.yaml:1:1: error:",
     "top-level key `teams` instead of `groups`: the groups under it are never created"),
    ("groups/wg-structured-logging/groups.yaml:1:1: error:",
     "top-level key `teams` instead of `groups`: the groups under it are never created"),
]  # fmt: skip

# What only the two older files bring (see the fixture's README).
_CONFORM = ("inspur", "capi-openstack", "cri-o", "huaweicloud", "provider-openstack", "s390x-k8s")
_CONFORM_LINES = (152, 172, 186, 197, 207, 218)
VERSION_MIX = [
    *(
        (f"groups/sig-architecture/groups.yaml:{line}:15: error:",
         f"group `k8s-infra-conform-{name}@kubernetes.io` is not allowed in this file")
        for line, name in zip(_CONFORM_LINES, _CONFORM, strict=True)
    ),
    *(
        (f"groups/sig-architecture/groups.yaml:{line}:7: error:", f"unknown key `{key}`")
        for line, key in zip(
            (162, 163, 164, 165),
            ("WhoCanInvite", "WhoCanAdd", "WhoCanApproveMembers", "WhoCanModifyMembers"),
            strict=True,
        )
    ),
    ("groups/sig-release/groups.yaml:146:15: error:",
     "group `k8s-infra-staging-mirror@kubernetes.io` is not allowed in this file"),
    ("groups/sig-release/groups.yaml:429:15: error:",
     "RBAC group `k8s-infra-rbac-triageparty-release@kubernetes.io` is not a member of"),
    ("groups/sig-release/groups.yaml:429:15: error:",
     "group `k8s-infra-rbac-triageparty-release@kubernetes.io` is not allowed in this file"),
]  # fmt: skip
# ...and in the estate's grants, groups the newer files declare.
VERSION_MIX_GRANTS = [
    ("infra/data/prod-storage.yaml:28:41: error:", "k8s-infra-push-sig-release@kubernetes.io"),
    ("infra/gcp/infra.yaml:306:7: error:", "k8s-infra-staging-bom@kubernetes.io"),
    ("infra/gcp/infra.yaml:356:7: error:", "k8s-infra-staging-kubebuilder@kubernetes.io"),
    ("infra/gcp/infra.yaml:372:7: error:", "k8s-infra-staging-publishing-bot@kubernetes.io"),
    ("infra/gcp/infra.yaml:387:7: error:", "k8s-infra-staging-zeitgeist@kubernetes.io"),
    ("infra/gcp/infra.yaml:388:7: error:", "k8s-infra-staging-tejolote@kubernetes.io"),
    ("infra/gcp/infra.yaml:390:7: error:", "k8s-infra-staging-tg-exporter@kubernetes.io"),
]

# Warnings only: addresses with uppercase letters, planned in lowercase.
MIXED_CASE = [
    ("groups/committee-security-response/groups.yaml:65:9", "member", "Person-041@example.com"),
    ("groups/sig-release/groups.yaml:333:9", "member", "Person-088@example.com"),
    ("groups/sig-release/groups.yaml:334:9", "member", "Person-423@example.com"),
    ("groups/sig-release/groups.yaml:384:9", "member", "Person-423@example.com"),
    ("groups/wg-node-lifecycle/groups.yaml:20:9", "owner", "Person-540@example.com"),
    ("groups/wg-node-lifecycle/groups.yaml:45:9", "owner", "Person-540@example.com"),
]
ESTATE_WARNINGS = [
    ("infra/gcp/infra.yaml:281:28: warning:", "project `k8s-infra-purgatory` has a bare string"),
    ("infra/gcp/infra.yaml:286:7: warning:", "project `k8s-release-test-prod` is listed in"),
]  # fmt: skip


def case_warning(where: str, role: str, address: str) -> str:
    lower = address.lower()
    return (
        f"{where}: warning: {role} `{address}` has uppercase letters; it is planned as `{lower}` "
        f"(hint: write `{lower}`: Google compares addresses case-insensitively and stores them "
        "in lowercase)"
    )


def assert_reported(lines: list[str], expected: list[tuple[str, str]]) -> None:
    """Exactly these problems, each at its place, in the order printed (sorted)."""
    assert len(lines) == len(expected), "\n".join(lines)
    for line, (where, says) in zip(lines, sorted(expected), strict=True):
        assert line.startswith(where), line
        assert says in line, line


def case_lines(lines: list[str]) -> list[str]:
    return [line for line in lines if "has uppercase letters" in line]


def test_the_fixture_holds_what_its_readme_says() -> None:
    folders = sorted(p.parent.name for p in GROUPS.rglob("groups.yaml"))
    assert len(folders) == 43
    readme = (UPSTREAM_TREE / "README.md").read_text(encoding="utf-8")
    for folder in folders:
        assert f"`groups/{folder}/groups.yaml` | `" in readme, folder
    assert "`groups/restrictions.yaml` | `" in readme
    assert "`infra/gcp/infra.yaml` | `" in readme
    groups = list(declared(UPSTREAM_TREE))
    assert len(groups) == GROUPS_DECLARED
    assert sum(len(memberships(g)) for g in groups) == MEMBERSHIPS_DECLARED


def test_the_adoption_page_states_the_fixture_s_counts() -> None:
    page = " ".join((REPO / "docs" / "approver" / "adoption.md").read_text().split())
    assert (
        f"43 groups files, `{GROUPS_DECLARED:,}` groups, `{MEMBERSHIPS_DECLARED:,}` memberships, "
        f"{STAGING_PROJECTS} staging projects"
    ) in page


def test_validate_reports_the_real_bugs_and_the_version_mix(cli: CliRunner) -> None:
    result = invoke(cli, "validate", "--root", str(UPSTREAM_TREE))
    assert result.exit_code == 1, result.output
    lines = problem_lines(result.stderr)
    assert case_lines(lines) == sorted(case_warning(*c) for c in MIXED_CASE)
    others = [line for line in lines if line not in case_lines(lines)]
    assert_reported(others, REAL_BUGS + VERSION_MIX + VERSION_MIX_GRANTS + ESTATE_WARNINGS)
    assert "25 error(s), 8 warning(s)" in result.stderr
    assert result.stdout == ""


def test_groups_validate_reports_the_groups_problems_only(cli: CliRunner) -> None:
    result = invoke(cli, "groups", "validate", "--root", str(UPSTREAM_TREE))
    assert result.exit_code == 1, result.output
    lines = problem_lines(result.stderr)
    assert_reported(
        [line for line in lines if line not in case_lines(lines)], REAL_BUGS + VERSION_MIX
    )
    assert "18 error(s), 6 warning(s)" in result.stderr


def test_with_the_real_bugs_fixed_only_the_version_mix_is_left(
    cli: CliRunner, tmp_path: Path
) -> None:
    root = fixed_copy(tmp_path / "tree", mixing=False)
    lines = problem_lines(invoke(cli, "validate", "--root", str(root)).stderr)
    others = [line for line in lines if line not in case_lines(lines)]
    assert_reported(others, VERSION_MIX + VERSION_MIX_GRANTS + ESTATE_WARNINGS)


def test_fixed_it_validates(cli: CliRunner, tmp_path: Path) -> None:
    root = fixed_copy(tmp_path / "tree")
    result = invoke(cli, "validate", "--root", str(root))
    assert result.exit_code == 0, result.output
    lines = problem_lines(result.stderr)
    assert len(case_lines(lines)) == len(MIXED_CASE)
    assert len(lines) == len(MIXED_CASE) + len(ESTATE_WARNINGS)
    tree, found = load(root)
    assert tree is not None
    assert len(tree.groups) == GROUPS_FIXED
    assert not [line for line in found if ": error:" in line]


def test_a_broken_groups_file_is_not_planned(cli: CliRunner, tmp_path: Path) -> None:
    """The groups stack's own inputs are broken: no plan (a partial one reads as deletions)."""
    result = invoke(cli, "plan", "groups", "--json", "--root", str(copy_tree(tmp_path / "tree")))
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert "member `sig-etcd-leads` is not a valid address" in result.stderr


def plan(cli: CliRunner, root: Path, stack: str) -> dict[str, Any]:
    result = invoke(cli, "plan", stack, "--json", "--root", str(root))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


@pytest.mark.plan
def test_fixed_it_plans_every_group_and_membership(cli: CliRunner, tmp_path: Path) -> None:
    root = fixed_copy(tmp_path / "tree")
    planned = plan(cli, root, "groups")["resources"]
    groups = [r["inputs"] for r in planned if r["type"].endswith(":GoogleGroup")]
    expected = {g["email-id"].lower(): memberships(g) for g in declared(root)}
    assert len(groups) == len(expected) == GROUPS_FIXED
    found = {g["email"]: {*g["owners"], *g["managers"], *g["members"]} for g in groups}
    assert found == expected
    assert sum(len(m) for m in found.values()) == MEMBERSHIPS_FIXED
    # The mixed-case addresses are planned as Google stores them.
    leads = found["wg-node-lifecycle-leads@kubernetes.io"]
    assert "person-540@example.com" in leads
    assert all(a == a.lower() for members in found.values() for a in members)


@pytest.mark.plan
def test_fixed_it_plans_every_staging_project(cli: CliRunner, tmp_path: Path) -> None:
    """Every staging project of upstream's infra.yaml.

    On a copy with the groups fixed: that `plan staging` also plans while a
    groups file is broken comes with each stack planning from its own inputs.
    """
    root = fixed_copy(tmp_path / "tree")
    estate = yaml.safe_load((root / "infra" / "gcp" / "infra.yaml").read_text(encoding="utf-8"))
    projects = set(estate["infra"]["staging"]["projects"])
    assert len(projects) == STAGING_PROJECTS
    planned = plan(cli, root, "staging")["resources"]
    types = Counter(r["type"] for r in planned)
    assert types["gcp:organizations/project:Project"] == STAGING_PROJECTS
    names = {r["inputs"]["projectId"] for r in planned if r["type"].endswith("/project:Project")}
    assert names == projects


@pytest.mark.plan
def test_staging_plans_from_the_tree_as_it_is(cli: CliRunner, tmp_path: Path) -> None:
    """Each stack plans from what it reads: upstream's groups files as they are (broken
    ones included) stop the groups stack, not the 93 staging projects; the command
    exits 1, listing the problems."""
    root = copy_tree(tmp_path / "tree")
    result = invoke(cli, "plan", "staging", "--json", "--root", str(root))
    assert result.exit_code == 1, result.output
    planned = json.loads(result.stdout)["resources"]
    projects = [r for r in planned if r["type"] == "gcp:organizations/project:Project"]
    assert len(projects) == STAGING_PROJECTS
    assert "member `sig-etcd-leads` is not a valid address" in result.stderr
    assert "the stacks planned do not read them" in result.stderr


@pytest.mark.parametrize("path", sorted(GROUPS.rglob("groups.yaml")), ids=lambda p: p.parent.name)
def test_no_personal_address_is_left_in_the_fixture(path: Path) -> None:
    kept = ("@kubernetes.io", "@example.com", "@Example.com", "@lists.cncf.io", "@etcd.io",
            ".iam.gserviceaccount.com")  # fmt: skip
    for word in path.read_text(encoding="utf-8").split():
        if "@" in word[1:] and not word.startswith(("^", '"^')):  # `@handle` is not an address
            assert word.endswith(kept), word
