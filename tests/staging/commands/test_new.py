"""`staging new`: onboarding in one command, on a copy of the repository."""

from __future__ import annotations

import difflib
import json
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from tests.conftest import invoke, trim_staging

FILES = ("infra/infra.yaml", "groups/sig-testing/groups.yaml", "groups/restrictions.yaml")


def snapshot(repo: Path) -> dict[str, str]:
    return {name: (repo / name).read_text() for name in FILES}


def new(cli: CliRunner, repo: Path, *args: str) -> Result:
    return invoke(cli, "--root", str(repo), "staging", "new", *args)


def comments(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip().startswith("#")
            or "  # " in line]  # fmt: skip


@pytest.mark.plan
def test_onboarding_a_registry_declares_exactly_it(
    cli: CliRunner, git_checkout: Callable[..., Path]
) -> None:
    repo = git_checkout(trim_staging)
    before = snapshot(repo)
    result = new(cli, repo, "newreg", "--dir", "sig-testing", "--writers", "dev@example.com")
    assert result.exit_code == 0, result.output
    after = snapshot(repo)
    for name in FILES:
        diff = list(difflib.ndiff(before[name].splitlines(), after[name].splitlines()))
        assert not [line for line in diff if line.startswith("- ")], name  # only additions
        assert comments(before[name]) == comments(after[name]), name  # comments kept
    assert (
        "          newreg: {writers: [group:k8s-infra-staging-newreg@kubernetes.io]}\n"
        in (after["infra/infra.yaml"])
    )
    assert (
        "      - '^k8s-infra-staging-newreg@kubernetes\\.io$'\n"
        in (after["groups/restrictions.yaml"])
    )
    assert "    members:\n      - dev@example.com\n" in after["groups/sig-testing/groups.yaml"]
    assert "next steps:" in result.stderr
    assert "test-pods/newreg" in result.stderr  # the build account's Kubernetes account
    assert "k8s-infra promoter new newreg" in result.stderr

    validated = invoke(cli, "--root", str(repo), "validate")
    assert validated.exit_code == 0, validated.output

    planned = invoke(cli, "--root", str(repo), "plan", "staging-images", "--base", "HEAD", "--json")
    assert planned.exit_code == 0, planned.output
    diff = json.loads(planned.stdout)
    created = {urn.rsplit("::", 1)[1] for urn in diff["create"]}
    assert created == {
        "k8s-staging-images-newreg",
        "k8s-staging-images-newreg-reader-allusers",
        "k8s-staging-images-newreg-writer-group-k8s-infra-staging-newreg",
        "k8s-staging-images-newreg-writer-build-account",
        "k8s-staging-images-newreg-build-account",
        "k8s-staging-images-newreg-build-account-users",
    }
    # the project's viewers are every registry's writers: the one binding that changes
    assert [(u["urn"].rsplit("::", 1)[1], u["keys"]) for u in diff["update"]] == [
        ("k8s-staging-images-iam-viewer", ["members"])
    ]
    assert diff["delete"] == []


def test_a_project_of_its_own_with_project(cli: CliRunner, checkout_copy: Path) -> None:
    result = new(cli, checkout_copy, "widget", "--dir", "sig-testing", "--project")
    assert result.exit_code == 0, result.output
    text = (checkout_copy / "infra/infra.yaml").read_text()
    assert "\n      k8s-staging-widget:\n" in text
    assert "widget: {writers" not in text
    assert "Write access to the k8s-staging-widget staging project" in (
        (checkout_copy / "groups/sig-testing/groups.yaml").read_text()
    )
    assert invoke(cli, "--root", str(checkout_copy), "validate").exit_code == 0


@pytest.mark.parametrize(
    ("name", "code", "message"),
    [
        ("kueue", 1, "error: the name `kueue` is taken"),
        ("Widget", 2, "error: `Widget` is not a staging name"),
        ("widget-", 2, "error: `widget-` is not a staging name"),
        ("cluster-inventory-api", 2,
         "error: `cluster-inventory-api` has 21 characters; a staging name has at most 18"),
    ],
)  # fmt: skip
def test_names_taken_invalid_or_too_long_are_refused(
    cli: CliRunner, checkout_copy: Path, name: str, code: int, message: str
) -> None:
    before = snapshot(checkout_copy)
    result = new(cli, checkout_copy, name, "--dir", "sig-testing")
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert snapshot(checkout_copy) == before


def test_a_taken_name_points_at_every_declaration_using_it(
    cli: CliRunner, checkout_copy: Path
) -> None:
    result = new(cli, checkout_copy, "kueue", "--dir", "sig-testing")
    lines = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert [re.sub(r":\d+:\d+:", ":L:C:", line.split(" (hint")[0]) for line in lines] == [
        "groups/sig-scheduling/groups.yaml:L:C: error: group "
        "`k8s-infra-staging-kueue@kubernetes.io` is already declared",
        "infra/infra.yaml:L:C: error: registry `kueue` is already declared in `k8s-staging-images`",
        "infra/infra.yaml:L:C: error: project `k8s-staging-kueue` is already declared under "
        "`staging`",
    ]


def test_an_unknown_folder_is_refused_with_the_closest(cli: CliRunner, checkout_copy: Path) -> None:
    result = new(cli, checkout_copy, "widget", "--dir", "sig-testin")
    assert result.exit_code == 2, result.output
    assert "hint: did you mean `sig-testing`?" in result.stderr


def test_an_invalid_writer_writes_nothing(cli: CliRunner, checkout_copy: Path) -> None:
    before = snapshot(checkout_copy)
    result = new(cli, checkout_copy, "widget", "--dir", "sig-testing", "--writers", "nobody")
    assert result.exit_code == 1, result.output
    assert "groups/sig-testing/groups.yaml:" in result.stderr
    assert "member `nobody` is not a valid address" in result.stderr
    assert "nothing was written" in result.stderr
    assert snapshot(checkout_copy) == before


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_an_interrupted_write_leaves_all_three_files_as_they_were(
    cli: CliRunner, checkout_copy: Path, monkeypatch: pytest.MonkeyPatch, failure: BaseException
) -> None:
    before = snapshot(checkout_copy)
    listing = sorted(p.as_posix() for p in checkout_copy.rglob("*"))
    swaps: list[str] = []
    real_replace = os.replace

    def replace_then_fail(source: str, target: Path) -> None:
        swaps.append(str(target))
        if len(swaps) == 2:  # the first file is already in place
            raise failure
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace_then_fail)
    result = new(cli, checkout_copy, "widget", "--dir", "sig-testing")
    if isinstance(failure, OSError):
        assert result.exit_code == 1, result.output
        assert "could not write groups/sig-testing/groups.yaml: " in result.stderr
        assert "nothing was changed" in result.stderr
    else:
        assert result.exit_code == 130, result.output  # interrupted (Ctrl-C)
        assert "interrupted by SIGINT; nothing was changed" in result.stderr
    assert swaps[1].endswith("sig-testing/groups.yaml")  # then the first is put back
    assert snapshot(checkout_copy) == before
    assert sorted(p.as_posix() for p in checkout_copy.rglob("*")) == listing  # no leftovers
