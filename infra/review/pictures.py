"""A small picture model (boxes in nested clusters, labelled arrows) and its two
renderings: Mermaid (rendered by GitHub in Markdown) and Graphviz DOT."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from infra.review import escape

# Colours for the kinds of node; GitHub's own diff colours where they exist.
STYLES = {
    "create": ("#dafbe1", "#1a7f37"),
    "update": ("#fff8c5", "#9a6700"),
    "replace": ("#fff1e5", "#bc4c00"),
    "delete": ("#ffebe9", "#cf222e"),
    "group": ("#ddf4ff", "#0969da"),
    "public": ("#ffebe9", "#cf222e"),
    "same": ("#f6f8fa", "#8c959f"),
}


@dataclass
class Node:
    id: str
    label: str
    kind: str = ""  # a key of STYLES, or "" for plain
    round: bool = False  # principals are drawn round, resources square


@dataclass
class Cluster:
    id: str
    label: str
    nodes: list[Node] = field(default_factory=list)
    clusters: list[Cluster] = field(default_factory=list)


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    label: str = ""


@dataclass
class Picture:
    clusters: list[Cluster] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)  # outside every cluster
    edges: list[Edge] = field(default_factory=list)

    def all_nodes(self) -> Iterator[Node]:
        yield from self.nodes
        stack = list(self.clusters)
        while stack:
            cluster = stack.pop()
            yield from cluster.nodes
            stack += cluster.clusters


def mermaid(picture: Picture) -> str:
    lines = ["flowchart LR"]
    for cluster in picture.clusters:
        lines += _mermaid_cluster(cluster, "  ")
    lines += [f"  {_mermaid_node(n)}" for n in picture.nodes]
    for edge in picture.edges:
        label = f'|"{_mermaid_text(edge.label)}"|' if edge.label else ""
        lines.append(f"  {edge.source} -->{label} {edge.target}")
    used = {n.kind for n in picture.all_nodes() if n.kind}
    for kind in sorted(used):
        fill, stroke = STYLES[kind]
        lines.append(f"  classDef {kind} fill:{fill},stroke:{stroke},color:#1f2328")
    for kind in sorted(used):
        members = ",".join(n.id for n in picture.all_nodes() if n.kind == kind)
        lines.append(f"  class {members} {kind}")
    return "\n".join(lines) + "\n"


def _mermaid_cluster(cluster: Cluster, indent: str) -> list[str]:
    # Without it, Mermaid turns a subgraph of a left-to-right chart top-to-bottom, so
    # boxes without arrows line up in one row: thousands of pixels wide.
    lines = [f'{indent}subgraph {cluster.id}["{_mermaid_text(cluster.label)}"]',
             f"{indent}  direction LR"]  # fmt: skip
    for inner in cluster.clusters:
        lines += _mermaid_cluster(inner, indent + "  ")
    lines += [f"{indent}  {_mermaid_node(n)}" for n in cluster.nodes]
    lines.append(f"{indent}end")
    return lines


def _mermaid_node(node: Node) -> str:
    text = _mermaid_text(node.label)
    return f'{node.id}(["{text}"])' if node.round else f'{node.id}["{text}"]'


def _mermaid_text(text: str) -> str:
    """Label text Mermaid reads literally (``escape.mermaid``)."""
    return escape.mermaid(text)


def dot(picture: Picture, name: str = "plan") -> str:
    lines = [
        f"digraph {_dot_text(name)} {{",
        "  rankdir=LR;",
        '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    for cluster in picture.clusters:
        lines += _dot_cluster(cluster, "  ")
    lines += [f"  {_dot_node(n)}" for n in picture.nodes]
    for edge in picture.edges:
        label = f" [label={_dot_text(edge.label)}]" if edge.label else ""
        lines.append(f"  {edge.source} -> {edge.target}{label};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_cluster(cluster: Cluster, indent: str) -> list[str]:
    lines = [
        f"{indent}subgraph cluster_{cluster.id} {{",
        f"{indent}  label={_dot_text(cluster.label)};",
    ]
    for inner in cluster.clusters:
        lines += _dot_cluster(inner, indent + "  ")
    lines += [f"{indent}  {_dot_node(n)}" for n in cluster.nodes]
    lines.append(f"{indent}}}")
    return lines


def _dot_node(node: Node) -> str:
    attributes = [f"label={_dot_text(node.label)}"]
    if node.kind:
        fill, stroke = STYLES[node.kind]
        attributes += [f'fillcolor="{fill}"', f'color="{stroke}"']
    if node.round:
        attributes.append("shape=ellipse")
    return f"{node.id} [{', '.join(attributes)}];"


def _dot_text(text: str) -> str:
    lines = [escape.one_line(line) for line in text.split("\n")]
    escaped = "\n".join(lines).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'
