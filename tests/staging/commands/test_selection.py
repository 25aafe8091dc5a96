"""Target selection for `staging ensure`, checked against the offline plan of the repository."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from infra.staging.commands.selection import (
    REGISTRY_PROJECT_TYPE,
    PlanIndex,
    Unit,
    changed_units,
    find_units,
    select,
)

Plans = Callable[[str], dict[str, Any]]


@pytest.fixture
def indexes(repo_plan: Plans) -> list[PlanIndex]:
    return [PlanIndex(stack, repo_plan(stack)) for stack in ("staging", "staging-images")]


def top_component(plan: dict[str, Any], urn: str) -> str:
    by_urn = {r["urn"]: r for r in plan["resources"]}
    while by_urn[urn]["parent"]:
        urn = by_urn[urn]["parent"]
    return str(by_urn[urn]["name"])


def selected(indexes: list[PlanIndex], name: str) -> dict[str, Any]:
    units, unknown = find_units(indexes, [name])
    assert not unknown
    return {s.stack: s for s in select(indexes, units)}


def test_registry_component_type_is_the_components() -> None:
    from infra.staging_images.component import TYPE

    assert REGISTRY_PROJECT_TYPE == TYPE


def test_an_ordinary_project_is_its_component_and_everything_under_it(
    indexes: list[PlanIndex], repo_plan: Plans
) -> None:
    plan = repo_plan("staging")
    expected = {r["urn"] for r in plan["resources"]
                if top_component(plan, r["urn"]) == "k8s-staging-kwok"}  # fmt: skip
    for name in ("kwok", "k8s-staging-kwok"):
        selections = selected(indexes, name)
        assert list(selections) == ["staging"]
        assert set(selections["staging"].urns) == expected
        assert selections["staging"].dependents
    assert len(expected) == 40


def test_a_special_case_brings_its_extra_accounts_and_cross_project_grants(
    indexes: list[PlanIndex], repo_plan: Plans
) -> None:
    plan = repo_plan("staging")
    urns = set(selected(indexes, "releng-test")["staging"].urns)
    ours = [r for r in plan["resources"] if r["urn"] in urns]
    assert {top_component(plan, u) for u in urns} == {"k8s-staging-releng-test"}
    assert any(r["inputs"].get("project") == "k8s-releng-prod" for r in ours)
    assert any(r["inputs"].get("accountId") == "gcb-builder-releng-test" for r in ours)
    everything = {r["urn"] for r in plan["resources"]
                  if top_component(plan, r["urn"]) == "k8s-staging-releng-test"}  # fmt: skip
    assert urns == everything


def test_a_registry_is_its_own_resources_and_the_projects_shared_ones(
    indexes: list[PlanIndex], repo_plan: Plans
) -> None:
    """Expected from the inputs (what names the registry), not from resource names."""
    plan = repo_plan("staging-images")
    project = [r for r in plan["resources"]
               if top_component(plan, r["urn"]) == "k8s-staging-images"]  # fmt: skip
    account_email = "kueue-sa@k8s-staging-images.iam.gserviceaccount.com"

    def of_registry(resource: dict[str, Any], registry: str) -> bool:
        inputs = resource["inputs"]
        account = f"{registry[:27]}-sa"
        return (
            inputs.get("repositoryId") == registry
            or inputs.get("repository") == registry
            or inputs.get("accountId") == account
            or f"/serviceAccounts/{account}@" in str(inputs.get("serviceAccountId", ""))
        )

    registries = {r["inputs"]["repositoryId"] for r in project
                  if r["type"] == "gcp:artifactregistry/repository:Repository"}  # fmt: skip
    kueue = {r["urn"] for r in project if of_registry(r, "kueue")}
    others = {r["urn"] for r in project
              if any(of_registry(r, name) for name in registries - {"kueue"})}  # fmt: skip
    shared = {r["urn"] for r in project} - kueue - others
    selection = selected(indexes, "kueue")["staging-images"]
    assert set(selection.urns) == kueue | shared
    assert len(kueue) == 6  # repository, 3 grants on it, its build account and its users
    assert not selection.dependents  # every other registry depends on the shared resources
    assert any(account_email in str(r["inputs"]) for r in project if r["urn"] in kueue)


def test_kueue_names_its_legacy_project_and_its_registry(indexes: list[PlanIndex]) -> None:
    units, _ = find_units(indexes, ["kueue"])
    assert [(u.stack, u.kind, u.name) for u in units] == [
        ("staging", "project", "k8s-staging-kueue"),
        ("staging-images", "registry", "kueue"),
    ]


def test_targets_hold_every_dependency_of_every_target(indexes: list[PlanIndex]) -> None:
    for index in indexes:
        for unit in index.units:
            (selection,) = select([index], [unit])
            chosen = set(selection.urns)
            for urn in chosen:
                resource = index.by_urn[urn]
                assert set(resource["depends_on"]) <= chosen, urn
                assert resource["parent"] is None or resource["parent"] in chosen, urn


def test_names_declared_nowhere_are_returned(indexes: list[PlanIndex]) -> None:
    units, unknown = find_units(indexes, ["nope", "kwok", "k8s-staging-nope"])
    assert [u.name for u in units] == ["k8s-staging-kwok"]
    assert unknown == ["nope", "k8s-staging-nope"]


def resource(urn: str, name: str, parent: str | None, **inputs: Any) -> dict[str, Any]:
    kind = urn.split("::")[2].rsplit("$", maxsplit=1)[-1]
    return {"urn": urn, "name": name, "type": kind, "custom": parent is not None,
            "parent": parent, "provider": None, "depends_on": [], "inputs": inputs}  # fmt: skip


def small_plan() -> dict[str, Any]:
    """A registry project with `dra-driver` and `dra-driver-cpu`: names that share a prefix."""
    base = "urn:pulumi:s::k8s-infra::"
    component = f"{base}{REGISTRY_PROJECT_TYPE}::p"
    repo = f"{base}{REGISTRY_PROJECT_TYPE}$gcp:artifactregistry/repository:Repository::"
    member = f"{base}{REGISTRY_PROJECT_TYPE}$gcp:artifactregistry/repositoryIamMember:M::"
    project = f"{base}{REGISTRY_PROJECT_TYPE}$gcp:organizations/project:Project::p-project"
    return {"resources": [
        resource(component, "p", None),
        resource(project, "p-project", component),
        resource(repo + "p-dra-driver", "p-dra-driver", component, repositoryId="dra-driver"),
        resource(repo + "p-dra-driver-cpu", "p-dra-driver-cpu", component,
                 repositoryId="dra-driver-cpu"),
        resource(member + "p-dra-driver-cpu-reader", "p-dra-driver-cpu-reader", component),
        resource(member + "p-dra-driver-reader", "p-dra-driver-reader", component),
    ]}  # fmt: skip


def test_a_name_fitting_two_registries_goes_to_the_longer() -> None:
    index = PlanIndex("s", small_plan())
    registries = {u.name: {r.rsplit("::", 1)[1] for r in u.resources}
                  for u in index.units if u.kind == "registry"}  # fmt: skip
    assert registries == {
        "dra-driver": {"p-dra-driver", "p-dra-driver-reader"},
        "dra-driver-cpu": {"p-dra-driver-cpu", "p-dra-driver-cpu-reader"},
    }


def owner_names(units: tuple[Unit, ...]) -> list[str]:
    return [u.name for u in units]


def test_a_diff_names_the_units_it_touches_or_the_whole_stack() -> None:
    index = PlanIndex("s", small_plan())
    by_name = {r["name"]: r["urn"] for r in small_plan()["resources"]}
    created = changed_units([index], [{"stack": "s", "create": [by_name["p-dra-driver-cpu"]],
                                       "update": [], "delete": []}])  # fmt: skip
    assert (owner_names(created.units), created.whole_stacks) == (["dra-driver-cpu"], ())
    shared = changed_units([index], [{"stack": "s", "create": [],
                                      "update": [{"urn": by_name["p-project"], "keys": ["x"]}],
                                      "delete": []}])  # fmt: skip
    assert owner_names(shared.units) == ["p"]
    gone = {"urn": "urn:gone", "protect": False}
    deleted = changed_units([index], [{"stack": "s", "create": [], "update": [], "delete": [gone]}])
    assert (deleted.units, deleted.whole_stacks) == ((), ("s",))
    other = changed_units([index], [{"stack": "groups", "create": ["urn:x"]}])
    assert (other.units, other.whole_stacks) == ((), ())


def test_a_shared_change_with_a_new_registry_is_the_registrys() -> None:
    """Adding a registry updates the project's viewers: the registry's targets cover it."""
    index = PlanIndex("s", small_plan())
    by_name = {r["name"]: r["urn"] for r in small_plan()["resources"]}
    changed = changed_units([index], [{"stack": "s", "create": [by_name["p-dra-driver"]],
                                       "update": [{"urn": by_name["p-project"], "keys": ["x"]}],
                                       "delete": []}])  # fmt: skip
    assert owner_names(changed.units) == ["dra-driver"]
