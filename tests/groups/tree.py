"""Groups trees written to disk for tests, and their problems as printed lines."""

from __future__ import annotations

from pathlib import Path

from infra.core.problems import Problems
from infra.groups.loader import load_groups
from infra.groups.model import GroupsTree

# Allows every group in every file: for tests of rules other than restrictions.
ALLOW_ALL = """\
restrictions:
  - path: "**"
    allowedGroups:
      - "."
"""


def write_tree(root: Path, files: dict[str, str], restrictions: str | None = ALLOW_ALL) -> Path:
    """Write ``groups/<path>`` for each file (and restrictions.yaml) under ``root``."""
    folder = root / "groups"
    folder.mkdir(parents=True, exist_ok=True)
    if restrictions is not None:
        (folder / "restrictions.yaml").write_text(restrictions, encoding="utf-8")
    for path, text in files.items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root


def load(
    root: Path, *, estate_checks: bool = False, domain: str = "kubernetes.io"
) -> tuple[GroupsTree | None, list[str]]:
    """Load ``root``'s groups with the real loader; the problems as printed lines."""
    problems = Problems()
    tree = load_groups(root, problems, estate_checks=estate_checks, domain=domain)
    return tree, [p.format() for p in problems]


def lines(root: Path, *, estate_checks: bool = False, domain: str = "kubernetes.io") -> list[str]:
    return load(root, estate_checks=estate_checks, domain=domain)[1]


def problem_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ": error: " in line or ": warning: " in line]
