"""The docs pages' examples, read from their Markdown.

A ```console block is a transcript: `$ command` lines, each followed by the
output it prints (stdout and stderr as a terminal shows them). A `...` line
stands for any number of lines, `...` inside a line for any text; `$ echo $?`
prints the previous command's exit code. A ```sh block lists commands without
their output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import REPO

DOCS = REPO / "docs"
_FENCE = re.compile(r"^( *)```(\w*)\s*$")


@dataclass
class Step:
    command: str
    output: list[str] = field(default_factory=list)


@dataclass
class Block:
    page: str
    line: int
    kind: str
    lines: list[str]

    @property
    def id(self) -> str:
        return f"{self.page}:{self.line}"

    def steps(self) -> list[Step]:
        steps: list[Step] = []
        for line in self.lines:
            if line.startswith("$ "):
                steps.append(Step(line[2:]))
            else:
                assert steps, f"{self.id}: output before any `$ ` command"
                steps[-1].output.append(line)
        return steps


def pages() -> list[Path]:
    return sorted(DOCS.rglob("*.md"))


def blocks(kinds: tuple[str, ...]) -> list[Block]:
    """Every fenced block of these kinds in the pages, in order."""
    found = []
    for page in pages():
        name = page.relative_to(DOCS).as_posix()
        current: Block | None = None
        indent = 0
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
            fence = _FENCE.match(line)
            if current is None and fence and fence.group(2):
                indent = len(fence.group(1))
                current = Block(name, number, fence.group(2), [])
            elif current is not None and fence and not fence.group(2):
                if current.kind in kinds:
                    found.append(current)
                current = None
            elif current is not None:
                current.lines.append(line[indent:])
    return found


def matches(expected: list[str], actual: list[str]) -> bool:
    """Whether ``actual`` has the shape of ``expected`` (`...` lines and `...` in lines)."""
    pattern = "".join(
        r"(?:.*\n)*?" if line == "..." else ".*".join(map(re.escape, line.split("..."))) + r"\n"
        for line in expected
    )
    text = "".join(line.rstrip() + "\n" for line in actual)
    return re.fullmatch(pattern, text) is not None
