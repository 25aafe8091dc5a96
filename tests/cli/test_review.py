"""What a reviewer gets from the PR check: a registry added, a repository moved, a project
removed, each on a committed copy of this repository planned against its commit."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.cli.test_ci_scripts import run
from tests.conftest import declare_writer_group, git, invoke, only_stacks, trim_staging

pytestmark = pytest.mark.plan

NEW_WRITERS = "group:k8s-infra-staging-newreg@kubernetes.io"
# What one registry with the default options creates in the shared project.
SIX = [
    "k8s-staging-images › Repository newreg",
    "k8s-staging-images › RepositoryIamMember newreg-reader-allusers",
    "k8s-staging-images › RepositoryIamMember newreg-writer-build-account",
    "k8s-staging-images › RepositoryIamMember newreg-writer-group-k8s-infra-staging-newreg",
    "k8s-staging-images › Account newreg-build-account",
    "k8s-staging-images › IAMBinding newreg-build-account-users",
]


def edit_infra_yaml(repo: Path, old: str, new: str) -> None:
    path = repo / "infra" / "infra.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def add_registry(repo: Path) -> None:
    declare_writer_group(repo, "newreg")
    anchor = "          kueue: {writers: [group:k8s-infra-staging-kueue@kubernetes.io]}\n"
    edit_infra_yaml(repo, anchor, anchor + f"          newreg: {{writers: [{NEW_WRITERS}]}}\n")


def test_a_new_registry_is_listed_with_its_values_and_passes_the_strict_check(
    git_checkout: Callable[..., Path], tmp_path: Path
) -> None:
    repo = git_checkout(trim_staging)
    only_stacks("staging", "staging-images", "groups")(repo)  # what a registry touches
    add_registry(repo)
    done = run("pr-check.sh", repo, tmp_path / "artifacts", "HEAD")
    assert done.returncode == 0, done.stderr
    summary = (tmp_path / "artifacts" / "summary.md").read_text()
    for name in SIX:
        assert f"+ {name}" in summary
    # values, not only names
    assert "    repositoryId: newreg\n" in summary and "    location: us-central1\n" in summary
    assert "    member: allUsers\n" in summary
    # the viewer binding: the one member added, not the whole list
    assert f"~ k8s-staging-images › IAMBinding iam-viewer\n    members: + {NEW_WRITERS}\n" in (
        summary
    )
    assert "| `staging-images` | 6 | 1 | 0 | 0 |  |" in summary
    assert re.search(r"\| `staging` \| 0 \| 0 \| 0 \| 0 \| no changes \|", summary)
    assert "```mermaid\nflowchart LR\n" in summary
    # the public read is the estate's design: allowed by its standing entry
    assert re.search(r"- :white_check_mark: `staging-images`: `k8s-staging-images › "
                     r"RepositoryIamMember newreg-reader-allusers`: `+grants allUsers role "
                     r"roles/artifactregistry.reader \(allowed by infra/allowed-changes.yaml:\d+:",
                     summary)  # fmt: skip
    stacks = {d["stack"]: d for d in json.loads((tmp_path / "artifacts" / "plan-diff.json")
                                                .read_text())["stacks"]}  # fmt: skip
    created = {c["name"] for c in stacks["staging-images"]["created"]}
    assert created == set(SIX)
    (viewer,) = stacks["staging-images"]["update"]
    assert viewer["values"]["members"]["added"] == [NEW_WRITERS]
    assert stacks["groups"]["counts"]["create"] == 1
    assert all(not d["refused"] for s in stacks.values() for d in s["dangers"])


def test_moving_a_repository_is_a_replacement_with_its_cause_refused_unless_allowed(
    git_checkout: Callable[..., Path], cli: CliRunner
) -> None:
    repo = git_checkout(trim_staging)
    writers = "{writers: [group:k8s-infra-staging-kueue@kubernetes.io]"
    edit_infra_yaml(repo, f"kueue: {writers}}}", f"kueue: {writers}, location: europe-west4}}")
    result = invoke(cli, "--root", str(repo), "plan", "staging-images", "--base", "HEAD",
                    "--format", "markdown")  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = result.stdout
    assert (
        "-/+ k8s-staging-images › Repository kueue  (replaced: location)"
        "  [kept on delete: the old one stays in the cloud]\n"
        "    location: us-central1 → europe-west4\n"
    ) in summary
    assert "| `staging-images` | 0 | 0 | 4 | 0 |  |" in summary  # the repository and its 3 grants
    # a repository holds images: replacing it orphans the old one (kept on delete) and
    # creates an empty one, so it is refused unless allowed
    assert re.search(r":x: `staging-images`: `k8s-staging-images › Repository kueue`: "
                     r"`replaces a Repository \(location: us-central1 → europe-west4\): the old "
                     r"one stays in the cloud, unmanaged", summary)  # fmt: skip
    result = invoke(cli, "--root", str(repo), "plan", "staging-images", "--base", "HEAD",
                    "--strict")  # fmt: skip
    assert result.exit_code == 1, result.output
    allow = repo / "infra" / "allowed-changes.yaml"
    allow.write_text(allow.read_text() + (
        "  - stack: staging-images\n    resource: k8s-staging-images-kueue\n"
        "    change: replace\n    reason: kueue moves to Europe\n"))  # fmt: skip
    result = invoke(cli, "--root", str(repo), "plan", "staging-images", "--base", "HEAD",
                    "--strict")  # fmt: skip
    assert result.exit_code == 0, result.output


def test_removing_a_project_fails_the_strict_check_with_one_line_unless_allowed(
    git_checkout: Callable[..., Path], cli: CliRunner
) -> None:
    repo = git_checkout(trim_staging)
    edit_infra_yaml(repo, "      k8s-staging-kwok:\n", "")
    result = invoke(cli, "--root", str(repo), "plan", "staging", "--base", "HEAD", "--strict")
    assert result.exit_code == 1, result.output
    refused = [line for line in result.stderr.splitlines() if line.startswith("error: staging:")]
    assert refused == [
        "error: staging: k8s-staging-kwok › Project project: deletes a protected resource; "
        "`pulumi up` refuses to"
    ]
    assert "error: --strict: 1 change(s) cannot or should not be applied as written" in (
        result.stderr
    )
    assert "hint: if a change is meant, allow it in infra/allowed-changes.yaml" in result.stderr
    # the buckets and the repository are kept in the cloud: listed, not refused
    assert "- k8s-staging-kwok › Repository images  [kept in the cloud: retain_on_delete]" in (
        result.stderr
    )

    allow = repo / "infra" / "allowed-changes.yaml"
    allow.write_text(allow.read_text() + (
        "  - stack: staging\n    resource: k8s-staging-kwok-project\n    change: delete\n"
        "    reason: kwok moved to its own organization\n"))  # fmt: skip
    result = invoke(cli, "--root", str(repo), "plan", "staging", "--base", "HEAD", "--strict",
                    "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    (danger,) = json.loads(result.stdout)["dangers"]
    assert danger["kind"] == "delete" and not danger["refused"]
    assert danger["allowed_by"].startswith("infra/allowed-changes.yaml:")


def test_a_stale_allowance_is_a_warning_of_validate_not_of_every_plan(
    git_checkout: Callable[..., Path], cli: CliRunner
) -> None:
    repo = git_checkout(trim_staging)
    allow = repo / "infra" / "allowed-changes.yaml"
    entry = "  - stack: groups\n    resource: nothing-*\n    change: delete\n    reason: done\n"
    allow.write_text(allow.read_text() + entry)
    git(repo, "commit", "-qam", "allow")
    result = invoke(cli, "--root", str(repo), "validate")
    assert result.exit_code == 0, result.output
    assert re.search(r"infra/allowed-changes.yaml:\d+:\d+: warning: allows `delete` of "
                     r"`nothing-\*` in groups, which names no resource the stack plans",
                     result.stderr)  # fmt: skip
    result = invoke(cli, "--root", str(repo), "plan", "groups", "--base", "HEAD", "--strict")
    assert result.exit_code == 0, result.output
    assert "nothing-*" not in result.stderr
    assert "stack groups against" in result.stderr and "no changes (inputs unchanged)" in (
        result.stderr
    )
    result = invoke(cli, "--root", str(repo), "plan", "groups", "--base", "HEAD",
                    "--format", "markdown")  # fmt: skip
    assert "nothing-*" not in result.stdout and "Dangerous" not in result.stdout


def test_markdown_and_strict_need_a_base(cli: CliRunner, checkout_copy: Path) -> None:
    for flags in (["--format", "markdown"], ["--strict"]):
        result = invoke(cli, "--root", str(checkout_copy), "plan", "groups", *flags)
        assert result.exit_code == 2, result.output
        assert "compares with a base" in result.stderr


def test_validate_names_a_broken_allowance_at_its_line(
    git_checkout: Callable[..., Path], cli: CliRunner
) -> None:
    """A typo in the allow file shows in `validate`, not first as a failed PR check."""
    repo = git_checkout(trim_staging)
    allow = repo / "infra" / "allowed-changes.yaml"
    text = allow.read_text()
    first_line = len(text.splitlines()) + 1
    allow.write_text(text + (
        "  - stack: staging-imgaes\n    resource: k8s-staging-kwok-project\n    change: delete\n"
        "    reason: a typo in the stack\n"
        "  - stack: staging\n    resource: x\n    change: remove\n    reason: no such change\n"
    ))  # fmt: skip
    result = invoke(cli, "--root", str(repo), "validate")
    assert result.exit_code == 1, result.output
    errors = [line for line in result.stderr.splitlines() if "allowed-changes.yaml" in line]
    assert len(errors) == 2, result.stderr
    assert errors[0].startswith(f"infra/allowed-changes.yaml:{first_line}:")
    assert "error: allowed change for unknown stack `staging-imgaes`" in errors[0]
    assert "hint: name one of: groups, registry-mirrors, registry-prod" in errors[0]
    assert errors[1].startswith(f"infra/allowed-changes.yaml:{first_line + 6}:")
    assert "remove" in errors[1]
