"""``k8s-infra access``: who can do what, from the offline plans of every stack."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from infra.console.output import boundary, emit_json, stderr
from infra.core.errors import ProblemsFound, UsageError
from infra.declarations.application import cli_context
from infra.declarations.stacks import stack_names

if TYPE_CHECKING:
    from infra.access.model import Access, AccessModel
    from infra.planner.cache import PlanCache

access_app = typer.Typer(
    help="Who can do what: every grant of every stack's offline plan, groups expanded to "
    "their members (nested groups included), public principals marked. Roles are shown as "
    "granted.",
    no_args_is_help=True,
)


class Format(StrEnum):
    text = "text"
    markdown = "markdown"


def _checked_cache(root: Path) -> PlanCache:
    """The plan cache, once every declaration is known valid (access needs every stack)."""
    from infra.cli.plan_cache import open_plan_cache
    from infra.planner.checked import check_declarations

    plan_cache = open_plan_cache(root)
    problems = check_declarations(root, plan_cache).problems
    if any(p.severity == "error" for p in problems):
        raise ProblemsFound(problems)
    return plan_cache


@access_app.command("diff")
@boundary
def diff(
    ctx: typer.Context,
    base: Annotated[
        str,
        typer.Option("--base", metavar="GIT_REF", help="Compare with the access at this git ref."),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the changes as JSON.")] = False,
    output_format: Annotated[
        Format, typer.Option("--format", help="`markdown`: the PR summary's section on stdout.")
    ] = Format.text,
    jobs: Annotated[
        int | None, typer.Option("--jobs", "-j", min=1, help="Plans run at once (default: CPUs).")
    ] = None,
) -> None:
    """Per principal whose effective access changes: the roles gained and lost, on which
    resources, and through which groups or grants.

    Uses the plans `plan all --base` makes (and caches): after it, this adds only the
    reading of the grants.

    [b]Examples[/b]

      k8s-infra access diff --base origin/main

      k8s-infra access diff --base origin/main --json > access-diff.json
    """
    from infra.access.plans import diff_against
    from infra.access.render import markdown_lines, text_lines
    from infra.planner.worktree import InvalidBase, check_commitish, checkout, resolve_commit

    if as_json and output_format is Format.markdown:
        raise UsageError("--json and --format markdown both print on stdout", "run twice")
    try:
        check_commitish(base)
    except InvalidBase as error:
        raise UsageError(f"--base: {error.message}", error.hint) from None
    root = cli_context(ctx).root
    plan_cache = _checked_cache(root)
    sha = resolve_commit(root, base)
    with checkout(root, sha) as tree:
        changes = diff_against(root, tree, sha, stack_names(root), plan_cache, jobs)
    if output_format is Format.markdown:
        typer.echo("\n".join(markdown_lines(changes)), nl=False)
        return
    stderr.print(f"access against {sha[:12]}:", style="bold", markup=False)
    for line in text_lines(changes):
        style = "green" if line.startswith("+") else "red" if line.startswith("-") else "yellow"
        stderr.print(f"  {line}", style=style, markup=False)
    if as_json:
        emit_json({"base": sha, **changes.to_json()})


def _model(root: Path, jobs: int | None) -> AccessModel:
    from infra.access.model import AccessModel
    from infra.access.plans import current_plans

    plan_cache = _checked_cache(root)
    return AccessModel.from_plans(current_plans(root, stack_names(root), plan_cache, jobs))


def _access_json(access: Access) -> dict[str, Any]:
    grant = access.grant
    return {
        "principal": access.principal,
        "role": grant.role,
        "target": {"kind": grant.target.kind, "name": grant.target.name},
        "stack": grant.stack,
        "via": list(access.via),
        "granted_to": grant.principal,
        "mode": grant.mode,
        "public": access.public,
        "source": grant.source,
        **({"note": grant.note} if grant.note else {}),
    }


@access_app.command("of")
@boundary
def of(
    ctx: typer.Context,
    principal: Annotated[
        str,
        typer.Argument(
            help="An address (`alice@example.com`), a member (`group:...`, `serviceAccount:...`"
            ", `allUsers`) or a Kubernetes subject (`k8s:system:serviceaccount:NS:NAME`)."
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1)] = None,
) -> None:
    """Everything a person, group or account holds, and how (directly or through groups);
    then what each identity it may act as holds (a Google service account through
    workload identity, an AWS role it may assume).

    [b]Examples[/b]

      k8s-infra access of alice@example.com

      k8s-infra access of group:k8s-infra-staging-foo@kubernetes.io --json
    """
    from infra.access.queries import acting_as, holdings_of
    from infra.access.render import holding_lines

    model = _model(cli_context(ctx).root, jobs)
    found = holdings_of(model, principal)
    acting = acting_as(model, found)
    if as_json:
        emit_json({
            "query": principal,
            "access": [_access_json(a) for a in found],
            "acting_as": [{"identity": identity, "access": [_access_json(a) for a in held]}
                          for identity, held in acting],
        })  # fmt: skip
        return
    if not found:
        stderr.print(f"{principal}: no access in any stack's plan", markup=False)
        return
    for line in holding_lines(found):
        typer.echo(line)
    for identity, held in acting:
        typer.echo(f"acting as {identity}:")
        for line in holding_lines(held)[1:] or ["  nothing"]:
            typer.echo(line)


@access_app.command("on")
@boundary
def on(
    ctx: typer.Context,
    resource: Annotated[
        str,
        typer.Argument(
            help="A resource's name (`k8s-staging-foo`, a bucket, a repository's "
            "`project/location/id` or its id, a service account's e-mail, a group's address); "
            "a project's name also answers for what is inside it."
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1)] = None,
) -> None:
    """Who holds which role on a resource, and how.

    [b]Examples[/b]

      k8s-infra access on k8s-staging-foo

      k8s-infra access on k8s-infra-staging-foo@kubernetes.io --json
    """
    from infra.access.queries import holders_on
    from infra.access.render import holding_lines

    found = holders_on(_model(cli_context(ctx).root, jobs), resource)
    if as_json:
        emit_json({"query": resource, "access": [_access_json(a) for a in found]})
        return
    if not found:
        stderr.print(f"{resource}: no grant on it in any stack's plan", markup=False)
        return
    for line in holding_lines(found, by_target=True):
        typer.echo(line)
