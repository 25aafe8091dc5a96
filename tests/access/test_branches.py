"""`access diff` between real branches of committed copies of this repository.

Each case commits a base (this repository, its staging section trimmed, with
the staging, staging-images and groups stacks alone, plus what the case needs), then a change
on a branch, and runs the real CLI: every stack is planned offline from the
YAML at both commits, and the access diff is read from the plans.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from tests.conftest import declare_writer_group, git, invoke, only_stacks, trim_staging

pytestmark = pytest.mark.plan

KWOK = "group:k8s-infra-staging-kwok@kubernetes.io"
KIND = "group:k8s-infra-staging-kind@kubernetes.io"
WRITER = "roles/artifactregistry.writer"
KWOK_IMAGES = "k8s-staging-kwok/us-central1/images"

Edit = Callable[[Path], None]
# Staging grants and the groups that hold them: what every case here changes.
SMALL_ESTATE = only_stacks("staging", "staging-images", "groups")


def replace(relative: str, old: str, new: str) -> Edit:
    def edit(repo: Path) -> None:
        path = repo / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, old
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return edit


def add_member(group: str, member: str) -> Edit:
    """``member`` joins the members of the group declared as ``group`` under groups/."""

    def edit(repo: Path) -> None:
        for path in sorted((repo / "groups").glob("*/groups.yaml")):
            text = path.read_text(encoding="utf-8")
            at = text.find(f"email-id: {group}\n")
            if at < 0:
                continue
            members = text.index("    members:\n", at) + len("    members:\n")
            path.write_text(text[:members] + f"      - {member}\n" + text[members:])
            return
        raise AssertionError(f"{group} is not declared")

    return edit


def members_of(repo: Path, group: str) -> set[str]:
    """Everyone the groups files list in ``group`` (owners, managers and members)."""
    for path in (repo / "groups").glob("*/groups.yaml"):
        for declared in yaml.safe_load(path.read_text())["groups"]:
            if declared["email-id"] == group:
                return {m.lower() for key in ("owners", "managers", "members")
                        for m in declared.get(key) or ()}  # fmt: skip
    raise AssertionError(group)


def both(*edits: Edit) -> Edit:
    def edit(repo: Path) -> None:
        for one in edits:
            one(repo)

    return edit


def access_diff(
    git_checkout: Callable[..., Path], cli: CliRunner, base: Edit, change: Edit, *flags: str
) -> tuple[Path, Any]:
    """Commit ``base`` on main and ``change`` on a branch; the branch's access diff."""
    repo = git_checkout(both(trim_staging, SMALL_ESTATE, base))
    git(repo, "checkout", "-qb", "change")
    change(repo)
    git(repo, "commit", "-qam", "change")
    return repo, run(cli, repo, *flags)


def run(cli: CliRunner, repo: Path, *flags: str) -> Any:
    """`access diff --base main` of the branch checked out (JSON with --json)."""
    result = invoke(cli, "--root", str(repo), "access", "diff", "--base", "main", *flags)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout) if "--json" in flags else result.stdout


def changes_of(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["principal"]: p for p in document["principals"]}


def holds(entries: list[dict[str, Any]]) -> set[tuple[str, str, str]]:
    return {(e["role"], e["target"]["kind"], e["target"]["name"]) for e in entries}


def test_a_member_added_to_a_writer_group_gains_writer_on_its_repository(
    git_checkout: Callable[..., Path], cli: CliRunner
) -> None:
    change = add_member("k8s-infra-staging-kwok@kubernetes.io", "mallory@example.com")
    repo, document = access_diff(git_checkout, cli, lambda _: None, change, "--json")
    assert document["base"] == git(repo, "rev-parse", "main")
    (mallory,) = document["principals"]
    assert mallory["principal"] == "user:mallory@example.com" and not mallory["lost"]
    gained = {(e["role"], e["target"]["name"]): e for e in mallory["gained"]}
    writer = gained[(WRITER, KWOK_IMAGES)]
    assert [t["via"] for t in writer["through"]] == [[KWOK]]
    assert writer["stacks"] == ["staging"]
    # Everything else the group holds comes the same way, and the membership itself.
    assert all([t["via"] for t in e["through"]] == [[KWOK]]
               for key, e in gained.items() if key[0] != "member")  # fmt: skip
    assert ("member", "k8s-infra-staging-kwok@kubernetes.io") in gained

    # The summary's section opens with one line naming the member, the role,
    # the repository and the group.
    lines = run(cli, repo, "--format", "markdown").splitlines()
    assert lines[0] == "### Who gains what"
    first = lines[2]
    for value in ("user:mallory@example.com", WRITER, KWOK_IMAGES, KWOK):
        assert f"`{value}`" in first, first


