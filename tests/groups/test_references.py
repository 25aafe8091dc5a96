"""check_referenced_groups: grants to groups nobody declares are reported where they are written."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.core.problems import Position, Problems, Severity
from infra.groups.loader import check_referenced_groups
from infra.groups.model import GroupsTree
from tests.groups.tree import load, write_tree

STAGING = "infra/infra.yaml"


@pytest.fixture
def tree(tmp_path: Path) -> GroupsTree:
    text = (
        "groups:\n"
        "  - email-id: k8s-infra-staging-foo@kubernetes.io\n"
        "    name: k8s-infra-staging-foo\n"
        '    settings:\n      ReconcileMembers: "true"\n'
        "  - email-id: sig-foo-leads@kubernetes.io\n"
        "    name: sig-foo-leads\n"
    )
    loaded, found = load(write_tree(tmp_path, {"sig-foo/groups.yaml": text}))
    assert found == []
    assert loaded is not None
    return loaded


def check(
    tree: GroupsTree, *references: tuple[str, Position], severity: Severity = "error"
) -> list[str]:
    problems = Problems()
    check_referenced_groups(tree, references, problems, severity=severity)
    return [p.format() for p in problems]


def test_declared_groups_pass_bare_or_as_iam_members_in_any_case(tree: GroupsTree) -> None:
    assert (
        check(
            tree,
            ("group:k8s-infra-staging-foo@kubernetes.io", Position(STAGING, 3, 7)),
            ("K8s-Infra-Staging-Foo@kubernetes.io", Position(STAGING, 4, 7)),
            ("group:sig-foo-leads@kubernetes.io", Position("stacks/Pulumi.x.yaml", 9, 5)),
        )
        == []
    )


def test_other_iam_members_are_not_groups(tree: GroupsTree) -> None:
    assert (
        check(
            tree,
            ("user:someone@example.com", Position(STAGING, 1, 1)),
            ("serviceAccount:sa@p.iam.gserviceaccount.com", Position(STAGING, 2, 1)),
            ("domain:kubernetes.io", Position(STAGING, 3, 1)),
        )
        == []
    )


def test_a_missing_group_is_reported_at_its_reference(tree: GroupsTree) -> None:
    found = check(
        tree,
        ("group:k8s-infra-staging-bar@kubernetes.io", Position(STAGING, 12, 7)),
        ("release-managers@kubernetes.io", Position("stacks/Pulumi.staging.yaml", 4, 3)),
    )
    assert found == [
        # the shared writer-group prefix alone does not make `foo` a likely typo of `bar`
        "infra/infra.yaml:12:7: error: group `k8s-infra-staging-bar@kubernetes.io` is not "
        "declared under groups/ (hint: declare it in a groups.yaml under groups/ and allow it in "
        "groups/restrictions.yaml; a grant to a missing group fails when applied)",
        "stacks/Pulumi.staging.yaml:4:3: error: group `release-managers@kubernetes.io` is not "
        "declared under groups/ (hint: declare it in a groups.yaml under groups/ and allow it in "
        "groups/restrictions.yaml; a grant to a missing group fails when applied)",
    ]


def test_the_severity_can_be_a_warning(tree: GroupsTree) -> None:
    found = check(tree, ("group:nobody@kubernetes.io", Position(STAGING, 1, 1)), severity="warning")
    assert len(found) == 1
    assert found[0].startswith("infra/infra.yaml:1:1: warning: group `nobody@kubernetes.io`")


def test_every_reference_is_reported_even_when_repeated(tree: GroupsTree) -> None:
    where = [Position(STAGING, line, 5) for line in (3, 8)]
    found = check(tree, *(("group:ghost@kubernetes.io", w) for w in where))
    assert [line.split(": error:")[0] for line in found] == [
        "infra/infra.yaml:3:5",
        "infra/infra.yaml:8:5",
    ]


def test_the_message_names_the_tree_folder() -> None:
    found = check(GroupsTree((), root="people"), ("ghost@kubernetes.io", Position(STAGING)))
    assert "is not declared under people/" in found[0]
    assert "allow it in people/restrictions.yaml" in found[0]


def test_a_likely_typo_gets_a_suggestion(tree: GroupsTree) -> None:
    found = check(tree, ("group:k8s-infra-staging-fooo@kubernetes.io", Position(STAGING, 2, 9)))
    assert found == [
        "infra/infra.yaml:2:9: error: group `k8s-infra-staging-fooo@kubernetes.io` is not "
        "declared under groups/ (hint: did you mean `k8s-infra-staging-foo@kubernetes.io`?)"
    ]
