"""The shipped sample tree: every group the declarations grant access to, where upstream puts it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infra.core import names
from infra.core.located_yaml import YamlDocument, load_yaml
from infra.core.problems import Position, Problems
from infra.declarations.estate import load_estate
from infra.declarations.facts import load_facts
from infra.groups.doublestar import compile_glob
from infra.groups.loader import check_referenced_groups, load_groups
from infra.groups.model import GroupsTree
from infra.groups.restrictions import Restrictions, load_restrictions
from tests.conftest import FIXTURES, REPO

GROUP_FILES = sorted((REPO / "groups").rglob("groups.yaml"))
assert GROUP_FILES, "found no files"
ADMIN_GROUPS = (
    "k8s-infra-artifact-admins",
    "k8s-infra-artifact-security",
    "k8s-infra-release-admins",
    "k8s-infra-release-editors",
    "k8s-infra-release-viewers",
    "k8s-infra-oci-proxy-admins",
    "sig-k8s-infra-leads",
    "k8s-infra-group-admins",
)
# Not allowed anywhere by upstream's restrictions: SIG API Machinery owns the project.
NOT_IN_UPSTREAM = {"k8s-infra-staging-storage-migrator@kubernetes.io"}


@pytest.fixture(scope="module")
def sample() -> GroupsTree:
    problems = Problems()
    tree = load_groups(REPO, problems)
    assert [p.format() for p in problems] == []
    assert tree is not None
    return tree


def restrictions_of(root: Path, folder: str) -> Restrictions:
    problems = Problems()
    found = load_restrictions(root, folder, problems)
    assert found is not None
    assert not problems.has_errors
    return found


def group_references(document: YamlDocument) -> Iterator[tuple[str, Position]]:
    """Every `group:` member written anywhere in a declaration file."""

    def walk(value: Any, path: tuple[str | int, ...]) -> Iterator[tuple[str, Position]]:
        if isinstance(value, dict):
            for key, inner in value.items():
                yield from walk(inner, (*path, key))
        elif isinstance(value, list):
            for index, inner in enumerate(value):
                yield from walk(inner, (*path, index))
        elif isinstance(value, str) and value.startswith("group:"):
            yield value, document.at(*path)

    yield from walk(document.data, ())


def test_every_group_the_declarations_grant_to_is_declared(sample: GroupsTree) -> None:
    files = [REPO / "infra" / "infra.yaml", *sorted((REPO / "stacks").glob("*.yaml"))]
    references: list[tuple[str, Position]] = []
    for file in files:
        document = load_yaml(file, file.relative_to(REPO).as_posix(), Problems())
        assert document is not None
        references += group_references(document)
    assert len(references) >= 2
    problems = Problems()
    check_referenced_groups(sample, references, problems)
    assert [p.format() for p in problems] == []


def test_every_staging_project_has_its_writer_group(sample: GroupsTree) -> None:
    estate = load_estate(REPO, load_facts(), Problems())
    assert estate is not None
    projects = [p.project_id for p in estate.projects("staging")]
    assert len(projects) > 80
    for project in projects:
        address = names.staging_writer_group(names.staging_suffix(project), "kubernetes.io")
        declared = sample.find(address) is not None
        # the untrusted build project has no writers
        assert declared is (project != "k8s-staging-gcb-untrusted"), project


@pytest.mark.parametrize("name", ADMIN_GROUPS)
def test_the_admin_release_and_proxy_groups_are_declared(sample: GroupsTree, name: str) -> None:
    assert sample.find(f"{name}@kubernetes.io") is not None


def test_restrictions_allow_exactly_what_the_sample_declares(sample: GroupsTree) -> None:
    restrictions = restrictions_of(REPO, "groups")
    *rules, catch_all = restrictions.rules
    assert (catch_all.path.pattern, catch_all.allowed) == ("**/*", ())
    files = {f.relative_to(REPO / "groups").as_posix() for f in GROUP_FILES}
    assert {rule.path.pattern for rule in rules} == files
    for rule in rules:
        declared = [g.email for g in sample.groups if g.file == f"groups/{rule.path.pattern}"]
        assert len(rule.allowed) == len(declared), rule.path.pattern
        for pattern in rule.allowed:
            matched = [g.email for g in sample.groups if pattern.search(g.email)]
            assert len(matched) == 1, (pattern.pattern, matched)
            assert matched[0] in declared, (pattern.pattern, rule.path.pattern)


def test_each_group_sits_where_upstream_allows_it(sample: GroupsTree) -> None:
    upstream = restrictions_of(FIXTURES / "upstream-tree", "groups")
    for group in sample.groups:
        path = group.file.removeprefix("groups/")
        allowed = upstream.allows(path, group.email)
        assert allowed is (group.email not in NOT_IN_UPSTREAM), (group.email, path)


@pytest.mark.parametrize("file", [*GROUP_FILES, REPO / "groups" / "restrictions.yaml"],
                         ids=lambda p: p.parent.name)  # fmt: skip
def test_every_file_says_it_is_a_sample(file: Path) -> None:
    # after the first line, which names the file's schema for editors
    modeline, _, rest = file.read_text(encoding="utf-8").partition("\n")
    assert modeline.startswith("# yaml-language-server: $schema=")
    head = rest[:400]
    assert head.startswith("# Sample declarations")
    assert "synthetic" in head
    assert "real declarations" in head


def test_member_addresses_are_synthetic(sample: GroupsTree) -> None:
    addresses = [m.email for g in sample.groups for m in g.memberships()]
    assert len(addresses) >= 2 * len(sample.groups)
    assert all(a.endswith("@example.com") for a in addresses)


def test_the_catch_all_really_closes_other_files() -> None:
    """A file added outside the listed folders may declare nothing."""
    restrictions = restrictions_of(REPO, "groups")
    assert compile_glob("**/*").matches("sig-new/groups.yaml")
    rule = restrictions.rule_for("sig-new/groups.yaml")
    assert rule is not None
    assert not rule.allows("sig-new@kubernetes.io")
