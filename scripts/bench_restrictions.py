#!/usr/bin/env python3
"""Benchmark: validating a groups tree whose every group its restrictions refuse.

Writes a tree of ``--groups`` groups spread over ``--files`` groups files,
with a restrictions.yaml holding one rule per file (45 rules by default, as
upstream's restrictions.yaml) (each allowing one
address nobody declares) and a closing catch-all, so every group is refused
and every refusal looks for another file that would allow it. Then times
the whole groups validation (``load_groups``) and the restrictions check
alone, and prints the figures.

    .venv/bin/python scripts/bench_restrictions.py [--groups 20000] [--files 44]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def write_tree(folder: Path, groups: int, files: int) -> Path:
    root = folder / "checkout"
    tree = root / "groups"
    rules = ["restrictions:"]
    per_file = -(-groups // files)
    for index in range(files):
        directory = f"sig-{index:03d}"
        rules += [
            f'  - path: "{directory}/groups.yaml"',
            "    allowedGroups:",
            f"      - '^k8s-infra-{directory}-admins@kubernetes\\.io$'",
            f"      - '^{directory}-leads@kubernetes\\.io$'",
        ]
        lines = ["groups:"]
        for number in range(index * per_file, min(groups, (index + 1) * per_file)):
            name = f"team-{number:05d}"
            lines += [
                f"  - email-id: {name}@kubernetes.io",
                f"    name: {name}",
                f"    members: [person-{number:05d}@example.com]",
            ]
        (tree / directory).mkdir(parents=True)
        (tree / directory / "groups.yaml").write_text("\n".join(lines) + "\n")
    rules += ['  - path: "**/*"']
    (tree / "restrictions.yaml").write_text("\n".join(rules) + "\n")
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=20000)
    parser.add_argument("--files", type=int, default=44)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))

    from infra.core.problems import Position, Problems
    from infra.groups.loader import load_groups
    from infra.groups.restrictions import Located, check_restrictions, load_restrictions

    with tempfile.TemporaryDirectory() as folder:
        root = write_tree(Path(folder), args.groups, args.files)
        problems = Problems()
        started = time.perf_counter()
        tree = load_groups(root, problems)
        whole = time.perf_counter() - started
        assert tree is not None
        refused = sum(1 for p in problems if "is not allowed in this file" in p.message)

        rules = load_restrictions(root, "groups", Problems())
        assert rules is not None
        located = [
            Located(g.file.removeprefix("groups/"), g.email, Position(g.file, g.line))
            for g in tree.groups
        ]
        started = time.perf_counter()
        check_restrictions(rules, located, "groups", Problems())
        check = time.perf_counter() - started

    rows = [
        ("groups (all refused)", f"{len(tree.groups):,} ({refused:,} refused)"),
        ("files, rules", f"{args.files}, {len(rules.rules)}"),
        ("groups validation (load_groups)", f"{whole:.2f} s"),
        ("restrictions check alone", f"{check:.2f} s"),
    ]
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")


if __name__ == "__main__":
    main()
