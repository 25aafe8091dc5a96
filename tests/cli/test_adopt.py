"""`adopt` through the Automation API, against a stand-in `pulumi` on PATH."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from infra.adoption.ids import Target, adoption_steps
from infra.adoption.imports import IMPORTS_DIR
from tests.conftest import REPO, invoke
from tests.engines.stand_in import StandIn

StandInFactory = Callable[..., StandIn]
STACK = "registry-sandbox"
# Named by Google when they were made: read from the live project.
LIVE_IDS = {
    "registry-proxy-monitoring-email": "11",
    "registry-proxy-monitoring-uptime-check": "registry-sandbox-k8s-io-a1b2",
    "registry-proxy-monitoring-uptime-alert": "projects/k8s-infra-oci-proxy/alertPolicies/13",
    "registry-proxy-monitoring-certificate-alert": "14",
}
ID_FLAGS = [flag for name, live in LIVE_IDS.items() for flag in ("--id", f"{name}={live}")]


def adopt(cli: CliRunner, fake: StandIn, root: Path, *args: str) -> Any:
    return invoke(cli, "--root", str(root), "adopt", *args, env=fake.env())


def expected_map(plan: dict[str, Any]) -> dict[str, str]:
    live = {name: value.rsplit("/", 1)[-1] for name, value in LIVE_IDS.items()}
    steps = adoption_steps(plan["resources"], Target(), live)
    return {s.urn: s.id for s in steps if s.action == "import" and s.id}


def test_adopt_runs_the_import_preview_the_update_and_a_clean_preview(
    cli: CliRunner,
    stand_in: StandInFactory,
    checkout_copy: Path,
    repo_plan: Callable[[str], dict[str, Any]],
) -> None:
    fake = stand_in()
    result = adopt(cli, fake, checkout_copy, STACK, "--yes", *ID_FLAGS)
    assert result.exit_code == 0, result.output
    assert fake.operations() == [("preview", STACK), ("up", STACK), ("preview", STACK)]
    import_preview, update, final = [c for c in fake.calls() if c["args"][0] in ("preview", "up")]
    map_file = str(checkout_copy / IMPORTS_DIR / f"{STACK}.json")
    wanted = expected_map(repo_plan(STACK))
    # the program of the import preview and of the update read the map; the last one none
    for call in (import_preview, update):
        assert (call["imports"], call["imports_map"]) == (map_file, wanted)
        assert call["root"] == str(checkout_copy)
    assert (final["imports"], final["imports_map"]) == (None, None)
    assert "--yes" in update["args"]
    assert len(wanted) == 70
    assert (
        wanted[
            "urn:pulumi:registry-sandbox::k8s-infra::k8s-infra:proxy:RegistryProxy$"
            "k8s-infra:proxy:ProxyMonitoring$gcp:monitoring/alertPolicy:AlertPolicy::"
            "registry-proxy-monitoring-uptime-alert"
        ]
        == "projects/k8s-infra-oci-proxy/alertPolicies/13"
    )
    assert not Path(map_file).exists()
    assert f"adopt {STACK}: 70 to import, 41 to create idempotently" in result.stderr
    assert "unchecked offline: registry-proxy-project-runtime displayName = " in result.stderr
    assert f"stack {STACK} adopted: 70 imported, no changes left" in result.stderr
    assert result.stdout == ""


@pytest.mark.e2e
def test_a_failing_import_preview_updates_nothing_and_removes_the_map(
    cli: CliRunner, stand_in: StandInFactory, checkout_copy: Path
) -> None:
    fake = stand_in(
        fail_imports={
            STACK: "error: inputs to import do not match the existing resource: [displayName]"
        }
    )
    result = adopt(cli, fake, checkout_copy, STACK, "--yes", *ID_FLAGS)
    assert result.exit_code == 1, result.output
    assert fake.operations() == [("preview", STACK)]
    assert "inputs to import do not match the existing resource" in result.stderr
    assert not (checkout_copy / IMPORTS_DIR / f"{STACK}.json").exists()


@pytest.mark.e2e
def test_changes_left_after_the_update_exit_1(
    cli: CliRunner, stand_in: StandInFactory, checkout_copy: Path
) -> None:
    fake = stand_in(changes={STACK: {"update": 1, "same": 110}})
    result = adopt(cli, fake, checkout_copy, STACK, "--yes", *ID_FLAGS)
    assert result.exit_code == 1, result.output
    assert fake.operations() == [("preview", STACK), ("up", STACK), ("preview", STACK)]
    assert f"error: stack {STACK} still differs from the program after adoption" in result.stderr


@pytest.mark.e2e
def test_ids_only_the_live_project_knows_are_asked_for_before_anything_runs(
    cli: CliRunner, stand_in: StandInFactory, checkout_copy: Path
) -> None:
    fake = stand_in()
    result = adopt(cli, fake, checkout_copy, STACK, "--yes")
    assert result.exit_code == 1, result.output
    assert "4 resource(s) carry an id the service generated" in result.stderr
    assert "registry-proxy-monitoring-uptime-check: gcloud monitoring uptime list-configs" in (
        result.stderr
    )
    assert fake.operations() == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["groups", "--yes"], "the groups stack is not adopted by import"),
        (["registry-prod", "--yes"], "`registry-prod` is a production stack"),
        ([STACK], "needs a confirmation and there is no terminal"),
        (["all", "--yes"], "unknown stack `all`"),
        ([STACK, "--yes", "--id", "nothing"], "--id `nothing` is not NAME=ID"),
    ],
)
def test_usage_errors_exit_2_before_the_engine_runs(
    cli: CliRunner, stand_in: StandInFactory, args: list[str], message: str
) -> None:
    fake = stand_in()
    result = adopt(cli, fake, REPO, *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert fake.operations() == []


@pytest.mark.e2e  # the stand-in CLI is installed, and must not be reached
def test_a_broken_stack_file_is_named_at_its_line_before_the_engine_runs(
    cli: CliRunner, stand_in: StandInFactory, checkout_copy: Path
) -> None:
    stack_file = checkout_copy / "stacks" / "Pulumi.groups.yaml"
    stack_file.write_text(
        "config:\n  k8s-infra:components: [groups]\n  k8s-infra:components: [staging]\n"
    )
    fake = stand_in()
    result = adopt(cli, fake, checkout_copy, "groups", "--yes")
    assert result.exit_code == 1, result.output
    assert "stacks/Pulumi.groups.yaml:3:3: error: duplicate key `k8s-infra:components`" in (
        result.stderr
    )
    assert fake.operations() == []


def test_a_missing_cli_is_exit_code_3_with_the_install_hint(cli: CliRunner, tmp_path: Path) -> None:
    env = {"PATH": str(tmp_path), "K8S_INFRA_PULUMI_ROOT": ""}
    result = invoke(cli, "--root", str(REPO), "adopt", STACK, "--yes", env=env)
    assert result.exit_code == 3, result.output
    assert "error: Pulumi CLI not found" in result.stderr
    assert "install version 3.150.0 or newer" in result.stderr
    assert not (REPO / IMPORTS_DIR).exists()


@pytest.mark.e2e
def test_the_program_sets_import_on_every_urn_of_the_map(
    tmp_path: Path, repo_plan: Callable[[str], dict[str, Any]]
) -> None:
    """The real program, under the planner's mock monitor: what the engine would receive."""
    import os
    import subprocess
    import sys

    plan = repo_plan(STACK)
    wanted = expected_map(plan)
    path = tmp_path / "ids.json"
    path.write_text(json.dumps(wanted))
    done = subprocess.run(
        [sys.executable, "-m", "tests.adoption.probe", STACK, str(REPO)],
        capture_output=True, text=True, check=True, cwd=REPO,
        env={**os.environ, "K8S_INFRA_IMPORTS": str(path)},
    )  # fmt: skip
    seen = json.loads(done.stdout)
    assert seen["imports"] == wanted
    # protection is the components' own: the dataset and addresses stay protected
    assert sum(seen["protect"].values()) == sum(r["protect"] for r in plan["resources"])
    # a map naming a resource the program does not have fails the run
    path.write_text(json.dumps({**wanted, "urn:pulumi:registry-sandbox::k8s-infra::x::y": "z"}))
    failed = subprocess.run(
        [sys.executable, "-m", "tests.adoption.probe", STACK, str(REPO)],
        capture_output=True, text=True, check=False, cwd=REPO,
        env={**os.environ, "K8S_INFRA_IMPORTS": str(path)},
    )  # fmt: skip
    assert failed.returncode != 0
    assert "1 URN(s) of the id map name no resource of the program" in failed.stderr


