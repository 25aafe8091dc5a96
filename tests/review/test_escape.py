"""Hostile text through every renderer: it stays text, shows whole, and ends no block.

The corpus holds what a declaration may carry (a group description allows 300
characters of anything): backtick runs, HTML that closes the summary's
elements, comments, Markdown lists and tables, Mermaid directives and click
handlers, terminal escape sequences, bidirectional overrides and newlines.
The Markdown is rendered as GitHub renders it (CommonMark) and read back.
"""

from __future__ import annotations

import json
import re

import pytest

from infra.planner.diff import diff_plans
from infra.review import escape
from infra.review.dangers import find_dangers
from infra.review.pictures import Cluster, Edge, Node, Picture, dot, mermaid
from infra.review.report import change_lines
from infra.review.summary import SummaryInput, pages
from tests.review.rendered import read

FORGED = "FORGED-LINE"
HOSTILE = [
    "```\n- :white_check_mark: " + FORGED + "\n```",
    "````````````````",
    "</code></summary></details>\n\n# " + FORGED,
    "<!-- " + FORGED + " -->",
    "<!--",
    "<details><summary>" + FORGED + "</summary>",
    "<script>alert(1)</script><img src=x onerror=alert(1)>",
    "| a | b |\n| --- | --- |\n| " + FORGED + " | x |",
    "[" + FORGED + "](https://example.com/x) ![x](https://example.com/x.png)",
    "@kubernetes/owners please approve " + FORGED,
    "`",
    "` `",
    "\\",
    "&lt;b&gt; &amp;",
    '"]\n  click n1 "https://example.com"\n  x["',
    "%%{init: {'securityLevel': 'loose'}}%%",
    "a;b:c=d#e|f(g)[h]{i}",
    "\x1b[2K\r" + FORGED,
    "\x1b]8;;https://example.com\x07link\x1b]8;;\x07",
    "right\u202eto-left\u2066isolate\u200bzero-width",
    "line one\u2028line two\u2029para\x85next",
    "tab\there\x00nul\x7fdel",
    "\n\n" + FORGED + "\n\n",
]


def hidden(text: str) -> bool:
    return bool(re.search(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200b\u202e\u2066]", text))


@pytest.mark.parametrize("text", HOSTILE)
def test_one_line_is_one_printable_line_that_reads_back(text: str) -> None:
    shown = escape.one_line(text)
    assert "\n" not in shown and not hidden(shown)
    if shown != text:
        assert json.loads(shown) == text  # quoted and escaped: exactly the original


@pytest.mark.parametrize("text", HOSTILE)
def test_a_code_span_or_fence_shows_the_text_and_nothing_else(text: str) -> None:
    span = read(f"before {escape.code(text)} after\n")
    assert span.tags == ["p", "code"] and span.comments == []
    (inside,) = [t for t, around in span.texts if "code" in around]
    assert inside.strip() == escape.one_line(text).strip()
    # a block's lines are one-line values, as the summary writes them
    body = f"~ x\n    description: {escape.one_line(text)}"
    block = read(escape.fence(body, "diff") + "\nafter\n")
    assert block.tags == ["pre", "code", "p"] and block.comments == []
    assert "".join(t for t, around in block.texts if "pre" in around) == body + "\n"


@pytest.mark.parametrize("text", HOSTILE)
def test_html_and_table_cells_keep_their_structure(text: str) -> None:
    summary = read(
        f"<details><summary><code>{escape.html(text)}</code>: 1 change</summary>\n\n"
        "```\nbody\n```\n</details>\n"
    )
    assert summary.tags == ["details", "summary", "code", "pre", "code"]
    assert FORGED not in summary.outside_code()
    table = read(f"| stack | n |\n| --- | --- |\n| {escape.cell(text)} | 1 |\n")
    assert table.tags.count("tr") == 2 and table.tags.count("td") == 2
    assert FORGED not in table.outside_code()


@pytest.mark.parametrize("text", HOSTILE)
def test_mermaid_and_dot_labels_hold_no_syntax(text: str) -> None:
    label = escape.mermaid(text)
    assert not re.search(r'["`%{}\[\]()|;\n]', re.sub(r"#\d+;|<br/>", "", label))

    def drawn(label: str) -> Picture:
        boxes = [Cluster("c1", label, [Node("n1", label, "create")])]
        return Picture(boxes, [Node("g1", label, "group", round=True)], [Edge("g1", "n1", label)])

    plain = drawn("x")
    text_mermaid = mermaid(drawn(text))
    # the same statements as with a plain label: nothing added, nothing ended early
    assert len(text_mermaid.splitlines()) == len(mermaid(plain).splitlines())
    assert not any(line.strip().startswith("click") for line in text_mermaid.splitlines())
    assert "%%" not in text_mermaid
    assert len(dot(drawn(text)).splitlines()) == len(dot(plain).splitlines())


def plan(description: str, members: list[str]) -> dict[str, object]:
    """A groups plan with one group, as the planner records it."""
    component = "urn:pulumi:groups::k8s-infra::k8s-infra:groups:GoogleGroups::groups"
    group = {
        "urn": "urn:pulumi:groups::k8s-infra::k8s-infra:groups:GoogleGroups$"
               "pulumi-python:dynamic/groups:GoogleGroup::groups-g@kubernetes.io",
        "type": "pulumi-python:dynamic/groups:GoogleGroup", "name": "groups-g@kubernetes.io",
        "custom": True, "mode": "managed", "parent": component, "provider": None,
        "protect": False, "retain_on_delete": True, "depends_on": [],
        "inputs": {"description": description, "members": members, "name": "g"},
    }  # fmt: skip
    top = {"urn": component, "type": "k8s-infra:groups:GoogleGroups", "name": "groups",
           "custom": False, "mode": "managed", "parent": None, "provider": None,
           "protect": False, "retain_on_delete": False, "depends_on": [], "inputs": {}}  # fmt: skip
    return {"stack": "groups", "resources": [top, group], "outputs": {}}


@pytest.mark.parametrize("text", HOSTILE)
def test_a_hostile_description_hides_no_member_in_the_summary_or_the_terminal(text: str) -> None:
    before = plan("Write access", ["a@example.com"])
    after = plan(text, ["a@example.com", "hidden-member@example.com"])
    diff = diff_plans(before, after, "0" * 40)
    lines = [line.text for line in change_lines(diff)]
    assert "    members: + hidden-member@example.com" in lines
    assert all("\n" not in line and not hidden(line) for line in lines)
    summary = SummaryInput("0" * 40, [diff], find_dangers(diff), None, head="1" * 40)
    (page,) = pages(summary)
    rendered = read(page)
    assert "members: + hidden-member@example.com" in rendered.text()
    assert FORGED not in rendered.outside_code()
    assert rendered.tags.count("details") == 1 and rendered.comments == []
    assert {"script", "img", "a"}.isdisjoint(rendered.tags)
