"""adopt reads every step of the import preview, from a stand-in engine of either kind.

The stand-in is given the offline plan's resources and live values that
differ from them; it computes each step as the engine would (import, then
update, in the current engine; a failed import in the older one) and sends
the events. Nothing here tells adopt what to conclude.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from infra.adoption.imports import IMPORTS_DIR
from infra.cli import pulumi_ops
from tests.cli.test_adopt import ID_FLAGS, STACK, adopt
from tests.engines.stand_in import StandIn

StandInFactory = Callable[..., StandIn]
PREFIX = f"urn:pulumi:{STACK}::k8s-infra::k8s-infra:proxy:RegistryProxy$"
SERVICE = (
    PREFIX + "k8s-infra:proxy:ArcheioServices$gcp:cloudrunv2/service:Service::"
    "registry-proxy-archeio-us-central1"
)
ARMOR = (
    PREFIX + "k8s-infra:proxy:ProxyLoadBalancer$gcp:compute/securityPolicy:SecurityPolicy::"
    "registry-proxy-lb-armor"
)
SINK = (
    PREFIX + "k8s-infra:proxy:ProxyLogSinks$gcp:logging/projectSink:ProjectSink::"
    "registry-proxy-logs-analytics"
)
OLD_IMAGE = "gcr.io/k8s-staging-infra-tools/archeio:v20230310-v0.2.0"


def by_urn(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["urn"]: r for r in plan["resources"]}


def live_differences(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Three live resources that differ from the program, one input each."""
    resources = by_urn(plan)
    template = copy.deepcopy(resources[SERVICE]["inputs"]["template"])
    template["containers"][0]["image"] = OLD_IMAGE
    rules = copy.deepcopy(resources[ARMOR]["inputs"]["rules"])
    rules[1]["rateLimitOptions"]["rateLimitThreshold"]["count"] = 5000
    return {
        SERVICE: {"template": template},
        ARMOR: {"rules": rules},
        SINK: {"uniqueWriterIdentity": False, "bigqueryOptions": None},
    }


def engine(
    stand_in: StandInFactory, plan: dict[str, Any], live: dict[str, Any] | None = None, **more: Any
) -> StandIn:
    return stand_in(resources={STACK: plan["resources"]}, live={STACK: live or {}}, **more)


def test_imports_and_idempotent_creates_only_run_the_update_and_the_final_preview(
    cli: CliRunner,
    stand_in: StandInFactory,
    checkout_copy: Path,
    repo_plan: Callable[[str], dict[str, Any]],
) -> None:
    fake = engine(stand_in, repo_plan(STACK))
    result = adopt(cli, fake, checkout_copy, STACK, "--yes", *ID_FLAGS)
    assert result.exit_code == 0, result.output
    assert fake.operations() == [("preview", STACK), ("up", STACK), ("preview", STACK)]
    assert f"import preview {STACK}: 41 create, 70 import (0 unchanged)" in result.stderr
    assert "111 resources: 111 imported, created idempotently or unchanged, 0 updated" in (
        result.stderr
    )
    assert f"preview {STACK}: no changes (111 unchanged)" in result.stderr
    assert f"stack {STACK} adopted: 70 imported, no changes left" in result.stderr
    assert not (checkout_copy / IMPORTS_DIR).exists()


def test_imports_followed_by_updates_stop_adopt_before_the_update_even_with_yes(
    cli: CliRunner,
    stand_in: StandInFactory,
    checkout_copy: Path,
    repo_plan: Callable[[str], dict[str, Any]],
) -> None:
    plan = repo_plan(STACK)
    fake = engine(stand_in, plan, live_differences(plan))
    result = adopt(cli, fake, checkout_copy, STACK, "--yes", *ID_FLAGS)
    assert result.exit_code == 1, result.output
    assert fake.operations() == [("preview", STACK)]  # no update ran
    err = result.stderr
    assert "111 resources: 108 imported, created idempotently or unchanged, 3 updated" in err
    assert f"error: adopting {STACK} would change 3 live resource(s); nothing was applied" in err
    for urn in (SERVICE, ARMOR, SINK):
        assert f"  {urn}\n    import then update: imported, then updated to match the program" in (
            err
        )
    program = by_urn(plan)[SERVICE]["inputs"]["template"]["containers"][0]["image"]
    assert f'template.containers[0].image: "{OLD_IMAGE}" → "{program}" (update)' in err
    assert "rules[1].rateLimitOptions.rateLimitThreshold.count: 5000 → 2490 (update)" in err
    assert "uniqueWriterIdentity: false → true (update)" in err
    assert 'bigqueryOptions: (absent) → {"usePartitionedTables": false} (add)' in err
    assert not (checkout_copy / IMPORTS_DIR).exists()


