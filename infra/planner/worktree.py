"""A temporary checkout of another commit, for planning the base of a change."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from infra.core.errors import UsageError

# What a commit-ish may hold: no white space or control characters (git refuses
# them in names), no `:` (a refspec, which would write a ref) and no `\\`.
_COMMITISH = re.compile(r"[^\s\x00-\x1f\x7f:\\]+")
_SHA = re.compile(r"[0-9a-f]{40}([0-9a-f]{24})?")


class InvalidBase(UsageError):
    """A base that is not a commit-ish: refused before git or anything else runs."""


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=False
    )


def check_commitish(ref: str) -> str:
    """``ref`` when it can only name a commit: never an option, a refspec or nothing."""
    shown = ref.encode("unicode_escape").decode("ascii")
    if not ref.strip():
        raise InvalidBase(
            "the base is empty",
            "name the commit to compare with: a branch, a tag or a commit id, e.g. origin/main",
        )
    if ref.startswith(("-", "+")):
        raise InvalidBase(
            f"the base `{shown}` looks like an option or a forced refspec, not a commit",
            "name a branch, a tag or a commit id",
        )
    if not _COMMITISH.fullmatch(ref):
        raise InvalidBase(
            f"the base `{shown}` is not a commit name: it holds white space, a control "
            "character, `:` or `\\`",
            "name a branch, a tag or a commit id; a refspec (`src:dst`) is never accepted",
        )
    return ref


def resolve_commit(repo: Path, ref: str) -> str:
    """The commit ``ref`` names, fetching it first when the clone lacks it (shallow CI clones).

    ``ref`` is checked first (``check_commitish``) and always handed to git
    after ``--end-of-options`` or ``--``, so it is never read as an option;
    a fetch writes only FETCH_HEAD, never a branch.
    """
    check_commitish(ref)
    if shutil.which("git") is None:
        raise UsageError("planning a base commit needs git, which is not installed", "install git")
    if _git(repo, "rev-parse", "--git-dir").returncode != 0:
        raise UsageError(f"`{repo}` is not a git checkout", "a base is a commit of this checkout")
    found = _verify(repo, ref)
    if found:
        return found
    shallow = _git(repo, "rev-parse", "--is-shallow-repository").stdout.strip() == "true"
    fetch = ["fetch", "--quiet", "--no-tags"]
    fetch += ["--depth=1"] if shallow else []
    if _git(repo, *fetch, "origin", "--", ref).returncode == 0:
        found = _verify(repo, "FETCH_HEAD")
        if found:
            return found
    raise InvalidBase(
        f"git ref `{ref}` is not known here", "name a branch, tag or commit that exists in origin"
    )


# What the plans read from a checkout (the code, the declarations, the stacks).
_READ = ("Pulumi.yaml", "infra", "stacks", "groups")


def head_commit(repo: Path) -> tuple[str, bool]:
    """The commit checked out in ``repo`` ("" when none) and whether the files the plans
    read differ from it (uncommitted changes, untracked files included)."""
    sha = _verify(repo, "HEAD") or ""
    if not sha:
        return "", True
    status = _git(repo, "status", "--porcelain", "--untracked-files=all", "--", *_READ)
    changed = [line for line in status.stdout.splitlines()
               if "__pycache__/" not in line and not line.endswith(".pyc")]  # fmt: skip
    return sha, bool(changed)


def _verify(repo: Path, ref: str) -> str | None:
    """The commit id ``ref`` names in ``repo``, or None."""
    found = _git(repo, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    sha = found.stdout.strip()
    return sha if found.returncode == 0 and _SHA.fullmatch(sha) else None


@contextmanager
def checkout(repo: Path, commit: str) -> Iterator[Path]:
    """A detached worktree of ``commit`` (a verified commit id), removed afterwards."""
    if not _SHA.fullmatch(commit):
        raise InvalidBase(f"`{commit}` is not a verified commit id")
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