def test_a_new_grant_set_entry_reaches_every_project_using_the_set(
    git_checkout: Callable[..., Path], cli: CliRunner
) -> None:
    uses_set = both(
        replace("infra/infra.yaml", "      k8s-staging-kwok:\n",
                "      k8s-staging-kwok:\n        grant_sets: [release-engineering]\n"),
        replace("infra/infra.yaml", "      k8s-staging-zeitgeist:\n",
                "      k8s-staging-zeitgeist:\n        grant_sets: [release-engineering]\n"),
    )  # fmt: skip
    viewers = "group:k8s-infra-release-viewers@kubernetes.io"
    entry = replace("infra/infra.yaml", "      release-engineering:\n",
                    f"      release-engineering:\n        - member: {viewers}\n"
                    "          roles: [roles/logging.viewer]\n")  # fmt: skip
    repo, document = access_diff(git_checkout, cli, uses_set, entry, "--json")
    found = changes_of(document)
    expected = {("roles/logging.viewer", "project", p)
                for p in ("k8s-staging-kwok", "k8s-staging-zeitgeist")}  # fmt: skip
    people = {f"user:{m}" for m in members_of(repo, viewers.removeprefix("group:"))}
    assert people and set(found) == {viewers} | people
    assert holds(found[viewers]["gained"]) == expected
    for person in people:
        assert holds(found[person]["gained"]) == expected
        assert not found[person]["lost"]
        assert {tuple(t["via"]) for e in found[person]["gained"] for t in e["through"]} == {
            (viewers,)
        }


def test_a_group_removed_from_a_grant_removes_its_members_unless_held_another_way(
    git_checkout: Callable[..., Path], cli: CliRunner
) -> None:
    shared = "shared-maintainer@example.com"
    two_writers = both(
        replace("infra/infra.yaml",
                f"cloud-provider-kind: {{writers: [{KIND}]}}",
                f"cloud-provider-kind: {{writers: [{KIND}, {KWOK}]}}"),
        add_member(KIND.removeprefix("group:"), shared),
        add_member(KWOK.removeprefix("group:"), shared),
    )  # fmt: skip
    drop_kind = replace("infra/infra.yaml", f"cloud-provider-kind: {{writers: [{KIND}, {KWOK}]}}",
                        f"cloud-provider-kind: {{writers: [{KWOK}]}}")  # fmt: skip
    repo, document = access_diff(git_checkout, cli, two_writers, drop_kind, "--json")
    found = changes_of(document)
    kind_only = members_of(repo, KIND.removeprefix("group:")) - {shared}
    assert kind_only
    assert set(found) == {KIND} | {f"user:{m}" for m in kind_only}
    for principal in found.values():
        assert not principal["gained"]
        ((role, kind, name),) = holds(principal["lost"])
        assert (role, kind) == (WRITER, "repository") and name.endswith("/cloud-provider-kind")
    # The shared member keeps writer through the other group: no change for them.
    assert f"user:{shared}" not in found


def test_a_nested_group_gives_its_members_what_the_outer_group_holds(
    git_checkout: Callable[..., Path], cli: CliRunner
) -> None:
    nested = "k8s-infra-staging-nested@kubernetes.io"
    change = both(
        lambda repo: declare_writer_group(repo, "nested"),
        add_member(KWOK.removeprefix("group:"), nested),
    )
    _, document = access_diff(git_checkout, cli, lambda _: None, change, "--json")
    found = changes_of(document)
    person = found["user:nested-maintainer@example.com"]
    writer = next(
        e for e in person["gained"] if (e["role"], e["target"]["name"]) == (WRITER, KWOK_IMAGES)
    )
    assert [t["via"] for t in writer["through"]] == [[f"group:{nested}", KWOK]]
    assert any(e["role"] == "member" and e["target"]["name"] == nested for e in person["gained"])
    assert f"group:{nested}" in found


def test_a_public_grant_is_marked_and_listed_first(
    git_checkout: Callable[..., Path], cli: CliRunner
) -> None:
    public = replace("infra/infra.yaml", "readers: [allAuthenticatedUsers]", "readers: [allUsers]")
    repo, document = access_diff(git_checkout, cli, lambda _: None, public, "--json")
    found = changes_of(document)
    assert list(found) == ["allAuthenticatedUsers", "allUsers"]
    everyone = found["allUsers"]
    assert everyone["public"] and not everyone["lost"]
    ((role, kind, name),) = holds(everyone["gained"])
    assert (role, kind) == ("roles/artifactregistry.reader", "repository")
    assert name.startswith("k8s-staging-authenticated-test/")
    assert holds(found["allAuthenticatedUsers"]["lost"]) == {(role, kind, name)}
    assert (
        run(cli, repo, "--format", "markdown")
        .splitlines()[2]
        .startswith("- :warning: `allUsers` gains ")
    )