@pytest.mark.usefixtures("terminal")
def test_without_yes_the_differences_are_shown_and_nothing_is_asked(
    cli: CliRunner,
    stand_in: StandInFactory,
    checkout_copy: Path,
    repo_plan: Callable[[str], dict[str, Any]],
) -> None:
    plan = repo_plan(STACK)
    fake = engine(stand_in, plan, {SINK: live_differences(plan)[SINK]})
    result = adopt_at_terminal(cli, fake, checkout_copy, "y\n")
    assert result.exit_code == 1, result.output
    assert "Apply these changes" not in result.stderr
    assert "uniqueWriterIdentity: false → true (update)" in result.stderr
    assert fake.operations() == [("preview", STACK)]


@pytest.mark.usefixtures("terminal")
def test_at_a_terminal_a_clean_import_preview_asks_before_the_update(
    cli: CliRunner,
    stand_in: StandInFactory,
    checkout_copy: Path,
    repo_plan: Callable[[str], dict[str, Any]],
) -> None:
    fake = engine(stand_in, repo_plan(STACK))
    result = adopt_at_terminal(cli, fake, checkout_copy, "n\n")
    assert result.exit_code == 0, result.output
    assert f"Apply these changes to stack {STACK}?" in result.stderr
    assert f"nothing adopted in stack {STACK}" in result.stderr
    assert fake.operations() == [("preview", STACK)]


def test_accepted_differences_let_adopt_go_on_and_the_unused_ones_are_named(
    cli: CliRunner,
    stand_in: StandInFactory,
    checkout_copy: Path,
    repo_plan: Callable[[str], dict[str, Any]],
) -> None:
    plan = repo_plan(STACK)
    fake = engine(stand_in, plan, live_differences(plan))
    write_accepted(
        checkout_copy,
        (SERVICE, ["template.containers", "template.scaling"], "archeio from Artifact Registry"),
        (ARMOR, ["rules"], "the rate limit of the declarations"),
        (SINK, ["uniqueWriterIdentity", "bigqueryOptions"], "the sink's own writer"),
    )
    result = adopt(cli, fake, checkout_copy, STACK, "--yes", *ID_FLAGS)
    assert result.exit_code == 0, result.output
    assert fake.operations() == [("preview", STACK), ("up", STACK), ("preview", STACK)]
    assert "accepted differences (3 resources):" in result.stderr
    assert f"  accepted, did not occur: {SERVICE} template.scaling" in result.stderr
    assert f"preview {STACK}: no changes (111 unchanged)" in result.stderr


def test_a_difference_no_entry_covers_stops_adopt(
    cli: CliRunner,
    stand_in: StandInFactory,
    checkout_copy: Path,
    repo_plan: Callable[[str], dict[str, Any]],
) -> None:
    plan = repo_plan(STACK)
    fake = engine(stand_in, plan, live_differences(plan))
    write_accepted(
        checkout_copy,
        (SERVICE, ["template"], "archeio from Artifact Registry"),
        (SINK, ["uniqueWriterIdentity"], "only the writer: bigqueryOptions is not accepted"),
    )
    result = adopt(cli, fake, checkout_copy, STACK, "--yes", *ID_FLAGS)
    assert result.exit_code == 1, result.output
    assert fake.operations() == [("preview", STACK)]
    assert f"error: adopting {STACK} would change 2 live resource(s)" in result.stderr
    assert f"  {ARMOR}" in result.stderr
    assert f"  {SINK}" in result.stderr


def test_a_replacement_stops_adopt_whatever_is_accepted(
    cli: CliRunner,
    stand_in: StandInFactory,
    checkout_copy: Path,
    repo_plan: Callable[[str], dict[str, Any]],
) -> None:
    plan = repo_plan(STACK)
    live = {SINK: {"name": "analytics-old"}}
    fake = engine(stand_in, plan, live, replace_keys={STACK: {SINK: ["name"]}})
    write_accepted(checkout_copy, (SINK, ["name"], "renamed"))
    result = adopt(cli, fake, checkout_copy, STACK, "--yes", *ID_FLAGS)
    assert result.exit_code == 1, result.output
    assert fake.operations() == [("preview", STACK)]
    assert "import then create-replacement then replace then delete-replaced: replaced" in (
        result.stderr
    )
    assert 'name: "analytics-old" → "analytics" (update-replace)' in result.stderr


def test_a_deletion_and_a_create_in_place_of_an_import_stop_adopt(
    cli: CliRunner,
    stand_in: StandInFactory,
    checkout_copy: Path,
    repo_plan: Callable[[str], dict[str, Any]],
) -> None:
    plan = repo_plan(STACK)
    extra = PREFIX + "gcp:storage/bucket:Bucket::registry-proxy-not-in-the-map"
    orphan = PREFIX + "gcp:storage/bucket:Bucket::registry-proxy-forgotten"
    fake = stand_in(
        resources={STACK: [*plan["resources"], {"urn": extra, "type": "gcp:storage/bucket:Bucket",
                                                "custom": True, "inputs": {"name": "x"}}]},
        state={STACK: []},
        orphans={STACK: [{"urn": orphan, "type": "gcp:storage/bucket:Bucket", "inputs": {}}]},
    )  # fmt: skip
    result = adopt(cli, fake, checkout_copy, STACK, "--yes", *ID_FLAGS)
    assert result.exit_code == 1, result.output
    assert fake.operations() == [("preview", STACK)]
    assert f"  {extra}\n    create: created, but the adoption table imports this type" in (
        result.stderr
    )
    assert f"  {orphan}\n    delete: deleted: the program does not declare it" in result.stderr


