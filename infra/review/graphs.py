"""Pictures of plans: a whole stack (``k8s-infra graph``) and the changes of a PR.

Components are clusters; IAM members and bindings are not drawn as boxes
but as arrows from the group (or the public) to the resource they grant a
role on. A stack with many components (93 staging projects) is drawn one box
per component with its counts; ``component`` expands one of them.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from infra.core.iam import PUBLIC_MEMBERS
from infra.planner.diff import PlanDiff
from infra.planner.labels import component_of, type_name
from infra.review.grants import Grant, Targets, grants, grants_of, is_grant, target_index
from infra.review.pictures import Cluster, Edge, Node, Picture

Resource = Mapping[str, Any]
# Above this many components, a stack is drawn one box per component.
COLLAPSE_OVER = 12
# Above this many changed resources, the changes are drawn one box per component.
CHANGES_COLLAPSE_OVER = 40
# More changed resources of one type, alike, in one component are drawn as one box.
AGGREGATE_OVER = 3
# Kinds of change, most severe first.
SEVERITY = ("delete", "replace", "create", "update")
# A picture of changes has at most this many boxes: the rest are counted in one.
MAX_NODES = 30


class UnknownComponent(LookupError):
    """``component`` names no component of the stack."""


class _Ids:
    """Short, stable node ids: a prefix and a counter, one per distinct key."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.known: dict[object, str] = {}
        self.counter = itertools.count(1)

    def __call__(self, key: object) -> str:
        if key not in self.known:
            self.known[key] = f"{self.prefix}{next(self.counter)}"
        return self.known[key]


def _short_role(role: str) -> str:
    return role.removeprefix("roles/")


def _principal(member: str) -> tuple[str, str] | None:
    """(label, kind) of a principal worth drawing: groups and the public."""
    if member.startswith("group:"):
        return member.removeprefix("group:"), "group"
    if member in PUBLIC_MEMBERS:
        return member, "public"
    return None


# --- a whole stack -------------------------------------------------------------


def stack_picture(plan: Mapping[str, Any], component: str | None = None) -> Picture:
    resources = list(plan.get("resources") or [])
    by_urn = {str(r["urn"]): r for r in resources}
    if component is not None:
        return _expanded(resources, by_urn, component)
    tops = {component_of(r, by_urn) for r in resources if r["custom"]}
    if len(tops) > COLLAPSE_OVER:
        return _collapsed(resources, by_urn)
    return _by_type(resources, by_urn)


def _by_type(resources: list[Resource], by_urn: Mapping[str, Resource]) -> Picture:
    """A cluster per top-level component, a box per resource type with its count."""
    clusters: dict[str, Cluster] = {}
    counts: Counter[tuple[str, str]] = Counter()
    for resource in resources:
        if resource["custom"] and not is_grant(resource):
            counts[(component_of(resource, by_urn), type_name(str(resource["type"])))] += 1
    cluster_id, node_id = _Ids("c"), _Ids("n")
    for (top, kind), count in sorted(counts.items()):
        cluster = clusters.setdefault(top, Cluster(cluster_id(top), top))
        cluster.nodes.append(Node(node_id((top, kind)), f"{kind} ×{count}"))
    target_node = {
        str(r["urn"]): node_id((component_of(r, by_urn), type_name(str(r["type"]))))
        for r in resources
        if r["custom"] and not is_grant(r)
    }
    picture = Picture(list(clusters.values()))
    _draw_grants(picture, _arrows(grants(resources), target_node))
    return picture


def _collapsed(resources: list[Resource], by_urn: Mapping[str, Resource]) -> Picture:
    """A box per top-level component, with its resource count."""
    counts: Counter[str] = Counter(
        component_of(r, by_urn) for r in resources if r["custom"] and not is_grant(r)
    )
    grants_per: Counter[str] = Counter(
        component_of(r, by_urn) for r in resources if r["custom"] and is_grant(r)
    )
    node_id = _Ids("n")
    picture = Picture(
        nodes=[
            Node(node_id(top), f"{top}\n{count} resources, {grants_per[top]} grants")
            for top, count in sorted(counts.items())
        ]
    )
    target_node = {
        str(r["urn"]): node_id(component_of(r, by_urn)) for r in resources if r["custom"]
    }
    _draw_grants(picture, _arrows(grants(resources), target_node), with_roles=False)
    return picture