def test_a_workload_identity_change_names_the_kubernetes_service_accounts(
    git_checkout: Callable[..., Path], cli: CliRunner
) -> None:
    pool = "k8s-infra-prow-build-trusted"
    identity = f"{pool}.svc.id.goog[test-pods/kwok-pusher]"
    account = ("      k8s-staging-kwok:\n        service_accounts:\n          pusher:\n"
               "            display_name: Pushes kwok images\n"
               f"            workload_identity:\n              - {identity}\n")  # fmt: skip
    base = replace("infra/infra.yaml", "      k8s-staging-kwok:\n", account)
    change = replace("infra/infra.yaml", "[test-pods/kwok-pusher]", "[test-pods/kwok-builder]")
    _, document = access_diff(git_checkout, cli, base, change, "--json")
    found = changes_of(document)
    old = f"serviceAccount:{pool}.svc.id.goog[test-pods/kwok-pusher]"
    new = f"serviceAccount:{pool}.svc.id.goog[test-pods/kwok-builder]"
    assert set(found) == {old, new}
    target = ("roles/iam.workloadIdentityUser", "service account",
              "pusher@k8s-staging-kwok.iam.gserviceaccount.com")  # fmt: skip
    assert holds(found[new]["gained"]) == {target} and not found[new]["lost"]
    assert holds(found[old]["lost"]) == {target} and not found[old]["gained"]
    (path,) = found[new]["gained"][0]["through"]
    assert path["note"] == f"Kubernetes service account test-pods/kwok-builder ({pool})"


def test_of_and_on_answer_for_people_groups_and_accounts(
    checkout_copy: Path, cli: CliRunner
) -> None:
    trim_staging(checkout_copy)
    # staging's writers, the groups, and the promoter's prod storage in the mirrors' stack
    only_stacks("staging", "groups", "registry-mirrors")(checkout_copy)
    root = ("--root", str(checkout_copy), "access")
    result = invoke(cli, *root, "of", "kwok-maintainer-1@example.com", "--json")
    assert result.exit_code == 0, result.output
    held = json.loads(result.stdout)["access"]
    assert {(a["role"], a["target"]["name"], tuple(a["via"])) for a in held} >= {
        (WRITER, KWOK_IMAGES, (KWOK,)),
        ("member", KWOK.removeprefix("group:"), ()),
    }
    result = invoke(cli, *root, "on", KWOK_IMAGES)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"repository {KWOK_IMAGES}"
    assert f"  user:kwok-maintainer-1@example.com: {WRITER} (staging), through {KWOK}" in lines
    pod = "serviceAccount:k8s-infra-prow-build-trusted.svc.id.goog[test-pods/k8s-infra-promoter]"
    result = invoke(cli, *root, "of", pod, "--json")
    (acting,) = json.loads(result.stdout)["acting_as"]
    assert acting["identity"] == (
        "serviceAccount:k8s-infra-promoter@k8s-artifacts-prod.iam.gserviceaccount.com"
    )
    assert {a["role"] for a in acting["access"]} >= {"roles/storage.objectAdmin"}


def test_the_pr_summary_opens_with_who_gains_what_after_the_dangers(
    git_checkout: Callable[..., Path], cli: CliRunner
) -> None:
    """The PR summary of a member added to a staging writer group: no dangers, so its
    first section is the one access line naming the member, the role, the
    repository and the group."""
    repo = git_checkout(both(trim_staging, SMALL_ESTATE))
    git(repo, "checkout", "-qb", "change")
    add_member("k8s-infra-staging-kwok@kubernetes.io", "mallory@example.com")(repo)
    git(repo, "commit", "-qam", "change")
    result = invoke(cli, "--root", str(repo), "plan", "all", "--base", "main",
                    "--format", "markdown")  # fmt: skip
    assert result.exit_code == 0, result.output
    sections = [line for line in result.stdout.splitlines() if line.startswith("### ")]
    assert sections[0] == "### Who gains what", sections
    lines = result.stdout.splitlines()
    first = lines[lines.index("### Who gains what") + 2]
    for value in ("user:mallory@example.com", WRITER, KWOK_IMAGES, KWOK):
        assert f"`{value}`" in first, first