def test_the_older_engine_fails_the_import_and_nothing_is_applied(
    cli: CliRunner,
    stand_in: StandInFactory,
    checkout_copy: Path,
    repo_plan: Callable[[str], dict[str, Any]],
) -> None:
    plan = repo_plan(STACK)
    fake = engine(stand_in, plan, live_differences(plan), version="3.160.0")
    result = adopt(cli, fake, checkout_copy, STACK, "--yes", *ID_FLAGS)
    assert result.exit_code == 1, result.output
    assert "Pulumi CLI 3.160.0: an import whose inputs differ fails the import" in result.stderr
    assert "inputs to import do not match the existing resource" in result.stderr
    assert fake.operations() == [("preview", STACK)]
    assert not (checkout_copy / IMPORTS_DIR).exists()


@pytest.mark.parametrize(
    ("version", "warning"),
    [
        ("3.174.0", "can panic while importing (fixed in 3.175.0)"),
        ("3.290.0", "is newer than the SDK this project locks (3.272.0)"),
    ],
)
def test_versions_whose_behaviour_is_not_checked_are_warned_about(
    cli: CliRunner,
    stand_in: StandInFactory,
    checkout_copy: Path,
    repo_plan: Callable[[str], dict[str, Any]],
    version: str,
    warning: str,
) -> None:
    fake = engine(stand_in, repo_plan(STACK), version=version)
    result = adopt(cli, fake, checkout_copy, STACK, "--yes", *ID_FLAGS)
    assert result.exit_code == 0, result.output
    assert f"warning: Pulumi CLI {version} {warning}" in result.stderr


def test_the_id_map_is_never_written_through_a_symbolic_link(
    cli: CliRunner,
    stand_in: StandInFactory,
    checkout_copy: Path,
    repo_plan: Callable[[str], dict[str, Any]],
    tmp_path: Path,
) -> None:
    outside = tmp_path / "outside.json"
    outside.write_text("precious\n")
    folder = checkout_copy / IMPORTS_DIR
    folder.mkdir()
    (folder / f"{STACK}.json").symlink_to(outside)
    fake = engine(stand_in, repo_plan(STACK))
    result = adopt(cli, fake, checkout_copy, STACK, "--yes", *ID_FLAGS)
    assert result.exit_code == 0, result.output
    assert outside.read_text() == "precious\n"
    assert fake.last("up", STACK)["imports_map"]  # the program read a real map
    assert folder.exists() and not any(folder.iterdir())  # not made by adopt: left, empty


@pytest.mark.e2e
def test_a_folder_of_the_map_that_is_a_link_is_refused(
    cli: CliRunner, stand_in: StandInFactory, checkout_copy: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (checkout_copy / IMPORTS_DIR).symlink_to(elsewhere)
    fake = stand_in()
    result = adopt(cli, fake, checkout_copy, STACK, "--yes", *ID_FLAGS)
    assert result.exit_code == 1, result.output
    assert "is a symbolic link: adopt writes its id map only into a real folder" in result.stderr
    assert not any(elsewhere.iterdir())
    assert fake.operations() == []


@pytest.mark.e2e
def test_a_broken_accepted_file_stops_adopt_before_anything_runs(
    cli: CliRunner, stand_in: StandInFactory, checkout_copy: Path
) -> None:
    (checkout_copy / "stacks" / "accepted-differences.yaml").write_text(
        "accepted:\n  - urn: nope\n"
    )
    fake = stand_in()
    result = adopt(cli, fake, checkout_copy, STACK, "--yes", *ID_FLAGS)
    assert result.exit_code == 1, result.output
    assert "stacks/accepted-differences.yaml:2:5: error: accepted entry 1 needs the key" in (
        result.stderr
    )
    assert fake.operations() == []


def test_without_a_terminal_the_message_names_adopt(
    cli: CliRunner, stand_in: StandInFactory, checkout_copy: Path
) -> None:
    fake = stand_in()
    result = adopt(cli, fake, checkout_copy, STACK)
    assert result.exit_code == 2, result.output
    assert f"`adopt {STACK}` needs a confirmation and there is no terminal" in result.stderr


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pulumi_ops, "can_prompt", lambda: True)


def adopt_at_terminal(cli: CliRunner, fake: StandIn, root: Path, answer: str) -> Any:
    from infra.cli.app import app

    return cli.invoke(
        app,
        ["--root", str(root), "adopt", STACK, *ID_FLAGS],
        input=answer,
        env=fake.env(),
        catch_exceptions=False,
    )


def write_accepted(root: Path, *entries: tuple[str, list[str], str]) -> None:
    lines = ["accepted:"]
    for urn, properties, reason in entries:
        lines += [f"  - urn: {urn}", f"    properties: {properties}"]
        lines.append(f"    reason: {json.dumps(reason)}")
    (root / "stacks" / "accepted-differences.yaml").write_text("\n".join(lines) + "\n")