def _expanded(resources: list[Resource], by_urn: Mapping[str, Resource], name: str) -> Picture:
    """Every resource of one component (and of the components inside it)."""
    chosen = [r for r in resources if name in _ancestry(r, by_urn)]
    if not chosen:
        raise UnknownComponent(name)
    cluster_id, node_id = _Ids("c"), _Ids("n")
    clusters: dict[str, Cluster] = {}
    top = Cluster(cluster_id(name), name)
    for resource in chosen:
        if not resource["custom"] or is_grant(resource):
            continue
        parent = str(by_urn[str(resource["parent"])]["name"]) if resource["parent"] else name
        cluster = top if parent == name else clusters.setdefault(
            parent, Cluster(cluster_id(parent), parent))  # fmt: skip
        cluster.nodes.append(Node(node_id(resource["urn"]), _box_label(resource, parent)))
    top.clusters = list(clusters.values())
    picture = Picture([top])
    target_node = {str(r["urn"]): node_id(r["urn"]) for r in chosen if r["custom"]}
    _draw_grants(picture, _arrows(grants(resources), target_node))
    return picture


def _box_label(resource: Resource, component: str) -> str:
    """``Type`` over the resource's name without its component's prefix."""
    name = str(resource["name"])
    own = name.removeprefix(component + "-") if name != component else name
    return f"{type_name(str(resource['type']))}\n{own}"


def _ancestry(resource: Resource, by_urn: Mapping[str, Resource]) -> Iterator[str]:
    current: Resource | None = resource
    while current is not None:
        yield str(current["name"])
        current = by_urn.get(str(current.get("parent") or ""))


Arrow = tuple[Grant, str, str]  # (grant, the node it points at, a mark: "", "+ " or "- ")


def _draw_grants(picture: Picture, arrows: Iterable[Arrow], with_roles: bool = True) -> None:
    """An arrow from each group (or the public) to what it is granted, roles as labels."""
    roles: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    principals: dict[str, str] = {}
    for grant, target, mark in arrows:
        drawn = _principal(grant.member)
        if drawn is None:
            continue
        principals[grant.member] = drawn[1]
        roles[(grant.member, target, mark)].add(_short_role(grant.role))
    principal_id = _Ids("g")
    for member, kind in sorted(principals.items()):
        label = member.removeprefix("group:")
        picture.nodes.append(Node(principal_id(member), label, kind, round=True))
    for (member, target, mark), names in sorted(roles.items()):
        label = ", ".join(sorted(names)) if with_roles else f"{len(names)} roles"
        picture.edges.append(Edge(principal_id(member), target, f"{mark}{label}"))


def _arrows(found: Iterable[Grant], target_node: Mapping[str, str]) -> Iterator[Arrow]:
    for grant in found:
        target = target_node.get(grant.target_urn or "")
        if target is not None:
            yield grant, target, ""


# --- the changes of a PR -------------------------------------------------------


@dataclass(frozen=True)
class StackChanges:
    diff: PlanDiff
    head: Mapping[str, Any]  # the plan of the change
    base: Mapping[str, Any]  # the plan of the base


def changes_picture(changed: list[StackChanges]) -> Picture:
    """The changed components: changed resources coloured, grants drawn as arrows."""
    total = sum(len(c.diff.created) + len(c.diff.update) + len(c.diff.delete) for c in changed)
    picture = Picture()
    if total <= CHANGES_COLLAPSE_OVER:
        ids = _Ids("n")
        grant_arrows: list[tuple[Grant, str]] = []
        for stack in changed:
            picture.clusters += _changed_resources(stack, ids, grant_arrows)
        _arrows_of(picture, grant_arrows, ids)
        if sum(1 for _ in picture.all_nodes()) <= MAX_NODES:
            return picture
        picture = Picture()
    for stack in changed:
        picture.clusters += _component_boxes(stack)
    _cap(picture)
    return picture


def _cap(picture: Picture) -> None:
    """Keep the first boxes, in order, up to ``MAX_NODES``; the others become one box
    per cluster that counts them."""
    left = MAX_NODES
    for cluster in picture.clusters:
        if len(cluster.nodes) > max(left, 1):
            kept = cluster.nodes[: max(left - 1, 0)]
            more = len(cluster.nodes) - len(kept)
            cluster.nodes = [*kept, Node(f"{cluster.id}_more", f"{more} more components", "")]
        left -= len(cluster.nodes)


def _kinds(diff: PlanDiff) -> dict[str, str]:
    """URN -> create, update, replace or delete."""
    found = {c.urn: "create" for c in diff.created}
    found.update({u.urn: "replace" if u.replaced else "update" for u in diff.update})
    found.update({d.urn: "delete" for d in diff.delete})
    return found


