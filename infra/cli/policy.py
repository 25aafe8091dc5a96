"""``k8s-infra policy``: the guard rails, offline, and the config the pack reads.

``policy check STACK|all`` plans the stacks offline (from the plan cache
when it can) and runs every policy on every resource, as ``pulumi preview
--policy-pack`` would. ``policy config`` prints the policy config made from
the declarations: the file ``k8s-infra preview`` passes to the pack.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from infra.console.output import boundary, emit_json, interactive, print_problems, stderr
from infra.console.progress import plan_progress
from infra.core.errors import EXIT_PROBLEMS, ProblemsFound, UsageError
from infra.core.problems import Problems
from infra.declarations.application import cli_context
from infra.declarations.stacks import stack_names

if TYPE_CHECKING:
    from infra.guardrails.offline import Verdict

ALL = "all"

policy_app = typer.Typer(
    help="Guard rails: check every stack's plan against the policies; the pack's config",
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=True,
)


@policy_app.command("check")
@boundary
def check(
    ctx: typer.Context,
    stack: Annotated[str, typer.Argument(help="The stack to check, or `all`.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print every verdict as JSON on stdout.")
    ] = False,
    config_file: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help="Use this policy config file instead of one made from the declarations.",
        ),
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Plan every stack again, ignoring the plan cache.")
    ] = False,
    output_format: Annotated[
        str,
        typer.Option("--format", help="`markdown`: print the verdicts for a PR summary on stdout."),
    ] = "text",
) -> None:
    """Run every guard-rail policy on the offline plan of a stack (or of every stack).

    One line per violation, naming the stack, the resource, the policy and
    the fix; exits 1 when there is one. A policy that needs a value the plan
    cannot know is reported as not evaluated, as `pulumi preview` does.

    [b]Examples[/b]

      k8s-infra policy check all

      k8s-infra policy check registry-prod --json

      k8s-infra policy check all --format markdown > guardrails.md
    """
    if output_format not in ("text", "markdown"):
        raise UsageError(f"--format `{output_format}` is not known", "use text or markdown")
    if as_json and output_format == "markdown":
        raise UsageError("--json and --format markdown both print on stdout", "pick one")
    root = cli_context(ctx).root
    known = stack_names(root)
    if stack != ALL and stack not in known:
        raise UsageError(f"unknown stack `{stack}`", "known stacks: " + ", ".join([*known, ALL]))
    from infra.cli.plan_cache import open_plan_cache
    from infra.guardrails.offline import check_plan
    from infra.planner.cache import run_cached
    from infra.planner.checked import check_declarations
    from infra.planner.runner import PlanFailed, PlanRequest

    started = time.monotonic()
    plan_cache = None if no_cache else open_plan_cache(root)
    problems = Problems()
    with _status("checking the declarations"):
        problems.extend(check_declarations(root, plan_cache).problems)
        config = _config(root, config_file, problems)
    if problems.has_errors:
        raise ProblemsFound(problems.sorted())
    print_problems(problems.sorted())
    requests = [PlanRequest(name, root) for name in (known if stack == ALL else [stack])]
    # on a terminal: plans done, and each running plan's resources (as `plan` shows them)
    with plan_progress(plan_cache, len(requests)) as (on_done, on_progress):
        results = run_cached(requests, plan_cache, None, on_done, on_progress)
    failed = [r for r in results if r.plan is None]
    if failed:
        raise PlanFailed(failed[0])
    checked = [(r.plan, check_plan(r.plan, config)) for r in results if r.plan is not None]
    _report(checked, as_json=as_json, seconds=time.monotonic() - started)
    if output_format == "markdown":
        sys.stdout.write(markdown(checked))
    if any(not v.unknown for _, verdicts in checked for v in verdicts):
        raise typer.Exit(EXIT_PROBLEMS)


@contextmanager
def _status(what: str) -> Iterator[None]:
    """A spinner on a terminal while a step runs; nothing in logs."""
    if not interactive():
        yield
        return
    with stderr.status(what):
        yield


def _config(root: Path, config_file: Path | None, problems: Problems) -> dict[str, Any]:
    from infra.guardrails.settings import policy_config

    if config_file is None:
        return policy_config(root, problems)
    try:
        loaded = json.loads(config_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise UsageError(
            f"--config: cannot read {config_file}: {error}",
            "write it with `k8s-infra policy config --output FILE`",
        ) from None
    if not isinstance(loaded, dict):
        raise UsageError(f"--config: {config_file} is not a JSON object", None)
    return loaded


def _report(
    checked: list[tuple[dict[str, Any], list[Verdict]]], *, as_json: bool, seconds: float
) -> None:
    violations = [v for _, verdicts in checked for v in verdicts if not v.unknown]
    unknown = [v for _, verdicts in checked for v in verdicts if v.unknown]
    for verdict in violations:
        stderr.print(f"error: {verdict.line()}", style="red", markup=False)
    for verdict in unknown:
        stderr.print(f"warning: {verdict.line()}", style="yellow", markup=False)
    resources = sum(len(plan["resources"]) for plan, _ in checked)
    summary = (
        f"{len(violations)} violation(s), {len(unknown)} not evaluated (unknown), "
        f"{resources} resources in {len(checked)} stack(s), {seconds:.1f}s"
    )
    stderr.print(("policy check: " if violations else "policies pass: ") + summary,
                 style="red" if violations else "green")  # fmt: skip
    if as_json:
        emit_json({"stacks": [
            {
                "stack": plan["stack"],
                "resources": len(plan["resources"]),
                "violations": [v.to_json() for v in verdicts if not v.unknown],
                "not_evaluated": [v.to_json() for v in verdicts if v.unknown],
            }
            for plan, verdicts in checked
        ]})  # fmt: skip


def markdown(checked: list[tuple[dict[str, Any], list[Verdict]]]) -> str:
    """The verdicts for the top of a PR summary: every violation, with its fix."""
    from infra.guardrails.checks import policies

    violations = [v for _, verdicts in checked for v in verdicts if not v.unknown]
    unknown = [v for _, verdicts in checked for v in verdicts if v.unknown]
    resources = sum(len(plan["resources"]) for plan, _ in checked)
    where = f"{resources} resources in {len(checked)} stack(s)"
    if not violations and not unknown:
        return f"_Guard rails: all {len(policies())} policies pass on {where}._\n\n"
    lines = [f"## Guard rails: {len(violations)} violation(s) in {where}", ""]
    lines += [f"- **{v.stack}** `{v.name}`: [{v.policy}] {_escape(v.message)}" for v in violations]
    if unknown:
        lines += ["", f"Not evaluated (values unknown until applied): {len(unknown)}", ""]
        lines += [f"- **{v.stack}** `{v.name}`: [{v.policy}] {_escape(v.message)}" for v in unknown]
    return "\n".join(lines) + "\n\n"


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;")


@policy_app.command("config")
@boundary
def config(
    ctx: typer.Context,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write it to this file, not stdout.")
    ] = None,
) -> None:
    """Print the policy config made from the declarations (the pack's --policy-pack-config).

    [b]Examples[/b]

      k8s-infra policy config -o policy-config.json

      k8s-infra policy config -o c.json && pulumi preview --stack staging \\
        --policy-pack policy-pack --policy-pack-config c.json
    """
    from infra.guardrails.settings import policy_config

    root = cli_context(ctx).root
    problems = Problems()
    made = policy_config(root, problems)
    if problems.has_errors:
        raise ProblemsFound(problems.sorted())
    print_problems(problems.sorted())
    if output is None:
        emit_json(made)
    else:
        output.write_text(json.dumps(made, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        stderr.print(f"wrote {output}")
