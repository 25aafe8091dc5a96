"""Another commit of the checkout, verified and written out, for planning the base of a change."""

from __future__ import annotations

import os
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


def _read_entries() -> list[str]:
    """What the plans read from a checkout: the project file, the code with infra.yaml,
    the stacks, and the top folder of every file a concern declares it reads."""
    from infra import catalog
    from infra.core.paths import PROJECT_FILE
    from infra.declarations.layout import STACKS_DIR

    declared = {pattern.split("/", 1)[0] for c in catalog.CONCERNS for pattern in c.inputs(None)}
    return sorted({PROJECT_FILE, "infra", str(STACKS_DIR), *declared})


def head_commit(repo: Path) -> tuple[str, bool]:
    """The commit checked out in ``repo`` ("" when none) and whether the files the plans
    read differ from it (uncommitted changes, untracked files included)."""
    sha = _verify(repo, "HEAD") or ""
    if not sha:
        return "", True
    status = _git(repo, "status", "--porcelain", "--untracked-files=all", "--", *_read_entries())
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
    """The tree of ``commit`` (a verified commit id) in a private folder, removed afterwards.

    Written from git's objects, blob by blob, not by ``git checkout``: no
    attribute of the tree (line endings, filters, export rules) can make the
    files differ from what git holds, and the repository's own state
    (worktrees, index) is not touched.
    """
    if not _SHA.fullmatch(commit):
        raise InvalidBase(f"`{commit}` is not a verified commit id")
    scratch = Path(tempfile.mkdtemp(prefix="k8s-infra-base-"))
    tree = scratch / "tree"
    try:
        write_tree(repo, commit, tree)
        yield tree
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def write_tree(repo: Path, commit: str, into: Path) -> None:
    """Every file of ``commit`` under ``into`` (a folder that does not exist yet)."""
    listed = subprocess.run(
        ["git", "-C", str(repo), "ls-tree", "-r", "-z", "--full-tree", "--end-of-options", commit],
        capture_output=True,
        check=False,
    )
    if listed.returncode != 0:
        raise UsageError(f"cannot read the tree of {commit[:12]}: {_text(listed.stderr)}")
    entries = [_entry(raw) for raw in listed.stdout.split(b"\0") if raw]
    blobs = [e for e in entries if e[1] == "blob"]
    contents = _cat_blobs(repo, [oid for _, _, oid, _ in blobs])
    into.mkdir(parents=True)
    links = []
    for mode, _, oid, path in blobs:
        target = into / path
        if mode == "120000":
            links.append((target, contents[oid]))  # last: nothing is written through a link
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        handle = os.open(target, flags, 0o755 if mode == "100755" else 0o644)
        with os.fdopen(handle, "wb") as out:
            out.write(contents[oid])
    for target, text in links:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(os.fsdecode(text), target)


def _entry(raw: bytes) -> tuple[str, str, str, str]:
    """``<mode> <type> <oid>\t<path>`` of ``git ls-tree``; a path git would not
    write (absolute, ``..``, ``.git``) is refused."""
    info, _, name = raw.partition(b"\t")
    mode, kind, oid = info.decode("ascii").split()
    path = os.fsdecode(name)
    parts = path.split("/")
    if path.startswith("/") or any(p in ("", ".", "..") or p.lower() == ".git" for p in parts):
        raise UsageError(f"the base commit holds a path that cannot be written: {path!r}")
    return mode, kind, oid, path


def _cat_blobs(repo: Path, oids: list[str]) -> dict[str, bytes]:
    """The content of each blob, read in one ``git cat-file --batch``."""
    wanted = list(dict.fromkeys(oids))
    done = subprocess.run(
        ["git", "-C", str(repo), "cat-file", "--batch"],
        input="".join(f"{oid}\n" for oid in wanted).encode("ascii"),
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise UsageError(f"cannot read the base commit's files: {_text(done.stderr)}")
    found: dict[str, bytes] = {}
    output, at = done.stdout, 0
    for oid in wanted:
        end = output.index(b"\n", at)
        header = output[at:end].decode("ascii").split()
        if len(header) != 3 or header[0] != oid or header[1] != "blob":
            raise UsageError(f"cannot read blob {oid[:12]} of the base commit")
        size = int(header[2])
        found[oid] = output[end + 1 : end + 1 + size]
        at = end + 1 + size + 1  # the content is followed by a newline
    return found


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace").strip()
