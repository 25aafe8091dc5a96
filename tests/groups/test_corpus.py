"""Broken groups and restrictions files, refused through the CLI with exact problem lines.

Each ``tests/fixtures/groups-malformed/NAME.yaml`` becomes
``groups/sig-example/groups.yaml`` of a tree whose restrictions allow
everything; each ``groups-restrictions-malformed/NAME.yaml`` becomes the
restrictions file of a tree declaring one valid group. ``NAME.expect`` holds
the exact lines ``k8s-infra groups validate`` must print.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from infra.core.problems import Problems
from infra.groups.loader import load_groups
from tests.conftest import FIXTURES, invoke
from tests.groups.tree import problem_lines, write_tree

GROUPS_CORPUS = sorted((FIXTURES / "groups-malformed").glob("*.yaml"))
RESTRICTIONS_CORPUS = sorted((FIXTURES / "groups-restrictions-malformed").glob("*.yaml"))
assert GROUPS_CORPUS and RESTRICTIONS_CORPUS, "found no files"

ONE_GROUP = """\
groups:
  - email-id: sig-example@kubernetes.io
    name: sig-example
"""


def test_corpus_is_large_enough() -> None:
    assert len(GROUPS_CORPUS) >= 30
    assert len(RESTRICTIONS_CORPUS) >= 10


def check(root: Path, fixture: Path, cli: CliRunner) -> None:
    result = invoke(cli, "--root", str(root), "groups", "validate")
    expected = fixture.with_suffix(".expect").read_text(encoding="utf-8").splitlines()
    assert result.exit_code == 1, result.output
    assert problem_lines(result.stderr) == expected
    assert "Traceback" not in result.output
    assert result.stdout == ""


@pytest.mark.parametrize("fixture", GROUPS_CORPUS, ids=lambda p: p.stem)
def test_broken_groups_file(fixture: Path, tmp_path: Path, cli: CliRunner) -> None:
    text = fixture.read_text(encoding="utf-8")
    check(write_tree(tmp_path, {"sig-example/groups.yaml": text}), fixture, cli)


@pytest.mark.parametrize("fixture", RESTRICTIONS_CORPUS, ids=lambda p: p.stem)
def test_broken_restrictions(fixture: Path, tmp_path: Path, cli: CliRunner) -> None:
    text = fixture.read_text(encoding="utf-8")
    root = write_tree(tmp_path, {"sig-example/groups.yaml": ONE_GROUP}, restrictions=text)
    check(root, fixture, cli)


SCALARS = st.none() | st.booleans() | st.integers() | st.text(max_size=12)
KEYS = st.sampled_from(
    ["groups", "email-id", "name", "settings", "owners", "members", "WhoCanJoin", "x"]
)
DATA = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.just("groups"), st.lists(DATA, max_size=3)) | DATA)
def test_any_yaml_is_reported_never_raised(data: object) -> None:
    """Whatever shape a file has, the loader reports problems instead of failing."""
    with tempfile.TemporaryDirectory() as folder:
        root = write_tree(Path(folder), {"sig-x/groups.yaml": yaml.safe_dump(data)})
        problems = Problems()
        tree = load_groups(root, problems)
        assert tree is not None
        for group in tree.groups:
            assert isinstance(group.email, str)
            assert all(isinstance(v, str) for v in group.settings.values())
