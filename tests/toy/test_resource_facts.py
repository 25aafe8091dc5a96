"""A concern's resource facts reach the plan, the review, access and adoption through
its catalog entry alone.

The toy concern below keeps secrets in Secret Manager, a resource type no real
concern creates. Registered in ``CONCERNS`` (and only there), its facts give
the offline plan a placeholder for the secret's name, the review diff the
property that replaces it, the review and the access report the grant of its
IAM member, and adoption the secret's import id; taken out, each falls back to
what an undeclared type gets.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi_gcp as gcp
import pytest

from infra import catalog
from infra.access.model import read_grants, registered_readers
from infra.adoption.ids import AdoptionRefused, Target, adoption_steps
from infra.declarations.concern import Checked, Concern
from infra.declarations.resources import (
    DOCSTRING,
    Created,
    GrantsOn,
    Imported,
    ResourceFacts,
    joined,
    replaced_by,
    stable_number,
    values,
)
from infra.planner.diff import diff_plans
from infra.planner.placeholders import output_properties
from infra.review.grants import grants
from tests.components import record

SECRET = ResourceFacts(
    "gcp:secretmanager/secret:Secret",
    adoption=Imported("projects/{project}/secrets/{secretId}", DOCSTRING),
    replacement=replaced_by(
        "project", "secretId", source="google-beta/services/secretmanager/resource_secret.go"
    ),
    placeholders={
        "name": lambda i, _n, _c: (
            f"projects/{stable_number(str(i.get('project')))}/secrets/{i.get('secretId')}"
        )
    },
    key=values("project", "secretId"),
)
SECRET_MEMBER = ResourceFacts(
    "gcp:secretmanager/secretIamMember:SecretIamMember",
    adoption=Created("an additive IAM member"),
    replacement=replaced_by(
        "project",
        "secretId",
        "role",
        "member",
        "condition",
        source="google-beta/tpgiamresource/resource_iam_member.go",
    ),
    grants_on=GrantsOn(
        SECRET.token,
        values("project", "secretId"),
        "secret",
        "secret",
        joined("project", "secretId"),
    ),
)
TOY = Concern(
    name="toy-secrets",
    summary="a secret and its reader",
    check=lambda _context, _problems: Checked(),
    build=lambda _settings, _declarations: None,
    resources=(SECRET, SECRET_MEMBER),
)
PROJECT = "toy-project"
READERS = "group:readers@example.com"
ACCESSOR = "roles/secretmanager.secretAccessor"


@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch) -> None:
    """The toy in the catalog for one test (monkeypatch takes it out again)."""
    monkeypatch.setattr(catalog, "CONCERNS", (*catalog.CONCERNS, TOY))


def plan_toy(secret_id: str = "token") -> dict[str, dict[str, Any]]:
    """The toy's resources, planned in this process under the planner's mocks."""

    def build() -> None:
        secret = gcp.secretmanager.Secret(
            "toy-secret",
            project=PROJECT,
            secret_id=secret_id,
            replication={"auto": {}},
        )
        # the version names its secret by the secret's computed name
        gcp.secretmanager.SecretVersion("toy-version", secret=secret.name, secret_data="s")
        gcp.secretmanager.SecretIamMember(
            "toy-reader", project=PROJECT, secret_id=secret.secret_id, role=ACCESSOR, member=READERS
        )

    return record(build)


def as_plan(resources: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {"stack": "toy", "resources": sorted(resources.values(), key=lambda r: r["urn"])}


def test_the_toy_declares_real_properties_of_the_provider_classes() -> None:
    for facts in TOY.resources:
        declared = output_properties(facts.token)
        assert declared, facts.token
        assert facts.replacement is not None
        assert {p.split(".")[0] for p in facts.replacement.replace} <= set(declared)
        assert set(facts.placeholders) <= set(declared)


def test_no_real_concern_declares_the_toys_types() -> None:
    assert not {f.token for f in TOY.resources} & set(catalog.resource_facts())


@pytest.mark.usefixtures("registered")
def test_the_plan_gives_the_toys_computed_output_its_placeholder() -> None:
    secret = plan_toy()["toy-version"]["inputs"]["secret"]
    assert secret == f"projects/{stable_number(PROJECT)}/secrets/token"


def test_without_the_toy_the_output_is_unknown() -> None:
    secret = plan_toy()["toy-version"]["inputs"]["secret"]
    assert secret == {"$unknown": "gcp:secretmanager/secret:Secret.name"}


def _secret_update(before: dict[str, Any], after: dict[str, Any]) -> Any:
    (update,) = [
        u for u in diff_plans(before, after, "0" * 40).update if u.urn.endswith("toy-secret")
    ]
    return update


@pytest.mark.usefixtures("registered")
def test_the_review_diff_replaces_on_the_toys_properties() -> None:
    before, after = as_plan(plan_toy()), as_plan(plan_toy("token-2"))
    update = _secret_update(before, after)
    assert update.replace == ("secretId",) and update.replaced
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(catalog, "CONCERNS", tuple(c for c in catalog.CONCERNS if c is not TOY))
        update = _secret_update(before, after)
    assert update.replace is None and not update.replaced  # unchecked, shown as an update


@pytest.mark.usefixtures("registered")
def test_the_review_and_access_see_the_toys_grant() -> None:
    resources: list[Mapping[str, Any]] = list(plan_toy().values())
    (grant,) = grants(resources)
    assert (grant.member, grant.role) == (READERS, ACCESSOR)
    assert grant.target_urn == next(r["urn"] for r in resources if r["name"] == "toy-secret")
    (held,) = read_grants([as_plan(plan_toy())], registered_readers())
    assert (held.principal, held.role, str(held.target)) == (
        READERS, ACCESSOR, f"secret {PROJECT}/token",
    )  # fmt: skip


def test_without_the_toy_nothing_is_granted() -> None:
    resources: list[Mapping[str, Any]] = list(plan_toy().values())
    assert list(grants(resources)) == []
    assert read_grants([as_plan(plan_toy())], registered_readers()) == []


def _adoptable(resources: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    return [resources["toy-secret"], resources["toy-reader"]]


@pytest.mark.usefixtures("registered")
def test_adoption_imports_the_toys_secret_and_creates_its_member() -> None:
    secret, member = adoption_steps(_adoptable(plan_toy()), Target(), {})
    assert (secret.action, secret.id) == ("import", f"projects/{PROJECT}/secrets/token")
    assert (member.action, member.id) == ("create", None)


def test_without_the_toy_adoption_refuses_its_types() -> None:
    with pytest.raises(AdoptionRefused, match="gcp:secretmanager/secret:Secret"):
        adoption_steps(_adoptable(plan_toy()), Target(), {})
