"""No figure by hand: the docs' figures file is what the code produces, and the pages
(and the README) show counts only through it.

docs/figures.yml is written by scripts/docs_figures.py from the offline plan of every
stack and the policy pack; the pages include its values (`{{ figures... }}`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import yaml

from infra.declarations.stacks import stack_names
from tests.conftest import REPO, script
from tests.docs.pages import pages


def test_the_figures_file_is_what_the_code_produces(
    repo_plan: Callable[[str], dict[str, Any]],
) -> None:
    figures = script("docs_figures")
    produced = figures.render(figures.figures(repo_plan, stack_names(REPO)))
    shipped = figures.FIGURES.read_text(encoding="utf-8")
    assert shipped == produced, "docs/figures.yml is stale: run scripts/docs_figures.py"


# A count in prose: 1,234 or a bare number of three digits or more. Versions
# (3.150.0), digests and figures in code blocks and transcripts (which the
# examples test runs) are not prose.
_COUNT = re.compile(r"(?<![\w.,-])(\d{1,3}(?:,\d{3})+|\d{3,})(?![\w.,-]*\d)")
_FENCE = re.compile(r"^ *(`{3,})")
_CODE = re.compile(r"`[^`]*`|\{\{.*?\}\}|\{%.*?%\}|\]\([^)]*\)|<[^>]*>")


# Measurements no generator makes: a benchmark's inputs and results, each stated
# with the machine it was measured on, and years. Listed here, page by page, so that
# a new one is a reviewed decision; resource and policy counts are never among them.
# The suite's size and time are what `scripts/dev.py measure` wrote (SUITE, below).
MEASURED = {
    "docs/design/benchmarks.md": {
        "20,000", "802", "519", "2,000", "276", "400", "3,000", "200", "806", "2,401", "12,371",
    },
    "docs/design/differences.md": {"400", "3,000", "2,401", "2026"},
}  # fmt: skip
SUITE = yaml.safe_load((REPO / "docs" / "suite.yml").read_text(encoding="utf-8"))
# Where the pages state the suite's timings: "quick 55 s, full 290 s (1,850 tests)"
_SUITE_STATED = re.compile(r"quick (\d+) s, full (\d+) s \(([\d,]+) tests\)")
SUITE_PAGES = ("README.md", "docs/design.md")


def test_the_suite_timings_stated_are_the_measured_ones() -> None:
    measured = (str(SUITE["quick_seconds"]), str(SUITE["full_seconds"]), f"{SUITE['tests']:,}")
    for page in SUITE_PAGES:
        text = " ".join((REPO / page).read_text(encoding="utf-8").split())
        assert _SUITE_STATED.findall(text) == [measured], (
            f"{page}: state the suite as docs/suite.yml has it (scripts/dev.py measure)"
        )


def test_the_pages_write_no_count_by_hand() -> None:
    found = []
    for page in [*pages(), REPO / "README.md"]:
        relative = page.relative_to(REPO).as_posix()
        measured = MEASURED.get(relative, set())
        if relative in SUITE_PAGES:
            measured = measured | {f"{SUITE['tests']:,}", str(SUITE["full_seconds"])}
        fence = ""  # the open fence: closed only by as many backticks alone on a line
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
            opened = _FENCE.match(line)
            if opened and not fence:
                fence = opened.group(1)
                continue
            if fence:
                if line.strip() == fence:
                    fence = ""
                continue
            for count in _COUNT.findall(_CODE.sub("", line)):
                if count in measured:
                    continue
                found.append(f"{page.relative_to(REPO)}:{number}: {count}")
    assert found == [], "write figures as {{ figures... }} (scripts/docs_figures.py)"
