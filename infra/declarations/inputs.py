"""The files a stack's plan reads, as each concern declares them, and how they are found.

A concern declares the paths its loaders read under the data root: an exact
file (``infra/data/prod-storage.yaml``) or a folder with everything below it
(``groups/**``). Every stack also reads the project file, infra.yaml (in
this project's place or upstream's) and its own stack file. The program's
code is every Python file of the ``infra`` package and the data files the
package ships (``infra/data/**``).

One rule for the loaders and for the plan's key alike:

- nothing below a declared folder is skipped: a folder named like a tool's
  (``node_modules``, ``.cache``) or hidden is read like any other;
- links are never followed: a link is known by its text, and the loaders
  refuse a declaration that is a link (``located_yaml.read_text``), so what
  is planned is what git shows;
- the only exclusion is ``__pycache__`` under the code, which no plan reads:
  the planner's child compiles the program from its sources, so a compiled
  file a change adds is never run.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath

from infra.core.paths import INFRA_YAML, PROJECT_FILE
from infra.declarations.layout import UPSTREAM_INFRA_YAML, stack_path

# Below a folder pattern: everything, at any depth (``folder/**``), or every
# file whose name ends so (``folder/**/*.py``).
EVERYTHING = "/**"
ENDING = "/**/*"
CODE_PACKAGE = "infra"
# Compiled code, written by Python beside the sources; plans never read it.
CODE_EXCLUDED = frozenset({"__pycache__"})
ABSENT = "absent"


def shared_inputs(stack: str) -> tuple[str, ...]:
    """What every stack's program reads under the data root, whatever it builds."""
    return (
        PROJECT_FILE,
        INFRA_YAML,
        UPSTREAM_INFRA_YAML,
        stack_path(stack),
    )


def check_pattern(pattern: str) -> str:
    """``pattern`` when it is a relative path (ending in ``/**`` for a folder): a
    concern's declaration is code, so a bad one is a bug, raised at once."""
    folder = pattern.split(ENDING, maxsplit=1)[0].removesuffix(EVERYTHING)
    parts = PurePosixPath(folder).parts
    if not folder or PurePosixPath(folder).is_absolute() or {"..", ".", "**"} & set(parts):
        raise ValueError(f"input pattern {pattern!r}: a relative path, or a folder + '/**'")
    return pattern


# -- finding what a pattern names ----------------------------------------------------


def fingerprint(path: Path) -> str:
    """What a path holds, links unfollowed: its content's hash for a file (and
    whether it is executable), a link's text, or what else it is."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return ABSENT
    except NotADirectoryError:
        return ABSENT  # a parent is a file
    mode = info.st_mode
    if stat.S_ISLNK(mode):
        return "link:" + os.readlink(path)
    if stat.S_ISDIR(mode):
        return "folder"
    if not stat.S_ISREG(mode):
        return f"special:{stat.S_IFMT(mode):o}"
    memo = (str(path), info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
    digest = _DIGESTS.get(memo)
    if digest is None:
        try:
            with path.open("rb") as handle:
                digest = hashlib.file_digest(handle, "sha256").hexdigest()
        except OSError as error:
            digest = f"unreadable:{error.errno}"
        _DIGESTS[memo] = digest
    executable = "x" if mode & 0o111 else "-"
    return f"file{executable}:{digest}"


# A file's hash by its path and stat: a rewrite changes ctime, so a memo never goes stale.
_DIGESTS: dict[tuple[str, int, int, int, int], str] = {}


def scan(
    base: Path, pattern: str, excluded: frozenset[str] = frozenset()
) -> Iterator[tuple[str, str]]:
    """Every path ``pattern`` names under ``base``, with its fingerprint, sorted.

    An exact path is always listed (``absent`` when missing). A folder
    pattern lists every entry below the folder, folders included, without
    following links; a folder that cannot be listed is listed as such. An
    ending pattern lists only the entries whose name ends so.
    """
    top, _, ending = pattern.partition(ENDING)
    if ending:
        found = fingerprint(base / top)
        yield top, found
        if found == "folder":
            yield from sorted(
                entry
                for entry in _below(base, top, excluded)
                if entry[0].endswith(ending) or entry[1].startswith("unlistable")
            )
        return
    if not pattern.endswith(EVERYTHING):
        yield pattern, fingerprint(base / pattern)
        return
    top = pattern.removesuffix(EVERYTHING)
    found = fingerprint(base / top)
    yield top, found
    if found != "folder":
        return
    yield from sorted(_below(base, top, excluded))


def _below(base: Path, top: str, excluded: frozenset[str]) -> Iterator[tuple[str, str]]:
    pending = [top]
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(base / folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as error:
            yield f"{folder}/", f"unlistable:{error.errno}"
            continue
        for entry in entries:
            if entry.name in excluded:
                continue
            relative = f"{folder}/{entry.name}"
            found = fingerprint(Path(entry.path))
            yield relative, found
            if found == "folder":
                pending.append(relative)


def files(base: Path, patterns: Iterable[str], excluded: frozenset[str] = frozenset()) -> set[Path]:
    """The absolute paths of every regular file or link the patterns name under ``base``."""
    named = set()
    for pattern in patterns:
        for relative, found in scan(base, pattern, excluded):
            if found.startswith(("file", "link:")):
                named.add(Path(os.path.abspath(base / relative)))
    return named


def code_patterns() -> tuple[str, ...]:
    """The program's code under its checkout: the package's Python files, the data
    files it ships, and the project file."""
    return (f"{CODE_PACKAGE}{ENDING}.py", f"{CODE_PACKAGE}/data{EVERYTHING}", PROJECT_FILE)
