"""Unmanaged groups: never deleted by default; deleted only with a prefix and a threshold."""

from __future__ import annotations

import pytest

from infra.core.errors import UsageError
from infra.groups.engine.apis import GoogleApis
from infra.groups.engine.deletion import DeletionPolicy, TooManyDeletions
from infra.groups.engine.reconcile import Options, apply_change_set, compare_all
from infra.groups.model import GroupsTree
from tests.fake_google import FakeGoogle
from tests.groups.engine.helpers import group, sync

ALICE = "alice@example.com"


def seed(fake: FakeGoogle) -> GroupsTree:
    for email in (
        "k8s-infra-kept@example.com",
        "k8s-infra-old@example.com",
        "k8s-infra-older@example.com",
        "leads@example.com",
    ):
        fake.workspace.add_group(email, email.split("@")[0], owners=(ALICE,))
    return GroupsTree((group("k8s-infra-kept@example.com", owners=(ALICE,)),))


def test_unmanaged_groups_are_not_deleted_by_default(
    fake: FakeGoogle, apis: GoogleApis, options: Options
) -> None:
    tree = seed(fake)
    report = sync(apis, options, *tree.groups)
    assert not [c for c in report.compared.changes if c.kind == "delete_group"]
    assert len(fake.workspace.groups) == 4
    assert ("DELETE", "/admin/directory/v1/groups") not in {
        (m, p.rsplit("/", 1)[0]) for m, p in fake.counters.log
    }


def test_the_opt_in_deletes_only_undeclared_groups_under_the_prefix(
    fake: FakeGoogle, apis: GoogleApis, options: Options
) -> None:
    tree = seed(fake)
    policy = DeletionPolicy("K8S-INFRA-", max_deletions=2)
    report = apply_change_set(apis, compare_all(apis, tree, options, policy), options)
    assert [c.group for c in report.applied if c.kind == "delete_group"] == [
        "k8s-infra-old@example.com",
        "k8s-infra-older@example.com",
    ]
    assert fake.workspace.emails() == {"k8s-infra-kept@example.com", "leads@example.com"}


def test_more_deletions_than_the_threshold_delete_nothing(
    fake: FakeGoogle, apis: GoogleApis, options: Options
) -> None:
    tree = seed(fake)
    with pytest.raises(TooManyDeletions) as raised:
        compare_all(apis, tree, options, DeletionPolicy("k8s-infra-", max_deletions=1))
    reason = "it starts with `k8s-infra-` and no declaration names it"
    assert raised.value.problem_lines == [
        f"groups:1:1: error: would delete `k8s-infra-old@example.com`: {reason}",
        f"groups:1:1: error: would delete `k8s-infra-older@example.com`: {reason}",
    ]
    assert "--max-deletions" not in raised.value.message + str(raised.value.hint)
    assert len(fake.workspace.groups) == 4
    assert all(method == "GET" for method, _ in fake.counters.log)


def test_a_declared_address_in_another_spelling_is_not_unmanaged(
    fake: FakeGoogle, apis: GoogleApis, options: Options
) -> None:
    seed(fake)
    tree = GroupsTree(
        tuple(
            group(e, owners=(ALICE,))
            for e in (
                "K8s-Infra-Kept@example.com",
                "k8s-infra-o.ld@example.com",
                "k8s-infra-older@EXAMPLE.com",
            )
        )
    )
    compared = compare_all(apis, tree, options, DeletionPolicy("k8s-infra-", max_deletions=0))
    assert [c for c in compared.changes if c.kind == "delete_group"] == []


def test_the_opt_in_needs_a_prefix() -> None:
    with pytest.raises(UsageError):
        DeletionPolicy("  ", max_deletions=3)
