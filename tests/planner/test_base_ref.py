"""`plan --base REF`: a base is a commit, verified before anything runs; never an
option, a refspec or nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from infra.planner.worktree import InvalidBase, check_commitish, resolve_commit
from tests.conftest import git, invoke


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A small committed repository with an `origin` to fetch from."""
    origin = tmp_path / "origin"
    origin.mkdir()
    git(origin, "init", "-q", "-b", "main")
    (origin / "file").write_text("one\n")
    git(origin, "add", ".")
    git(origin, "commit", "-qm", "one")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(origin), str(clone))
    return clone


HOSTILE = [
    "",
    "   ",
    "--upload-pack=touch {marker}",
    "-c core.sshCommand=touch {marker}",
    "HEAD:refs/heads/hijacked",
    "+HEAD:refs/heads/main",
    "main:main",
    "main\nHEAD",
    "main\x00",
    "ma in",
]


@pytest.mark.parametrize("ref", HOSTILE, ids=repr)
def test_a_hostile_base_is_refused_before_git_runs(repo: Path, tmp_path: Path, ref: str) -> None:
    marker = tmp_path / "executed"
    branches = git(repo, "branch", "--list")
    with pytest.raises(InvalidBase):
        resolve_commit(repo, ref.format(marker=marker))
    assert not marker.exists()
    assert git(repo, "branch", "--list") == branches


@pytest.mark.parametrize("ref", ["--upload-pack=touch {marker}", "HEAD:refs/heads/x", ""])
def test_the_cli_refuses_them_with_exit_2_and_one_line(
    repo: Path, tmp_path: Path, cli: CliRunner, checkout_copy: Path, ref: str
) -> None:
    marker = tmp_path / "executed"
    result = invoke(cli, "--root", str(checkout_copy), "plan", "groups", "--base",
                    ref.format(marker=marker))  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "error: --base: " in result.stderr
    assert "Traceback" not in result.output
    assert not marker.exists()


@pytest.mark.parametrize("ref", ["main", "HEAD", "HEAD~0", "origin/main", "v1.2.3", "a1b2c3d"])
def test_ordinary_commit_names_pass_the_check(ref: str) -> None:
    assert check_commitish(ref) == ref


def test_a_ref_only_origin_has_is_fetched_without_writing_a_branch(
    repo: Path, tmp_path: Path
) -> None:
    origin = tmp_path / "origin"
    git(origin, "checkout", "-q", "-b", "feature")
    (origin / "file").write_text("two\n")
    git(origin, "commit", "-qam", "two")
    wanted = git(origin, "rev-parse", "HEAD")
    before = git(repo, "for-each-ref", "refs/heads")
    assert resolve_commit(repo, "feature") == wanted
    assert git(repo, "for-each-ref", "refs/heads") == before


def test_an_unknown_ref_is_a_usage_error(repo: Path) -> None:
    with pytest.raises(InvalidBase, match="not known here"):
        resolve_commit(repo, "no-such-branch")


def test_a_commit_id_that_looks_like_an_option_never_reaches_git(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, ...]] = []
    real: Callable[..., object] = __import__("infra.planner.worktree", fromlist=["_git"])._git

    def spy(path: Path, *args: str) -> object:
        calls.append(args)
        return real(path, *args)

    monkeypatch.setattr("infra.planner.worktree._git", spy)
    with pytest.raises(InvalidBase):
        resolve_commit(repo, "--output=/tmp/x")
    assert calls == []
