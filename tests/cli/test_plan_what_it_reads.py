"""Each stack plans from what it reads: a problem elsewhere never hides its plan.

A stack whose own files (its concerns' declared inputs, infra.yaml, its stack
file) hold an error is not planned: never a partial plan, which would read
as deletions. The others are planned and shown, and the command exits 1
listing every problem.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import invoke

pytestmark = pytest.mark.plan

ETCD = "groups/sig-etcd/groups.yaml"


def break_groups_file(root: Path) -> None:
    path = root / ETCD
    text = path.read_text()
    anchor = "  - email-id: "
    assert anchor in text
    path.write_text(text.replace(anchor, "  - bogus-key: 1\n    email-id: ", 1))


def test_a_broken_groups_file_does_not_hide_another_stacks_plan(
    cli: CliRunner, checkout_copy: Path
) -> None:
    break_groups_file(checkout_copy)
    result = invoke(cli, "--root", str(checkout_copy), "plan", "staging-images", "--json")
    assert result.exit_code == 1
    plan = json.loads(result.stdout)
    assert plan["stack"] == "staging-images" and len(plan["resources"]) > 200
    assert f"{ETCD}:" in result.stderr and "unknown key `bogus-key`" in result.stderr
    assert "the stacks planned do not read them" in result.stderr


def test_the_stack_that_reads_the_broken_file_is_not_planned(
    cli: CliRunner, checkout_copy: Path
) -> None:
    break_groups_file(checkout_copy)
    result = invoke(cli, "--root", str(checkout_copy), "plan", "groups", "--json")
    assert result.exit_code == 1
    assert result.stdout == ""  # no partial plan of the groups
    assert "unknown key `bogus-key`" in result.stderr


def test_plan_all_shows_every_stack_it_could_plan_and_names_the_others(
    cli: CliRunner, checkout_copy: Path, repo_plan: Callable[[str], Any]
) -> None:
    """(``repo_plan``: the stacks the copy leaves as they are come from the cache.)"""
    break_groups_file(checkout_copy)
    result = invoke(cli, "--root", str(checkout_copy), "plan", "all", "--json")
    assert result.exit_code == 1
    stacks = {s["stack"] for s in json.loads(result.stdout)["stacks"]}
    assert "groups" not in stacks
    assert {"staging", "staging-images", "registry-mirrors"} <= stacks
    assert "stack `groups` is not planned: 1 error(s) in the files it reads" in result.stderr
    assert "not planned: groups" in result.stderr


def test_a_grant_to_a_missing_group_fails_the_command_but_stops_no_plan(
    cli: CliRunner, checkout_copy: Path
) -> None:
    """A check across concerns is a problem of its own: both stacks still plan."""
    path = checkout_copy / "groups" / "sig-apps" / "groups.yaml"
    text = path.read_text()
    start = text.index("  - email-id: k8s-infra-staging-agent-sandbox@kubernetes.io")
    end = text.index("  - email-id: ", start + 1)
    path.write_text(text[:start] + text[end:])
    result = invoke(cli, "--root", str(checkout_copy), "plan", "staging-images", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["stack"] == "staging-images"
    assert "k8s-infra-staging-agent-sandbox@kubernetes.io" in result.stderr
