"""People and domains are refused wherever written; standing allowances match types and inputs.

The guard rails judge offline plans with the policy config made from a real
checkout copy, whose declarations and allow file each test edits.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from infra.core.problems import Problems
from infra.declarations.allowances import load_allowances
from infra.guardrails.offline import check_plan
from infra.guardrails.settings import policy_config
from infra.review.dangers import PUBLIC, Danger, apply_allowances
from tests.conftest import REPO
from tests.guardrails.inventories import PROJECT_MEMBER, REPO_MEMBER, grant, plan

ALLOW = "infra/allowed-changes.yaml"


@pytest.fixture
def checkout_copy(checkout_copy: Path) -> Path:
    """The declarations' copy, with the shipped allow file."""
    shutil.copy(REPO / ALLOW, checkout_copy / ALLOW)
    return checkout_copy


def config_of(root: Path) -> dict[str, Any]:
    problems = Problems()
    made = policy_config(root, problems)
    assert not problems.has_errors, [p.format() for p in problems]
    return made


def sources(root: Path, *resources: dict[str, Any]) -> list[str]:
    return [v.line() for v in check_plan(plan(*resources), config_of(root))
            if v.policy == "member-sources"]  # fmt: skip


@pytest.mark.parametrize("member", ["user:someone@gmail.com", "domain:gmail.com"])
def test_people_and_domains_written_in_the_declarations_are_still_refused(
    checkout_copy: Path, member: str
) -> None:
    infra_yaml = checkout_copy / "infra/infra.yaml"
    text = infra_yaml.read_text()
    old = "          roles/owner: [group:k8s-infra-release-admins@kubernetes.io]\n"
    assert old in text
    infra_yaml.write_text(text.replace(old, old.replace("]", f", {member}]"), 1))
    config = config_of(checkout_copy)
    assert member not in config["member-sources"]["listed"]
    found = sources(checkout_copy, grant(PROJECT_MEMBER, "k8s-staging-images-iam-owner", member,
                                         "roles/owner"))  # fmt: skip
    assert len(found) == 1
    assert f"`{member}`: " in found[0]
    assert "get access through groups, not one by one" in found[0]


def test_only_an_allowance_naming_the_exact_binding_lets_a_person_through(
    checkout_copy: Path,
) -> None:
    allow = checkout_copy / ALLOW
    allow.write_text(allow.read_text() + (
        "  - stack: registry-prod\n"
        "    resource: proxy-viewer\n"
        "    change: member\n"
        "    member: user:oncall@example.com\n"
        "    role: roles/viewer\n"
        "    reason: the on-call rota reads the proxy's logs (kubernetes/k8s.io#1234)\n"
    ))  # fmt: skip
    person = "user:oncall@example.com"
    assert sources(checkout_copy, grant(PROJECT_MEMBER, "proxy-viewer", person,
                                        "roles/viewer")) == []  # fmt: skip
    for name, who, role in (("proxy-viewer", person, "roles/editor"),
                            ("other-viewer", person, "roles/viewer"),
                            ("proxy-viewer", "user:someone@example.com", "roles/viewer"),
                            ("proxy-viewer", "domain:example.com", "roles/viewer")):  # fmt: skip
        found = sources(checkout_copy, grant(PROJECT_MEMBER, name, who, role))
        assert len(found) == 1, (name, who, role)


@pytest.mark.parametrize(
    ("entry", "message"),
    [("    resource: 'k8s-staging-*'\n    change: member\n    member: user:a@example.com\n"
      "    role: roles/viewer\n", "names one resource by its exact name"),
     ("    resource: proxy-viewer\n    change: member\n    role: roles/viewer\n",
      "names the `user:` or `domain:` member granted"),
     ("    resource: proxy-viewer\n    change: member\n    member: user:a@example.com\n",
      "names the role granted"),
     ("    resource: 'k8s-staging-*-reader-allusers'\n    change: public\n    standing: true\n",
      "a standing entry matches a resource type and its inputs, not a name"),
     ("    change: public\n    standing: true\n    type: " + REPO_MEMBER + "\n",
      "a standing entry lists the exact inputs it allows")],
)  # fmt: skip
def test_malformed_allowances_are_refused_where_written(
    checkout_copy: Path, entry: str, message: str
) -> None:
    allow = checkout_copy / ALLOW
    allow.write_text(allow.read_text() + "  - stack: registry-prod\n" + entry
                     + "    reason: a test\n")  # fmt: skip
    problems = Problems()
    load_allowances(checkout_copy, problems)
    errors = [p.format() for p in problems if p.severity == "error"]
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"{ALLOW}:")
    assert message in errors[0]


def urn(stack: str, type_: str, name: str) -> str:
    return f"urn:pulumi:{stack}::k8s-infra::k8s-infra:staging:Registry${type_}::{name}"


def test_a_standing_allowance_covers_its_type_and_inputs_not_a_look_alike_name(
    checkout_copy: Path,
) -> None:
    """The shipped allow file: the shared registries' public read, and nothing that only
    looks like it (a project-wide public read named like a registry's)."""
    allowances = load_allowances(checkout_copy, Problems())
    reader = {"project": "k8s-staging-images", "repository": "newreg", "location": "us-central1",
              "role": "roles/artifactregistry.reader", "member": "allUsers"}  # fmt: skip
    registry = Danger("staging-images", urn("staging-images", REPO_MEMBER,
                      "k8s-staging-images-newreg-reader-allusers"),
                      "k8s-staging-images-newreg-reader-allusers", PUBLIC,
                      "grants allUsers role roles/artifactregistry.reader", fails=True,
                      role="roles/artifactregistry.reader", inputs=reader)  # fmt: skip
    project_wide = Danger("staging-images", urn("staging-images", PROJECT_MEMBER,
                          "k8s-staging-images-iam-reader-allusers"),
                          "k8s-staging-images-iam-reader-allusers", PUBLIC,
                          "grants allUsers role roles/artifactregistry.reader", fails=True,
                          role="roles/artifactregistry.reader",
                          inputs={"project": "k8s-staging-images",
                                  "role": "roles/artifactregistry.reader",
                                  "member": "allUsers"})  # fmt: skip
    writer = Danger("staging-images", registry.urn, registry.name, PUBLIC,
                    "grants allUsers role roles/artifactregistry.writer", fails=True,
                    role="roles/artifactregistry.writer",
                    inputs={**reader, "role": "roles/artifactregistry.writer"})  # fmt: skip
    marked = apply_allowances([registry, project_wide, writer], allowances)
    assert marked[0].allowed_by is not None
    assert marked[0].allowed_by.reason.startswith("shared staging registries are public")
    assert marked[1].allowed_by is None and marked[1].refused
    assert marked[2].allowed_by is None and marked[2].refused


def test_the_public_grants_rail_matches_type_and_inputs(checkout_copy: Path) -> None:
    config = config_of(checkout_copy)
    config["public-grants"]["declared"] = [
        {**entry, "stack": "registry-prod"}
        for entry in config["public-grants"]["declared"]
        if entry["stack"] == "registry-mirrors"
    ]
    good = grant(REPO_MEMBER, "anything-at-all", "allUsers", "roles/artifactregistry.reader",
                 project="k8s-artifacts-prod", repository="images")  # fmt: skip
    other_repo = grant(REPO_MEMBER, "artifact-registry-x-public-read", "allUsers",
                       "roles/artifactregistry.reader", project="k8s-artifacts-prod",
                       repository="private")  # fmt: skip
    found = [v.name for v in check_plan(plan(good, other_repo), config)
             if v.policy == "public-grants"]  # fmt: skip
    assert found == ["artifact-registry-x-public-read"]
