"""Upstream's groups files load unchanged, and the loader finds what is wrong in them.

The fixture holds upstream snapshots of different dates (its README says
which); the older two break rules the newer restrictions file sets.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import FIXTURES, invoke
from tests.groups.tree import (
    UPSTREAM_ESTATE,
    UPSTREAM_ESTATE_YAML,
    load,
    problem_lines,
    write_groups_stack,
)

UPSTREAM = FIXTURES / "groups-upstream"
NEWER = ("sig-agentic-net", "sig-scheduling", "sig-storage", "wg-node-identity")
OLDER = ("sig-k8s-infra", "sig-release")


def copy_tree(root: Path, folders: tuple[str, ...] = NEWER + OLDER) -> Path:
    target = root / "groups"
    target.mkdir(parents=True)
    shutil.copy(UPSTREAM / "restrictions.yaml", target / "restrictions.yaml")
    for folder in folders:
        shutil.copytree(UPSTREAM / folder, target / folder)
    return root


def test_the_newer_files_and_the_restrictions_pass(tmp_path: Path) -> None:
    tree, found = load(copy_tree(tmp_path, NEWER))
    assert found == []
    assert tree is not None
    assert len(tree.groups) == 18
    assert {g.file for g in tree.groups} == {f"groups/{f}/groups.yaml" for f in NEWER}


def test_groups_keep_their_fields_file_and_line(tmp_path: Path) -> None:
    tree, _ = load(copy_tree(tmp_path, NEWER))
    assert tree is not None
    group = tree.find("WG-Node-Identity@kubernetes.io")
    assert group is not None
    assert (group.file, group.line) == ("groups/wg-node-identity/groups.yaml", 28)
    assert group.name == "wg-node-identity"
    assert group.description == "Public mailing list for WG Node Identity"
    assert group.reconcile_members is False
    assert "ReconcileMembers" not in group.settings
    assert group.settings["WhoCanJoin"] == "ANYONE_CAN_JOIN"
    assert len(group.settings) == 9
    assert group.owners[0] == "contributors@kubernetes.io"
    assert group.members == ("wg-node-identity-leads@kubernetes.io",)
    leads = tree.find("group:kueue-alerts@kubernetes.io")
    assert leads is not None
    assert leads.reconcile_members is True
    assert [m.role for m in leads.memberships()] == ["MANAGER"] * 2 + ["MEMBER"] * 5


def test_the_older_snapshots_break_the_newer_restrictions(tmp_path: Path) -> None:
    """The three groups upstream later dropped from the allow-list, and one long description."""
    _, found = load(copy_tree(tmp_path))
    assert found == [
        "groups/sig-k8s-infra/groups.yaml:410:15: error: group "
        "`k8s-infra-gcs-access-logs@kubernetes.io` is not allowed in this file: rule "
        "`sig-k8s-infra/groups.yaml` (groups/restrictions.yaml:292) does not list it "
        "(hint: add '^k8s-infra-gcs-access-logs@kubernetes\\.io$' to that rule's allowedGroups)",
        "groups/sig-release/groups.yaml:2:15: error: group "
        "`k8s-infra-rbac-triageparty-release@kubernetes.io` is not allowed in this file: rule "
        "`sig-release/groups.yaml` (groups/restrictions.yaml:195) does not list it "
        "(hint: add '^k8s-infra-rbac-triageparty-release@kubernetes\\.io$' to that rule's "
        "allowedGroups)",
        "groups/sig-release/groups.yaml:134:18: error: description has 578 characters; "
        "at most 300 are allowed (hint: shorten it, and link to a document for the details)",
        "groups/sig-release/groups.yaml:172:15: error: group "
        "`k8s-infra-staging-mirror@kubernetes.io` is not allowed in this file: rule "
        "`sig-release/groups.yaml` (groups/restrictions.yaml:195) does not list it "
        "(hint: add '^k8s-infra-staging-mirror@kubernetes\\.io$' to that rule's allowedGroups)",
    ]


def test_through_the_cli(tmp_path: Path, cli: CliRunner) -> None:
    result = invoke(cli, "--root", str(copy_tree(tmp_path)), "groups", "validate")
    assert result.exit_code == 1, result.output
    assert len(problem_lines(result.stderr)) == 4
    assert "4 error(s), 0 warning(s)" in result.stderr
    result = invoke(cli, "--root", str(copy_tree(tmp_path / "newer", NEWER)), "groups", "validate")
    assert result.exit_code == 0, result.output
    assert "valid: 18 group(s), 0 warning(s)" in result.stderr


ESTATE_PROBLEMS = [
    "groups:1:1: error: group `distributors-announce@kubernetes.io` is not declared",
    "groups:1:1: error: group `leads@kubernetes.io` is not declared",
    "groups:1:1: error: group `security-discuss-private@kubernetes.io` is not declared",
    "groups:1:1: error: group `security@kubernetes.io` is not declared",
    "groups:1:1: error: no group is named `community`",
    "groups/sig-k8s-infra/groups.yaml:403:5: error: members of "
    "`k8s-infra-gcp-org-admins@kubernetes.io` are pinned: missing "
    "`sig-k8s-infra-leads@kubernetes.io`; not expected `person-004@example.com`, "
    "`person-017@example.com`, `person-108@example.com`, `person-112@example.com`",
    "groups/sig-k8s-infra/groups.yaml:428:5: error: members of "
    "`k8s-infra-group-admins@kubernetes.io` are pinned: missing `person-010@example.com`, "
    "`sig-k8s-infra-leads@kubernetes.io`; not expected `person-004@example.com`, "
    "`person-017@example.com`, `person-082@example.com`, `person-108@example.com`, "
    "`person-112@example.com`",
]


def test_estate_checks_are_opt_in_and_fail_on_a_partial_tree(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    _, without = load(root)
    _, found = load(root, estate=UPSTREAM_ESTATE)
    added = [line for line in found if line not in without]
    assert len(added) == len(ESTATE_PROBLEMS)
    for line, start in zip(added, ESTATE_PROBLEMS, strict=True):
        assert line.startswith(start), line


def test_estate_checks_read_their_expectations_from_the_groups_stack(
    tmp_path: Path, cli: CliRunner
) -> None:
    root = copy_tree(tmp_path)
    write_groups_stack(root, "root: groups\n" + UPSTREAM_ESTATE_YAML)
    _, expected = load(root, estate=UPSTREAM_ESTATE)
    result = invoke(cli, "--root", str(root), "groups", "validate", "--estate-checks")
    assert result.exit_code == 1, result.output
    assert problem_lines(result.stderr) == expected
    result = invoke(cli, "--root", str(root), "groups", "validate")
    assert len(problem_lines(result.stderr)) == 4  # set, but off unless asked for


@pytest.mark.parametrize("folder", NEWER + OLDER)
def test_no_personal_address_is_left_in_the_fixture(folder: str) -> None:
    text = (UPSTREAM / folder / "groups.yaml").read_text(encoding="utf-8")
    for word in text.split():
        if "@" in word and not word.startswith("^"):
            assert word.endswith(("@kubernetes.io", "@example.com", "@lists.cncf.io")), word
