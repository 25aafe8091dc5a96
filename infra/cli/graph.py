"""``k8s-infra graph``: a picture of a stack from its offline plan."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from infra.console.output import boundary
from infra.core.errors import ProblemsFound, UsageError
from infra.declarations.application import cli_context
from infra.declarations.stacks import stack_names


class GraphFormat(StrEnum):
    mermaid = "mermaid"
    dot = "dot"


@boundary
def graph(
    ctx: typer.Context,
    stack: Annotated[str, typer.Argument(help="The stack to draw.")],
    output_format: Annotated[
        GraphFormat, typer.Option("--format", help="Mermaid (GitHub draws it) or Graphviz DOT.")
    ] = GraphFormat.mermaid,
    component: Annotated[
        str | None,
        typer.Option("--component", metavar="NAME", help="Draw every resource of one component."),
    ] = None,
) -> None:
    """Draw a stack from its offline plan, on stdout: components as clusters, the
    groups that are granted access as arrows to what they are granted on.

    A stack with many components (the staging projects) is drawn one box per
    component with its counts; --component NAME draws one of them in full.

    [b]Examples[/b]

      k8s-infra graph staging-images

      k8s-infra graph staging --component k8s-staging-example

      k8s-infra graph registry-mirrors --format dot | dot -Tsvg > mirrors.svg
    """
    from infra.cli.plan_cache import open_plan_cache
    from infra.planner.cache import run_cached
    from infra.planner.checked import check_declarations
    from infra.planner.runner import PlanFailed, PlanRequest
    from infra.review.graphs import UnknownComponent, stack_picture
    from infra.review.pictures import dot, mermaid

    root = cli_context(ctx).root
    known = stack_names(root)
    if stack not in known:
        raise UsageError(f"unknown stack `{stack}`", "known stacks: " + ", ".join(known))
    plan_cache = open_plan_cache(root)
    problems = check_declarations(root, plan_cache).problems
    if any(p.severity == "error" for p in problems):
        raise ProblemsFound(problems)
    from infra.console.progress import plan_progress

    with plan_progress(plan_cache, 1) as (on_done, on_progress):
        (result,) = run_cached([PlanRequest(stack, root)], plan_cache, None, on_done, on_progress)
    if result.plan is None:
        raise PlanFailed(result)
    try:
        picture = stack_picture(result.plan, component)
    except UnknownComponent:
        names = sorted({r["name"] for r in result.plan["resources"] if not r["custom"]})
        shown = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
        raise UsageError(
            f"stack `{stack}` has no component `{component}`",
            f"its components: {shown}" if names else "this stack has no components",
        ) from None
    text = mermaid(picture) if output_format is GraphFormat.mermaid else dot(picture, stack)
    typer.echo(text, nl=False)