@pytest.mark.e2e
def test_named_projects_or_registries_are_adopted_by_a_targeted_run(
    cli: CliRunner, stand_in: StandInFactory, checkout_copy: Path
) -> None:
    fake = stand_in()
    result = adopt(cli, fake, checkout_copy, "staging-images", "kueue", "--yes")
    assert result.exit_code == 0, result.output
    assert fake.operations() == [
        ("preview", "staging-images"),
        ("up", "staging-images"),
        ("preview", "staging-images"),
    ]
    calls = [c for c in fake.calls() if c["args"][0] in ("preview", "up")]
    targets = set(fake.targets("up", "staging-images"))
    assert targets == set(fake.targets("preview", "staging-images"))
    imported = calls[1]["imports_map"]
    # the registry's repository and account, and the project's shared resources
    assert set(imported) <= targets
    assert {
        "projects/k8s-staging-images/locations/us-central1/repositories/kueue",
        "projects/k8s-staging-images/serviceAccounts/kueue-sa@k8s-staging-images.iam"
        ".gserviceaccount.com",
        "k8s-staging-images",  # the project, shared by every registry of it
    } <= set(imported.values())
    assert not any("repositories/kwok" in v for v in imported.values())
    assert "staging-images: registry kueue of k8s-staging-images" in result.stderr


@pytest.mark.e2e
def test_a_name_the_stack_does_not_have_is_refused(
    cli: CliRunner, stand_in: StandInFactory, checkout_copy: Path
) -> None:
    fake = stand_in()
    result = adopt(cli, fake, checkout_copy, "staging-images", "no-such-thing", "--yes")
    assert result.exit_code == 1, result.output
    assert "not in stack staging-images: `no-such-thing`" in result.stderr
    assert fake.operations() == []


def test_many_compared_values_are_counted_and_the_hand_checks_listed() -> None:
    from infra.adoption.unchecked import Unchecked
    from infra.cli import adopt as adopt_command
    from infra.console.output import stderr

    values = [Unchecked(f"u{i}", f"sa-{i}", "displayName", f"SA {i}", True) for i in range(25)]
    values.append(
        Unchecked("u", "writer", "member", "serviceAccount:1@cloudbuild.gserviceaccount.com", False)
    )
    with stderr.capture() as captured:
        adopt_command._report_unchecked(values)
    lines = captured.get().splitlines()
    assert lines == [
        "  unchecked offline, compared by the import preview: 25 displayName",
        "  unchecked offline: writer member = serviceAccount:1@cloudbuild.gserviceaccount.com "
        "(NOT compared: check by hand)",
    ]
