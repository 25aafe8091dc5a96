"""The doublestar matcher behind restrictions.yaml paths.

Upstream matches with Go's doublestar, where ``*`` stops at ``/`` and a
``**`` component spans directories. Python's own matchers differ, which the
first test pins down: a rule that works upstream must work here too.
"""

from __future__ import annotations

import fnmatch
from pathlib import PurePosixPath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infra.groups.doublestar import BadPattern, compile_glob, match


def test_python_matchers_disagree_with_doublestar() -> None:
    """Why the project has its own matcher: fnmatch and PurePath.match get these wrong."""
    assert not PurePosixPath("groups.yaml").match("**/*")
    assert match("**/*", "groups.yaml")
    assert fnmatch.fnmatchcase("a/b/groups.yaml", "*/groups.yaml")
    assert not match("*/groups.yaml", "a/b/groups.yaml")


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("groups.yaml", "groups.yaml", True),
        ("groups.yaml", "sig-a/groups.yaml", False),
        ("sig-release/groups.yaml", "sig-release/groups.yaml", True),
        ("sig-release/groups.yaml", "sig-release-x/groups.yaml", False),
        ("*/groups.yaml", "sig-a/groups.yaml", True),
        ("*/groups.yaml", "groups.yaml", False),
        ("*/groups.yaml", "a/b/groups.yaml", False),
        ("**/*", "groups.yaml", True),
        ("**/*", "a/b/c/groups.yaml", True),
        ("**/groups.yaml", "groups.yaml", True),
        ("**/groups.yaml", "a/b/groups.yaml", True),
        ("a/**/groups.yaml", "a/groups.yaml", True),
        ("a/**/groups.yaml", "a/x/y/groups.yaml", True),
        ("a/**/groups.yaml", "b/a/groups.yaml", False),
        ("a/**", "a/x", True),
        ("a/**", "a/x/y", True),
        ("a/**", "a", False),  # a trailing ** needs something below
        ("**", "anything/at/all", True),
        ("sig-*/groups.yaml", "sig-node/groups.yaml", True),
        ("sig-*/groups.yaml", "wg-lts/groups.yaml", False),
        ("sig-**/groups.yaml", "sig-x/groups.yaml", True),  # ** inside a name is a *
        ("sig-**/groups.yaml", "sig-x/y/groups.yaml", False),
        ("wg-?ts/groups.yaml", "wg-lts/groups.yaml", True),
        ("wg-?ts/groups.yaml", "wg-/groups.yaml", False),
        ("{sig,wg}-*/groups.yaml", "wg-batch/groups.yaml", True),
        ("{sig,wg}-*/groups.yaml", "committee-x/groups.yaml", False),
        ("sig-{a,b{c,d}}/x", "sig-bd/x", True),
        ("x{a,}", "x", True),
        ("[a-c]/x", "b/x", True),
        ("[a-c]/x", "d/x", False),
        ("[^a-c]/x", "d/x", True),
        ("[!a-c]/x", "a/x", False),
        ("[\\]]/x", "]/x", True),
        ("a\\*b", "a*b", True),
        ("a\\*b", "axb", False),
        ("a\\/b", "a/b", False),  # an escaped / stays inside one component
    ],
)
def test_match(pattern: str, path: str, expected: bool) -> None:
    assert match(pattern, path) is expected


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("sig-[a/groups.yaml", "`[` without a closing `]`"),
        ("sig-{a,b/groups.yaml", "`{` without a closing `}`"),
        ("[]/x", "empty character class"),
        ("[^]/x", "empty character class"),
        ("[-a]", "`-` without a start of range"),
        ("[a-]", "range without an end"),
        ("[z-a]", "bad character range"),
        ("x\\", "ends with an escaping backslash"),
    ],
)
def test_malformed_patterns_fail_when_compiled(pattern: str, reason: str) -> None:
    with pytest.raises(BadPattern, match=reason.replace("[", "\\[").replace("{", "\\{")):
        compile_glob(pattern)


NAME = st.text(alphabet="abc.-_", min_size=1, max_size=6)
PATH = st.lists(NAME, min_size=1, max_size=5).map("/".join)


@given(PATH, PATH)
def test_a_literal_pattern_matches_only_itself(pattern: str, path: str) -> None:
    assert match(pattern, path) is (pattern == path)


@given(st.lists(NAME, max_size=4), NAME)
def test_doublestar_prefix_matches_at_any_depth(directories: list[str], name: str) -> None:
    path = "/".join([*directories, name])
    assert match(f"**/{name}", path)
    assert match("**/*", path)
    assert match("**", path)


@given(st.lists(NAME, min_size=2, max_size=5))
def test_a_single_star_never_crosses_a_slash(parts: list[str]) -> None:
    assert not match("*", "/".join(parts))
    assert match("/".join("*" for _ in parts), "/".join(parts))


@given(
    st.text(alphabet="ab*?", min_size=1, max_size=8),
    st.text(alphabet="ab", max_size=8),
)
def test_within_one_component_it_agrees_with_fnmatch(pattern: str, name: str) -> None:
    """fnmatch is right when no `/` is involved: use it as the reference there."""
    assert match(pattern, name) is fnmatch.fnmatchcase(name, pattern)


@given(st.lists(NAME, min_size=1, max_size=4), st.lists(NAME, min_size=1, max_size=4))
def test_double_star_in_the_middle_spans_zero_or_more_directories(
    head: list[str], tail: list[str]
) -> None:
    pattern = "/".join([*head, "**", *tail])
    assert match(pattern, "/".join([*head, *tail]))
    assert match(pattern, "/".join([*head, "x", "y", *tail]))