def _changed_resources(
    stack: StackChanges, ids: _Ids, grant_arrows: list[tuple[Grant, str]]
) -> list[Cluster]:
    kinds = _kinds(stack.diff)
    head = {str(r["urn"]): r for r in stack.head.get("resources") or []}
    base = {str(r["urn"]): r for r in stack.base.get("resources") or []}
    targets = (target_index(head.values()), target_index(base.values()))
    clusters: dict[str, Cluster] = {}
    drawn: list[tuple[str, str, Resource]] = []  # (urn, kind, resource) of boxes
    for urn, kind in kinds.items():
        resource = head.get(urn) or base[urn]
        if not resource["custom"]:
            continue
        if is_grant(resource):
            grant_arrows += _changed_grants(urn, kind, (head, base), targets)
            continue
        drawn.append((urn, kind, resource))
    alike: Counter[tuple[str, str, str]] = Counter()
    tops = {}
    for urn, kind, resource in drawn:
        tops[urn] = component_of(resource, head if urn in head else base)
        alike[(tops[urn], str(resource["type"]), kind)] += 1
    for urn, kind, resource in drawn:
        top = tops[urn]
        label = top if top == stack.diff.stack else f"{stack.diff.stack} · {top}"
        cluster = clusters.setdefault(top, Cluster(ids(("cluster", stack.diff.stack, top)), label))
        key = (top, str(resource["type"]), kind)
        if alike[key] > AGGREGATE_OVER:
            # many alike: one box with the count; their grants point at it
            box = ids(("alike", stack.diff.stack, *key))
            ids.known[urn] = box
            if all(n.id != box for n in cluster.nodes):
                text = f"{type_name(key[1])} ×{alike[key]}\n{kind}"
                cluster.nodes.append(Node(box, text, kind))
            continue
        cluster.nodes.append(Node(ids(urn), _box_label(resource, top), kind))
    return list(clusters.values())


def _changed_grants(
    urn: str,
    kind: str,
    plans: tuple[Mapping[str, Resource], Mapping[str, Resource]],
    targets: tuple[Targets, Targets],
) -> list[tuple[Grant, str]]:
    """The grants an IAM change adds ("+ ") or removes ("- "); plans and targets: (head, base)."""
    (head, base), (head_targets, base_targets) = plans, targets
    after = set(grants_of(head[urn], head_targets)) if urn in head else set()
    before = set(grants_of(base[urn], base_targets)) if urn in base else set()
    if kind == "replace":
        before = set()
    added = [(g, "+ ") for g in sorted(after - before, key=str)]
    return added + [(g, "- ") for g in sorted(before - after, key=str)]


def _arrows_of(picture: Picture, grant_arrows: list[tuple[Grant, str]], ids: _Ids) -> None:
    """Arrows for changed grants; a target not changed itself is drawn as it is."""
    drawn = {n.id for n in picture.all_nodes()}
    arrows: list[Arrow] = []
    for grant, mark in grant_arrows:
        if _principal(grant.member) is None:
            continue
        target = ids(grant.target_urn or grant.target_label)
        if target not in drawn:
            label = _urn_label(grant.target_urn) if grant.target_urn else grant.target_label
            picture.nodes.append(Node(target, label, "same"))
            drawn.add(target)
        arrows.append((grant, target, mark))
    _draw_grants(picture, arrows)


def _urn_label(urn: str) -> str:
    qualified, _, name = urn.rpartition("::")
    return f"{type_name(qualified)}\n{name}"


def _component_boxes(stack: StackChanges) -> list[Cluster]:
    """One box per changed component, with its counts per kind of change."""
    head = {str(r["urn"]): r for r in stack.head.get("resources") or []}
    base = {str(r["urn"]): r for r in stack.base.get("resources") or []}
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for urn, kind in _kinds(stack.diff).items():
        by_urn = head if urn in head else base
        counts[component_of(by_urn[urn], by_urn)][kind] += 1
    ids = _Ids(f"{stack.diff.stack.replace('-', '_')}_")
    alike: dict[str, list[str]] = defaultdict(list)
    main: dict[str, str] = {}
    for top, per_kind in sorted(counts.items()):
        text = ", ".join(f"{n} to {k}" for k, n in sorted(per_kind.items()))
        alike[text].append(top)
        # coloured by its most severe change: one replacement among updates shows
        main[text] = min(per_kind, key=SEVERITY.index)
    nodes = []
    for text, tops in alike.items():
        if len(tops) > AGGREGATE_OVER:
            # components changed alike: one box with their count
            nodes.append(Node(ids(text), f"{len(tops)} components\n{text} each", main[text]))
            continue
        nodes += [Node(ids(top), f"{top}\n{text}", main[text]) for top in tops]
    return [Cluster(f"s_{stack.diff.stack.replace('-', '_')}", stack.diff.stack, nodes)]
