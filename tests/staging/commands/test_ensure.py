"""`staging ensure` through Typer's runner, against a stand-in `pulumi` on PATH.

The checkout keeps three staging projects so that each command plans fast;
the targets are checked against the offline plan of the same checkout.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from infra.planner.runner import PlanRequest, plan_one
from infra.staging.commands.selection import PlanIndex, find_units, select
from tests.conftest import invoke, trim_staging
from tests.engines.stand_in import StandIn

StandInFactory = Callable[..., StandIn]
pytestmark = pytest.mark.plan  # each command plans the staging stacks offline


@pytest.fixture
def checkout(checkout_copy: Path) -> Path:
    trim_staging(checkout_copy)  # k8s-staging-addon-manager, -kwok, -zeitgeist
    return checkout_copy


def expected_targets(checkout: Path, stack: str, name: str) -> tuple[list[str], bool]:
    index = PlanIndex(stack, plan_one(PlanRequest(stack, checkout)))
    units, _ = find_units([index], [name])
    (selection,) = select([index], units)
    return list(selection.urns), selection.dependents


def ensure(cli: CliRunner, checkout: Path, fake: StandIn, *args: str) -> Result:
    return invoke(cli, "--root", str(checkout), "staging", "ensure", *args, env=fake.env())


def test_a_project_is_applied_with_its_targets_and_dependents(
    cli: CliRunner, checkout: Path, stand_in: StandInFactory
) -> None:
    fake = stand_in(changes={"staging": {"create": 40}})
    result = ensure(cli, checkout, fake, "k8s-staging-kwok", "--yes")
    assert result.exit_code == 0, result.output
    assert fake.operations() == [("up", "staging")]
    urns, dependents = expected_targets(checkout, "staging", "kwok")
    assert fake.targets("up", "staging") == urns
    assert dependents and "--target-dependents" in fake.last("up", "staging")["args"]
    assert "--yes" in fake.last("up", "staging")["args"]
    assert "staging: project k8s-staging-kwok (40 resources); 40 targets" in result.stderr


def test_a_registry_is_previewed_only_without_dependents(
    cli: CliRunner, checkout: Path, stand_in: StandInFactory
) -> None:
    fake = stand_in(changes={"staging-images": {"update": 1, "same": 16}})
    result = ensure(cli, checkout, fake, "kueue", "--preview-only")
    assert result.exit_code == 0, result.output
    assert fake.operations() == [("preview", "staging-images")]
    urns, dependents = expected_targets(checkout, "staging-images", "kueue")
    assert fake.targets("preview", "staging-images") == urns
    assert not dependents
    assert "--target-dependents" not in fake.last("preview", "staging-images")["args"]
    assert "preview staging-images: 1 update (16 unchanged)" in result.stderr


def test_unknown_names_are_reported_skipped_and_exit_1_at_the_end(
    cli: CliRunner, checkout: Path, stand_in: StandInFactory
) -> None:
    fake = stand_in()
    result = ensure(cli, checkout, fake, "nope", "zeitgeist", "kueue", "--yes")
    assert result.exit_code == 1, result.output
    assert "error: `nope` is declared nowhere" in result.stderr
    # the others still ran, each stack once, in dependency order
    assert fake.operations() == [("up", "staging"), ("up", "staging-images")]


def test_no_names_means_the_whole_stacks(
    cli: CliRunner, checkout: Path, stand_in: StandInFactory
) -> None:
    fake = stand_in()
    result = ensure(cli, checkout, fake, "--yes")
    assert result.exit_code == 0, result.output
    assert fake.operations() == [("up", "staging"), ("up", "staging-images")]
    assert fake.targets("up", "staging") == []


def test_without_a_terminal_yes_is_needed_before_anything_runs(
    cli: CliRunner, checkout: Path, stand_in: StandInFactory
) -> None:
    fake = stand_in()
    result = ensure(cli, checkout, fake, "kwok")
    assert result.exit_code == 2, result.output
    assert "needs a confirmation and there is no terminal" in result.stderr
    assert fake.operations() == []


def test_from_diff_ensures_what_the_merge_created(
    cli: CliRunner, checkout: Path, stand_in: StandInFactory, tmp_path: Path
) -> None:
    urns, _ = expected_targets(checkout, "staging-images", "kueue")
    created = [u for u in urns if "kueue" in u]
    diff = {"stacks": [
        {"stack": "groups", "base": "x", "create": ["urn:any"], "update": [], "delete": []},
        {"stack": "staging-images", "base": "x", "create": created, "update": [], "delete": []},
    ]}  # fmt: skip
    (tmp_path / "diff.json").write_text(json.dumps(diff))
    fake = stand_in()
    result = ensure(cli, checkout, fake, "--from-diff", str(tmp_path / "diff.json"), "--yes")
    assert result.exit_code == 0, result.output
    assert fake.operations() == [("up", "staging-images")]
    assert fake.targets("up", "staging-images") == urns


def test_from_diff_with_a_deletion_ensures_the_whole_stack(
    cli: CliRunner, checkout: Path, stand_in: StandInFactory, tmp_path: Path
) -> None:
    diff = {"stack": "staging", "base": "x", "create": [], "update": [],
            "delete": [{"urn": "urn:gone", "protect": False}]}  # fmt: skip
    (tmp_path / "diff.json").write_text(json.dumps(diff))
    fake = stand_in()
    result = ensure(cli, checkout, fake, "--from-diff", str(tmp_path / "diff.json"), "--yes")
    assert result.exit_code == 0, result.output
    assert fake.operations() == [("up", "staging")]
    assert fake.targets("up", "staging") == []


def test_invalid_declarations_stop_before_the_engine(
    cli: CliRunner, checkout: Path, stand_in: StandInFactory
) -> None:
    infra_yaml = checkout / "infra" / "infra.yaml"
    infra_yaml.write_text(infra_yaml.read_text().replace("k8s-staging-kwok:", "k8s-staging-KWOK:"))
    fake = stand_in()
    result = ensure(cli, checkout, fake, "kwok", "--yes")
    assert result.exit_code == 1, result.output
    assert ": error: project id `k8s-staging-KWOK`" in result.stderr
    assert fake.operations() == []
