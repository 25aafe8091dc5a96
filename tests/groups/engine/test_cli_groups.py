"""`k8s-infra groups diff` and `groups sync`, end to end against the fake server."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from infra.core.environment import GOOGLE_API_ENDPOINT_ENV
from tests.conftest import invoke
from tests.fake_google import FakeGoogle

CHANGE_KEYS = {"group", "kind", "field_or_member", "role", "old", "new"}


@pytest.fixture(autouse=True)
def _instant_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(time, "sleep", lambda _seconds: None)


def groups(cli: CliRunner, checkout: Path, *args: str) -> Result:
    return invoke(cli, "--root", str(checkout), "groups", *args)


def declared_count(checkout: Path) -> int:
    return sum(p.read_text().count("- email-id:") for p in (checkout / "groups").rglob("*.yaml"))


def test_sync_is_a_dry_run_by_default(
    cli: CliRunner, checkout_copy: Path, fake: FakeGoogle
) -> None:
    result = groups(cli, checkout_copy, "sync")
    assert result.exit_code == 0, result.output
    assert "dry run: nothing was changed; pass --confirm to apply" in result.stderr
    assert "+ k8s-infra-release-admins@kubernetes.io: create group" in result.stderr
    assert "+ k8s-infra-release-admins@kubernetes.io: add release-admin-1@example.com" in (
        result.stderr
    )
    assert fake.workspace.groups == {}
    assert {method for method, _ in fake.counters.log} == {"GET"}
    assert result.stdout == ""


def test_sync_confirm_creates_the_tree_and_diff_is_then_clean(
    cli: CliRunner, checkout_copy: Path, fake: FakeGoogle
) -> None:
    applied = groups(cli, checkout_copy, "sync", "--confirm", "--json")
    assert applied.exit_code == 0, applied.output
    changes = json.loads(applied.stdout)
    assert all(set(c) == CHANGE_KEYS for c in changes)
    created = [c["group"] for c in changes if c["kind"] == "create_group"]
    assert len(created) == declared_count(checkout_copy) == len(fake.workspace.groups)
    assert "applied changes" in applied.stderr

    fake.reset_counters()
    clean = groups(cli, checkout_copy, "diff", "--json")
    assert clean.exit_code == 0, clean.output
    assert json.loads(clean.stdout) == []
    assert "no changes" in clean.stderr
    assert {method for method, _ in fake.counters.log} == {"GET"}
    assert fake.counters.http_requests <= 25


def test_diff_shows_drift_as_changes(cli: CliRunner, checkout_copy: Path, fake: FakeGoogle) -> None:
    assert groups(cli, checkout_copy, "sync", "--confirm").exit_code == 0
    target = fake.workspace.by_email("k8s-infra-release-admins@kubernetes.io")
    removed = target.members.pop(0)
    target.members.append(fake.workspace.new_member("stranger@example.com", "MEMBER"))
    target.settings["whoCanJoin"] = "ANYONE_CAN_JOIN"
    result = groups(cli, checkout_copy, "diff", "--json")
    assert result.exit_code == 0, result.output
    found = {(c["kind"], c["field_or_member"]) for c in json.loads(result.stdout)}
    assert found == {
        ("add_member", removed.email),
        ("remove_member", "stranger@example.com"),
        ("update_setting", "whoCanJoin"),
    }
    assert f"+ k8s-infra-release-admins@kubernetes.io: add {removed.email}" in result.stderr


def test_a_failing_group_exits_1_after_the_others_are_synced(
    cli: CliRunner, checkout_copy: Path, fake: FakeGoogle
) -> None:
    broken = "k8s-infra-release-admins@kubernetes.io"
    fake.fail(500, times=None, method="PATCH", path=f"/groups/v1/groups/{broken}")
    result = groups(cli, checkout_copy, "sync", "--confirm")
    assert result.exit_code == 1, result.output
    assert f"failed: {broken}: " in result.stderr
    assert "HTTP 500" in result.stderr
    assert "every other group was reconciled" in result.stderr
    assert len(fake.workspace.groups) == declared_count(checkout_copy)
    others = [g for g in fake.workspace.groups.values() if g.email != broken]
    assert all(g.settings["whoCanViewGroup"] == "ALL_MEMBERS_CAN_VIEW" for g in others)


@pytest.mark.parametrize(
    "flags",
    [
        ("--delete-unmanaged",),
        ("--delete-unmanaged", "--prefix", "k8s-infra-"),
        ("--delete-unmanaged", "--max-deletions", "2"),
        ("--prefix", "k8s-infra-"),
        ("--delete-unmanaged", "--prefix", "k8s-infra-", "--max-deletions", "-1"),
    ],
)
def test_deletion_flags_without_their_partners_are_usage_errors(
    cli: CliRunner, checkout_copy: Path, fake: FakeGoogle, flags: tuple[str, ...]
) -> None:
    result = groups(cli, checkout_copy, "sync", *flags)
    assert result.exit_code == 2, result.output
    assert fake.counters.http_requests == 0


def test_unmanaged_groups_are_deleted_only_within_the_threshold(
    cli: CliRunner, checkout_copy: Path, fake: FakeGoogle
) -> None:
    assert groups(cli, checkout_copy, "sync", "--confirm").exit_code == 0
    for email in ("k8s-infra-old@kubernetes.io", "k8s-infra-older@kubernetes.io"):
        fake.workspace.add_group(email, email.split("@")[0])
    fake.workspace.add_group("community@kubernetes.io", "community")
    total = len(fake.workspace.groups)

    plain = groups(cli, checkout_copy, "sync", "--confirm")
    assert plain.exit_code == 0, plain.output
    assert len(fake.workspace.groups) == total

    deletion = ("--delete-unmanaged", "--prefix", "k8s-infra-")
    refused = groups(cli, checkout_copy, "sync", "--confirm", *deletion, "--max-deletions", "1")
    assert refused.exit_code == 1, refused.output
    assert "error: would delete `k8s-infra-old@kubernetes.io`" in refused.stderr
    assert "raise --max-deletions" in refused.stderr
    assert "nothing was deleted" in refused.stderr
    assert len(fake.workspace.groups) == total

    dry = groups(cli, checkout_copy, "sync", *deletion, "--max-deletions", "2")
    assert dry.exit_code == 0, dry.output
    assert "- k8s-infra-older@kubernetes.io: delete group" in dry.stderr
    assert len(fake.workspace.groups) == total

    done = groups(cli, checkout_copy, "sync", "--confirm", *deletion, "--max-deletions", "2")
    assert done.exit_code == 0, done.output
    assert fake.workspace.find("k8s-infra-old@kubernetes.io") is None
    assert fake.workspace.find("community@kubernetes.io") is not None
    assert len(fake.workspace.groups) == total - 2


def test_without_delegation_settings_credentials_are_missing(
    cli: CliRunner, checkout_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(GOOGLE_API_ENDPOINT_ENV, raising=False)
    stack = checkout_copy / "stacks" / "Pulumi.groups.yaml"
    lines = stack.read_text().splitlines(keepends=True)
    stack.write_text("".join(line for line in lines if "service_account:" not in line))
    result = groups(cli, checkout_copy, "diff")
    assert result.exit_code == 4, result.output
    assert "the groups settings have no `service_account`" in result.stderr
    assert "hint:" in result.stderr


def test_without_ambient_credentials_credentials_are_missing(
    cli: CliRunner, checkout_copy: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(GOOGLE_API_ENDPOINT_ENV, raising=False)
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "absent.json"))
    result = groups(cli, checkout_copy, "sync", "--confirm")
    assert result.exit_code == 4, result.output
    assert "absent.json`, which does not exist" in result.stderr
    assert "Workload Identity" in result.stderr


def test_diff_of_an_unreadable_group_exits_1_and_still_lists_the_others(
    cli: CliRunner, checkout_copy: Path, fake: FakeGoogle
) -> None:
    assert groups(cli, checkout_copy, "sync", "--confirm").exit_code == 0
    fake.workspace.by_email("k8s-infra-release-viewers@kubernetes.io").members.clear()
    broken = "k8s-infra-release-admins@kubernetes.io"
    fake.fail(500, times=None, method="GET", path=f"/groups/v1/groups/{broken}")
    result = groups(cli, checkout_copy, "diff", "--json")
    assert result.exit_code == 1, result.output
    changes = json.loads(result.stdout)
    assert changes and {c["group"] for c in changes} == {"k8s-infra-release-viewers@kubernetes.io"}
    assert f"failed: {broken}: reading live state: HTTP 500" in result.stderr
    assert "every other group was compared" in result.stderr
