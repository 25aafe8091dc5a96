"""The README is the front door: a paragraph, the quick start, who runs what, the
pages. What it used to document lives in docs/ now, tested there (tests/docs)."""

from __future__ import annotations

import re

from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
QUICK_START = ["python3 scripts/dev.py plan", "python3 scripts/dev.py test"]


def section(title: str) -> str:
    start = README.index(f"\n## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else None]


def test_the_readme_is_at_most_150_lines() -> None:
    assert len(README.splitlines()) <= 150


def test_the_quick_start_holds_exactly_the_two_commands() -> None:
    blocks = re.findall(r"```sh\n(.*?)```", section("Quick start"), re.S)
    commands = [line.split("#", 1)[0].strip() for block in blocks for line in block.splitlines()]
    assert [c for c in commands if c] == QUICK_START


def test_quick_start_has_the_two_commands_ci_runs() -> None:
    assert "python3 scripts/dev.py test" in (REPO / ".ci" / "run").read_text()


def test_the_readme_links_every_page_of_the_site() -> None:
    """Relative links, so they work on GitHub; every page is reachable from here."""
    linked = set(re.findall(r"\]\((docs/[^)#]+\.md)(?:#[^)]*)?\)", README))
    pages = {p.relative_to(REPO).as_posix() for p in (REPO / "docs").rglob("*.md")}
    assert linked <= pages, linked - pages
    assert pages - linked == set()


def test_the_readme_and_the_home_page_share_the_who_runs_what_table() -> None:
    table = section("Who runs what")
    assert "<!-- --8<-- [start:who-runs-what] -->" in table
    assert "<!-- --8<-- [end:who-runs-what] -->" in table
    assert '--8<-- "README.md:who-runs-what"' in (REPO / "docs" / "index.md").read_text()
