"""Values in the diff, readable names, and the dangerous changes --strict refuses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from infra.core.problems import Problems
from infra.declarations.allowances import load_allowances
from infra.planner.diff import diff_plans, value_change
from infra.planner.labels import short_name
from infra.review.dangers import apply_allowances, find_dangers
from infra.review.leaves import show
from infra.review.report import change_lines, leaves_json, value_lines

STACK = "urn:pulumi:staging-images::k8s-infra::"
COMPONENT = STACK + "k8s-infra:staging:RegistryProject::k8s-staging-images"


def res(kind: str, name: str, parent: str | None = COMPONENT, **options: Any) -> dict[str, Any]:
    inputs = options.pop("inputs", {})
    prefix = "k8s-infra:staging:RegistryProject$" if parent else ""
    return {
        "urn": f"{STACK}{prefix}{kind}::{name}", "type": kind, "name": name,
        "custom": not kind.startswith("k8s-infra:"), "mode": "managed", "parent": parent,
        "provider": None, "protect": False, "retain_on_delete": False, "depends_on": [],
        "inputs": inputs, **options,
    }  # fmt: skip


PROJECT = res("k8s-infra:staging:RegistryProject", "k8s-staging-images", parent=None)
BINDING = "gcp:projects/iAMBinding:IAMBinding"
MEMBER = "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember"


def plan(*resources: dict[str, Any]) -> dict[str, Any]:
    return {"stack": "staging-images", "resources": [PROJECT, *resources]}


def test_names_are_component_type_and_own_name() -> None:
    repository = res("gcp:artifactregistry/repository:Repository", "k8s-staging-images-kueue")
    by_urn = {r["urn"]: r for r in (PROJECT, repository)}
    assert short_name(repository, by_urn) == "k8s-staging-images › Repository kueue"
    assert short_name(PROJECT, by_urn) == "RegistryProject k8s-staging-images"


def test_a_list_change_names_the_items_added_and_removed() -> None:
    change = value_change(
        "members", ["group:a@x.io", "group:b@x.io"], ["group:b@x.io", "group:c@x.io"]
    )
    assert change.added == ["group:c@x.io"] and change.removed == ["group:a@x.io"]
    assert list(value_lines(change.key, change.before, change.after)) == [
        "members: - group:a@x.io",
        "members: + group:c@x.io",
    ]
    assert list(value_lines("members", ["a", "b"], ["b", "a"])) == [
        "members: the same items, in a new order"
    ]


def test_a_map_change_names_each_entry() -> None:
    change = value_change("settings", {"a": "1", "b": "2"}, {"b": "3", "c": "4"})
    assert list(value_lines(change.key, change.before, change.after)) == [
        "settings.a: 1 → (none)",
        "settings.b: 2 → 3",
        "settings.c: (none) → 4",
    ]
    assert change.to_json() == {
        "before": {"a": "1", "b": "2"},
        "after": {"b": "3", "c": "4"},
        "added": {"b": "3", "c": "4"},
        "removed": {"a": "1", "b": "2"},
    }


def test_secrets_stay_secret_and_long_values_are_cut_with_their_length() -> None:
    assert show({"$secret": True}) == "[secret]"
    assert list(value_lines("token", {"$secret": True}, "x")) == ["token: [secret] → x"]
    long = "x" * 500
    assert show(long).endswith("… (500 characters)") and len(show(long)) < 200


def test_a_create_shows_every_input_leaf() -> None:
    inputs = {"repositoryId": "kueue", "location": "us-central1", "cleanupPolicyDryRun": False,
              "labels": {"x": "y"}, "extra": ["allUsers"]}  # fmt: skip
    created = res("gcp:artifactregistry/repository:Repository", "k8s-staging-images-kueue",
                  inputs=inputs)  # fmt: skip
    lines = [line.text for line in change_lines(diff_plans(plan(), plan(created), "0" * 40))]
    assert lines == [
        "+ k8s-staging-images › Repository kueue",
        "    cleanupPolicyDryRun: false",
        '    extra: ["allUsers"]',
        "    labels.x: y",
        "    location: us-central1",
        "    repositoryId: kueue",
    ]


def test_an_added_viewer_is_one_line_under_its_binding() -> None:
    viewers = ["group:k8s-infra-release-admins@kubernetes.io"]
    new = "group:k8s-infra-staging-newreg@kubernetes.io"
    base = plan(res(BINDING, "k8s-staging-images-iam-viewer",
                    inputs={"role": "roles/viewer", "members": viewers}))  # fmt: skip
    head = plan(res(BINDING, "k8s-staging-images-iam-viewer",
                    inputs={"role": "roles/viewer", "members": [*viewers, new]}))  # fmt: skip
    diff = diff_plans(base, head, "0" * 40)
    assert [line.text for line in change_lines(diff)] == [
        "~ k8s-staging-images › IAMBinding iam-viewer",
        f"    members: + {new}",
    ]
    (entry,) = diff.to_json()["update"]
    assert entry["keys"] == ["members"]
    assert entry["values"]["members"]["added"] == [new]
    assert entry["urn"].endswith("::k8s-staging-images-iam-viewer")


def grant(member: str, role: str = "roles/artifactregistry.reader") -> dict[str, Any]:
    return res(MEMBER, f"k8s-staging-images-kueue-reader-{member.lower()}",
               inputs={"member": member, "role": role, "repository": "kueue"})  # fmt: skip


def test_a_new_public_grant_is_refused_an_existing_one_is_not() -> None:
    created = diff_plans(plan(), plan(grant("allUsers")), "0" * 40)
    (danger,) = find_dangers(created)
    assert danger.kind == "public" and danger.refused
    assert danger.line() == (
        "staging-images: k8s-staging-images › RepositoryIamMember kueue-reader-allusers: "
        "grants allUsers role roles/artifactregistry.reader"
    )
    writer = grant("allUsers", role="roles/artifactregistry.writer")
    role_changed = diff_plans(plan(grant("allUsers")), plan(writer), "0" * 40)
    assert [d.message for d in find_dangers(role_changed)] == [
        "grants allUsers role roles/artifactregistry.writer"
    ]
    assert (
        find_dangers(diff_plans(plan(grant("allUsers")), plan(grant("allUsers")), "0" * 40)) == []
    )


def test_deleting_or_replacing_a_protected_resource_and_unprotecting_are_refused() -> None:
    project = res("gcp:organizations/project:Project", "k8s-staging-images-project",
                  protect=True, inputs={"projectId": "k8s-staging-images"})  # fmt: skip
    deleted = find_dangers(diff_plans(plan(project), plan(), "0" * 40))
    assert [(d.kind, d.refused) for d in deleted] == [("delete", True)]
    renamed = {**project, "inputs": {"projectId": "k8s-staging-images2"}}
    (replaced,) = find_dangers(diff_plans(plan(project), plan(renamed), "0" * 40))
    assert replaced.kind == "replace"
    assert "projectId: k8s-staging-images → k8s-staging-images2" in replaced.message
    unprotected = {**project, "protect": False}
    (danger,) = find_dangers(diff_plans(plan(project), plan(unprotected), "0" * 40))
    assert danger.kind == "unprotect" and danger.refused


def test_replacing_a_stateful_resource_is_refused_protected_or_not() -> None:
    """A repository replaced loses its images (or, kept on delete, is orphaned)."""
    for retained in (True, False):
        repository = res("gcp:artifactregistry/repository:Repository",
                         "k8s-staging-images-kueue", retain_on_delete=retained,
                         inputs={"location": "us-central1"})  # fmt: skip
        moved = {**repository, "inputs": {"location": "europe-west4"}}
        (danger,) = find_dangers(diff_plans(plan(repository), plan(moved), "0" * 40))
        assert danger.kind == "replace" and danger.refused
        assert "location: us-central1 → europe-west4" in danger.message
        fate = "stays in the cloud, unmanaged" if retained else "is destroyed with what it holds"
        assert fate in danger.message


def test_replacing_a_kept_stateless_resource_is_shown_not_refused() -> None:
    member = res(MEMBER, "k8s-staging-images-kueue-reader-x", retain_on_delete=True,
                 inputs={"member": "group:a@x.io", "role": "roles/viewer"})  # fmt: skip
    other = {**member, "inputs": {"member": "group:b@x.io", "role": "roles/viewer"}}
    (danger,) = find_dangers(diff_plans(plan(member), plan(other), "0" * 40))
    assert danger.kind == "replace-retained" and not danger.refused
    assert "the old one stays in the cloud" in danger.message


def test_settings_that_open_a_group_are_shown_not_refused() -> None:
    """A new group open to anyone is shown; allowing external members only when changed."""
    token = "pulumi-python:dynamic/groups:GoogleGroup"
    opened = {"whoCanJoin": "ANYONE_CAN_JOIN", "allowExternalMembers": "true"}
    group = res(token, "g@example.com", inputs={"email": "g@example.com", "settings": opened})
    (danger,) = find_dangers(diff_plans(plan(), plan(group), "0" * 40))
    assert (danger.kind, danger.message, danger.refused) == (
        "opens-group", "sets whoCanJoin: ANYONE_CAN_JOIN", False,
    )  # fmt: skip
    closed = {**group, "inputs": {"email": "g@example.com", "settings": {}}}
    found = find_dangers(diff_plans(plan(closed), plan(group), "0" * 40))
    assert sorted(d.message for d in found) == [
        "sets allowExternalMembers: true", "sets whoCanJoin: ANYONE_CAN_JOIN",
    ]  # fmt: skip


def write_allowances(root: Path, text: str) -> Path:
    (root / "infra").mkdir(parents=True, exist_ok=True)
    (root / "infra" / "allowed-changes.yaml").write_text(text)
    return root


def test_an_allowance_lets_a_change_through_and_names_itself(tmp_path: Path) -> None:
    write_allowances(tmp_path, "allowed:\n"
                     "  - stack: staging-images\n    resource: k8s-staging-images-*-allusers\n"
                     "    change: public\n    role: roles/artifactregistry.reader\n"
                     "    reason: registries are public to read\n")  # fmt: skip
    problems = Problems()
    allowances = load_allowances(tmp_path, problems)
    assert list(problems) == []
    reader = diff_plans(plan(), plan(grant("allUsers")), "0" * 40)
    (danger,) = apply_allowances(find_dangers(reader), allowances)
    assert not danger.refused
    assert danger.line().endswith(
        "[allowed by infra/allowed-changes.yaml:2: registries are public to read]"
    )
    writer = diff_plans(plan(), plan(grant("allUsers", "roles/artifactregistry.writer")), "0" * 40)
    (danger,) = apply_allowances(find_dangers(writer), allowances)
    assert danger.refused  # the role is pinned: public write is never allowed by it


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("allowed:\n  - stack: staging\n    resource: x\n    change: remove\n    reason: r\n",
         "infra/allowed-changes.yaml:4:13: error: change `remove` is not one of `delete`, "
         "`replace`, `unprotect`, `public`"),
        ("allowed:\n  - stack: staging\n    resource: x\n    change: delete\n",
         "infra/allowed-changes.yaml:2:5: error: an allowed change needs the key `reason`"),
        ("allowed:\n  - stack: staging\n    resource: x\n    change: delete\n    reason: r\n"
         "    role: roles/viewer\n",
         "infra/allowed-changes.yaml:6:5: error: `role` only narrows a `public` allowance"),
    ],
)  # fmt: skip
def test_a_bad_allowance_is_a_problem_at_its_place(
    tmp_path: Path, text: str, expected: str
) -> None:
    problems = Problems()
    assert load_allowances(write_allowances(tmp_path, text), problems) == []
    assert any(p.format().startswith(expected) for p in problems), [p.format() for p in problems]


def test_the_json_keeps_the_documented_keys_and_adds_values() -> None:
    base = plan(
        res(
            BINDING,
            "k8s-staging-images-iam-owner",
            inputs={"role": "roles/owner", "members": ["group:a@x.io"]},
        )
    )
    head = plan(grant("allUsers"))
    document = diff_plans(base, head, "0" * 40).to_json()
    assert {"stack", "base", "create", "update", "delete"} <= set(document)
    assert all(isinstance(urn, str) for urn in document["create"])
    (deleted,) = document["delete"]
    assert {"urn", "protect"} <= set(deleted)
    assert deleted["inputs"]["members"] == ["group:a@x.io"]
    (created,) = document["created"]
    assert created["name"] == "k8s-staging-images › RepositoryIamMember kueue-reader-allusers"
    json.dumps(document)  # plain JSON all the way down


def test_a_nested_change_is_one_leaf_with_its_path_in_lines_and_json() -> None:
    old = "registry.k8s.io/archeio@sha256:" + "f5e8" * 16
    new = "registry.k8s.io/archeio@sha256:" + "1111" * 16
    service = "gcp:cloudrunv2/service:Service"

    def run(image: str) -> dict[str, Any]:
        template = {"containers": [{"image": image, "args": ["-v=2"]}], "timeout": "60s"}
        return res(service, "k8s-staging-images-archeio", inputs={"template": template})

    diff = diff_plans(plan(run(old)), plan(run(new)), "0" * 40)
    assert [line.text for line in change_lines(diff)] == [
        "~ k8s-staging-images › Service archeio",
        f"    template.containers[0].image: {old} → {new}",
    ]
    (update,) = diff.update
    assert leaves_json(update) == [
        {"path": "template.containers[0].image", "mark": "~", "before": old, "after": new}
    ]


def test_a_long_string_shows_a_window_around_each_difference() -> None:
    before = "a" * 300 + "OLD" + "b" * 300 + "x" + "c" * 300
    after = "a" * 300 + "NEW" + "b" * 300 + "y" + "c" * 300
    (line,) = value_lines("script", before, after)
    old, new = line.removeprefix("script: ").split(" → ")
    assert "OLD" in old and "NEW" in new and "x" in old and "y" in new
    assert old.endswith("(904 characters)") and len(old) < 200
    assert old.startswith("…" + "a" * 24 + "OLD") and "b" * 24 + "x" + "c" * 24 + "…" in old
