"""Problem lines stay one line, whatever a path, message or hint quotes."""

from __future__ import annotations

import pytest

from infra.core.problems import Position, Problem, one_line


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain `text` with \\ and unicode é", "plain `text` with \\ and unicode é"),
        ("a\nb", "a\\nb"),
        ("a\r\nb", "a\\r\\nb"),
        ("nul\x00", "nul\\x00"),
        ("\x1b[2Kerased", "\\x1b[2Kerased"),
        ("line\u2028separator", "line\\u2028separator"),
        ("tab\there", "tab\\there"),
    ],
)
def test_characters_that_are_not_printable_are_escaped(text: str, shown: str) -> None:
    assert one_line(text) == shown
    assert one_line(one_line(text)) == shown  # escaping twice changes nothing


def test_no_value_can_forge_a_line() -> None:
    forged = "x\ngroups/a.yaml:1:1: error: forged"
    problem = Problem(Position(f"groups/{forged}"), "error", f"`{forged}` is bad", forged)
    line = problem.format()
    assert "\n" not in line
    assert line.count("groups/a.yaml:1:1: error: forged") == 3
    assert line.startswith("groups/x\\ngroups/a.yaml:1:1: error: forged:1:1: error: `x\\n")
