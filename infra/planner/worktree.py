"""A temporary checkout of another commit, for planning the base of a change."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from infra.core.errors import UsageError


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=False
    )


def resolve_commit(repo: Path, ref: str) -> str:
    """The commit ``ref`` names, fetching it first when the clone lacks it (shallow CI clones)."""
    if shutil.which("git") is None:
        raise UsageError("planning a base commit needs git, which is not installed", "install git")
    if _git(repo, "rev-parse", "--git-dir").returncode != 0:
        raise UsageError(f"`{repo}` is not a git checkout", "a base is a commit of this checkout")
    found = _git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if found.returncode == 0:
        return found.stdout.strip()
    shallow = _git(repo, "rev-parse", "--is-shallow-repository").stdout.strip() == "true"
    fetch = ["fetch", "--quiet", "--no-tags"] + (["--depth=1"] if shallow else [])
    fetched = _git(repo, *fetch, "origin", ref)
    if fetched.returncode == 0:
        found = _git(repo, "rev-parse", "--verify", "--quiet", "FETCH_HEAD^{commit}")
        if found.returncode == 0:
            return found.stdout.strip()
    raise UsageError(
        f"git ref `{ref}` is not known here", "name a branch, tag or commit that exists in origin"
    )


@contextmanager
def checkout(repo: Path, commit: str) -> Iterator[Path]:
    """A detached worktree of ``commit``, removed afterwards."""
    scratch = Path(tempfile.mkdtemp(prefix="k8s-infra-base-"))
    tree = scratch / "tree"
    added = _git(repo, "worktree", "add", "--quiet", "--detach", str(tree), commit)
    if added.returncode != 0:
        shutil.rmtree(scratch, ignore_errors=True)
        raise UsageError(f"cannot check out {commit[:12]}: {added.stderr.strip()}")
    try:
        yield tree
    finally:
        _git(repo, "worktree", "remove", "--force", str(tree))
        shutil.rmtree(scratch, ignore_errors=True)
        _git(repo, "worktree", "prune")
