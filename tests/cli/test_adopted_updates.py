"""`up` and `staging ensure` on adopted stacks: each change input by input before asking.

The stand-in holds the stack's state (every resource adopted) and live
values that differ from the program; it computes the steps as the engine
would and sends them as events.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from typer.testing import CliRunner

from infra.cli import pulumi_ops
from tests.cli.test_adopt_steps import SINK, by_urn
from tests.conftest import REPO
from tests.engines.stand_in import StandIn

StandInFactory = Callable[..., StandIn]
STACK = "registry-sandbox"
BUCKET_TYPE = "gcp:storage/bucket:Bucket"
ORPHAN = f"urn:pulumi:{STACK}::k8s-infra::{BUCKET_TYPE}::registry-proxy-old-logs"


@pytest.fixture(autouse=True)
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pulumi_ops, "can_prompt", lambda: True)


def adopted(
    stand_in: StandInFactory, plan: dict[str, Any], stack: str = STACK, **more: Any
) -> StandIn:
    return stand_in(
        resources={stack: plan["resources"]},
        state={stack: [r["urn"] for r in plan["resources"]]},
        **more,
    )


def run(cli: CliRunner, fake: StandIn, answer: str, *args: str) -> Any:
    from infra.cli.app import app

    return cli.invoke(
        app, ["--root", str(REPO), *args], input=answer, env=fake.env(), catch_exceptions=False
    )


@pytest.mark.parametrize(("answer", "applied"), [("y\n", True), ("n\n", False)])
def test_up_shows_each_differing_input_before_asking(
    cli: CliRunner,
    stand_in: StandInFactory,
    repo_plan: Callable[[str], dict[str, Any]],
    answer: str,
    applied: bool,
) -> None:
    plan = repo_plan(STACK)
    fake = adopted(stand_in, plan, live={STACK: {SINK: {"uniqueWriterIdentity": False}}})
    result = run(cli, fake, answer, "up", STACK)
    assert result.exit_code == 0, result.output
    err = result.stderr
    assert f"preview {STACK}: 1 update (110 unchanged)" in err
    assert f"1 resource(s) of stack {STACK} change:\n  {SINK}\n    update: updated" in err
    assert "      uniqueWriterIdentity: false → true (update)" in err
    assert err.index("uniqueWriterIdentity: false") < err.index("Apply these changes")
    assert fake.operations() == [("preview", STACK)] + ([("up", STACK)] if applied else [])


@pytest.mark.parametrize(("answer", "applied"), [("y\n", False), (f"{STACK}\n", True)])
def test_a_replacement_of_an_imported_resource_needs_the_stack_name_typed(
    cli: CliRunner,
    stand_in: StandInFactory,
    repo_plan: Callable[[str], dict[str, Any]],
    answer: str,
    applied: bool,
) -> None:
    plan = repo_plan(STACK)
    fake = adopted(
        stand_in,
        plan,
        live={STACK: {SINK: {"name": "analytics-old"}}},
        replace_keys={STACK: {SINK: ["name"]}},
    )
    result = run(cli, fake, answer, "up", STACK)
    assert result.exit_code == 0, result.output
    err = result.stderr
    assert 'name: "analytics-old" → "analytics" (update-replace)' in err
    assert "warning: 1 live resource(s) would be replaced or deleted: " in err
    assert f"These changes replace or delete live resources. Type {STACK} to apply them" in err
    assert fake.operations() == [("preview", STACK)] + ([("up", STACK)] if applied else [])


def test_a_deletion_of_an_imported_resource_is_never_routine(
    cli: CliRunner, stand_in: StandInFactory, repo_plan: Callable[[str], dict[str, Any]]
) -> None:
    plan = repo_plan(STACK)
    fake = adopted(
        stand_in, plan, orphans={STACK: [{"urn": ORPHAN, "type": BUCKET_TYPE, "inputs": {}}]}
    )
    result = run(cli, fake, "y\n", "up", STACK)
    assert result.exit_code == 0, result.output
    assert f"  {ORPHAN}\n    delete: deleted: the program does not declare it" in result.stderr
    assert "would be replaced or deleted: registry-proxy-old-logs" in result.stderr
    assert fake.operations() == [("preview", STACK)]


def test_ensure_shows_the_same_listing(
    cli: CliRunner, stand_in: StandInFactory, repo_plan: Callable[[str], dict[str, Any]]
) -> None:
    stack = "staging-images"
    plan = repo_plan(stack)
    repository = next(
        r["urn"]
        for r in plan["resources"]
        if r["type"] == "gcp:artifactregistry/repository:Repository"
        and r["urn"].endswith("::k8s-staging-images-kueue")
    )
    labels = {**by_urn(plan)[repository]["inputs"]["labels"], "name": "kueue-old"}
    fake = adopted(stand_in, plan, stack, live={stack: {repository: {"labels": labels}}})
    result = run(cli, fake, "n\n", "staging", "ensure", "kueue")
    assert result.exit_code == 0, result.output
    assert f"  {repository}\n    update: updated to match the program" in result.stderr
    assert '      labels.name: "kueue-old" → "kueue" (update)' in result.stderr
    assert "Apply these changes to stack staging-images?" in result.stderr
    assert ("preview", stack) in fake.operations()
    assert not [op for op, _ in fake.operations() if op == "up"]
