"""`k8s-infra graph` and the PR picture: Mermaid the real mermaid package parses, and DOT."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from infra.planner.diff import diff_plans
from infra.review.graphs import COLLAPSE_OVER, StackChanges, changes_picture, stack_picture
from infra.review.pictures import dot, mermaid
from tests.conftest import REPO, invoke

MERMAID = Path(__file__).resolve().parent / "mermaid"
# Mermaid refuses to render a diagram longer than this by default (maxTextSize).
MERMAID_MAX_TEXT = 50_000


def mermaid_parse(diagrams: list[str]) -> list[dict[str, Any]]:
    """Each diagram through mermaid.parse() of the real npm package (tests/cli/mermaid)."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed: the Mermaid output cannot be parsed here")
    if not (MERMAID / "node_modules" / "mermaid" / "package.json").is_file():
        pytest.skip(
            "the mermaid npm package is not installed: "
            "npm install --prefix tests/cli/mermaid --no-package-lock (.ci/run does)"
        )
    done = subprocess.run(
        [node, str(MERMAID / "parse.mjs")], input=json.dumps(diagrams),
        capture_output=True, text=True, check=True, timeout=300,
    )  # fmt: skip
    results: list[dict[str, Any]] = json.loads(done.stdout)
    return results


@pytest.mark.e2e
def test_the_parser_is_real_it_refuses_a_broken_diagram() -> None:
    good, broken = mermaid_parse(['flowchart LR\n  a["x"] --> b\n', 'flowchart LR\n  a[["x"\n'])
    assert good == {"ok": True, "type": "flowchart-v2"}
    assert broken["ok"] is False and "Parse error" in broken["error"]


@pytest.mark.parametrize("stack", ["staging", "staging-images", "groups", "registry-mirrors"])
def test_every_stack_picture_parses_with_mermaid(
    repo_plan: Callable[[str], dict[str, Any]], stack: str
) -> None:
    text = mermaid(stack_picture(repo_plan(stack)))
    assert len(text) < MERMAID_MAX_TEXT
    (result,) = mermaid_parse([text])
    assert result == {"ok": True, "type": "flowchart-v2"}, result


def test_93_staging_projects_are_one_box_each_with_their_counts(
    repo_plan: Callable[[str], dict[str, Any]],
) -> None:
    plan = repo_plan("staging")
    projects = {r["name"] for r in plan["resources"] if r["type"].endswith(":StagingProject")}
    assert len(projects) > COLLAPSE_OVER
    picture = stack_picture(plan)
    assert not picture.clusters
    boxes = {n.label.split("\n")[0]: n.label for n in picture.all_nodes() if not n.round}
    assert set(boxes) == projects
    assert re.fullmatch(r"k8s-staging-kueue\n\d+ resources, \d+ grants", boxes["k8s-staging-kueue"])
    writer = next(n for n in picture.nodes if n.label == "k8s-infra-staging-kueue@kubernetes.io")
    kueue = next(n.id for n in picture.all_nodes() if n.label == boxes["k8s-staging-kueue"])
    assert any(e.source == writer.id and e.target == kueue for e in picture.edges)


def test_one_component_expanded_shows_each_resource_and_who_is_granted_what(
    repo_plan: Callable[[str], dict[str, Any]],
) -> None:
    picture = stack_picture(repo_plan("staging"), "k8s-staging-kueue")
    (cluster,) = picture.clusters
    labels = {n.label for n in cluster.nodes}
    assert {"Repository\nimages", "Project\nproject", "Bucket\nbucket"} <= labels
    by_label = {n.label: n.id for n in picture.all_nodes()}
    edges = {(e.source, e.target): e.label for e in picture.edges}
    writer = by_label["k8s-infra-staging-kueue@kubernetes.io"]
    assert edges[(writer, by_label["Repository\nimages"])] == "artifactregistry.writer"
    assert edges[(by_label["allUsers"], by_label["Repository\nimages"])] == (
        "artifactregistry.reader"
    )
    (result,) = mermaid_parse([mermaid(picture)])
    assert result["ok"], result


def test_the_picture_of_changes_parses_and_highlights_them(
    repo_plan: Callable[[str], dict[str, Any]],
) -> None:
    """A registry added (as a base without it shows): created boxes, the writer group drawn."""
    head = repo_plan("staging-images")
    base = {**head, "resources": [r for r in head["resources"] if "-kueue" not in r["name"]]}
    diff = diff_plans(base, head, "0" * 40)
    picture = changes_picture([StackChanges(diff, head, base)])
    created = {n.label for n in picture.all_nodes() if n.kind == "create"}
    assert created == {"Repository\nkueue", "Account\nkueue-build-account"}
    text = mermaid(picture)
    assert '-->|"+ artifactregistry.writer"|' in text
    assert "class " in text and "classDef create" in text
    (result,) = mermaid_parse([text])
    assert result["ok"], result


def dot_nodes_and_edges(text: str) -> tuple[set[str], list[tuple[str, str]]]:
    assert text.startswith("digraph ") and text.rstrip().endswith("}")
    assert text.count("{") == text.count("}")
    nodes = set(re.findall(r"^\s*(\w+) \[label=", text, re.M))
    edges = re.findall(r"^\s*(\w+) -> (\w+)", text, re.M)
    return nodes, edges


def test_dot_declares_every_node_an_edge_uses(repo_plan: Callable[[str], dict[str, Any]]) -> None:
    text = dot(stack_picture(repo_plan("staging-images")), "staging-images")
    nodes, edges = dot_nodes_and_edges(text)
    assert edges
    assert {n for edge in edges for n in edge} <= nodes
    assert "subgraph cluster_" in text


@pytest.mark.e2e
def test_the_command_prints_mermaid_and_dot_on_stdout(cli: CliRunner) -> None:
    result = invoke(cli, "--root", str(REPO), "graph", "staging-images")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("flowchart LR\n")
    assert 'subgraph c2["k8s-staging-images"]' in result.stdout
    as_dot = invoke(cli, "--root", str(REPO), "graph", "staging-images", "--format", "dot")
    assert as_dot.exit_code == 0, as_dot.output
    assert as_dot.stdout.startswith('digraph "staging-images" {')


@pytest.mark.plan  # the stack is planned before its components are known
def test_an_unknown_component_is_a_usage_error_naming_the_components(cli: CliRunner) -> None:
    result = invoke(cli, "--root", str(REPO), "graph", "staging-images", "--component", "nope")
    assert result.exit_code == 2, result.output
    assert "error: stack `staging-images` has no component `nope`" in result.stderr
    assert "k8s-staging-images" in result.stderr
    assert result.stdout == ""


@pytest.mark.e2e
def test_the_reviewer_page_pictures_parse() -> None:
    """The reviewer's page shows `k8s-infra graph staging-images`; it must parse too."""
    page = (REPO / "docs" / "reviewer.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```mermaid\n(.*?)```", page, re.S)
    assert blocks, "the reviewer's page draws no picture"
    assert all(r["ok"] for r in mermaid_parse(blocks))
