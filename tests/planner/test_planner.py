"""The offline planner on a small program that uses every feature it records."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from infra import catalog
from infra.planner.diff import diff_plans
from infra.planner.placeholders import output_properties, placeholders
from infra.planner.runner import PlanFailed, PlanRequest, plan_one, run_plans
from infra.planner.worktree import checkout, resolve_commit
from tests.conftest import FIXTURES

DEMO = FIXTURES / "planner-project"
RESOURCE_KEYS = {
    "urn", "type", "name", "custom", "mode", "parent", "provider",
    "protect", "retain_on_delete", "depends_on", "inputs",
}  # fmt: skip
STACK = "urn:pulumi:demo::demo::"


@pytest.fixture(scope="module")
def demo_plan() -> dict[str, Any]:
    return plan_one(PlanRequest("demo", DEMO, DEMO))


def by_name(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in plan["resources"]}


@pytest.mark.plan
def test_plan_has_the_documented_shape(demo_plan: dict[str, Any]) -> None:
    assert set(demo_plan) == {"stack", "resources", "outputs"}
    assert demo_plan["stack"] == "demo"
    for resource in demo_plan["resources"]:
        assert set(resource) == RESOURCE_KEYS
    urns = [r["urn"] for r in demo_plan["resources"]]
    assert urns == sorted(urns)


def test_urns_follow_the_engine_rule(demo_plan: dict[str, Any]) -> None:
    """Top-level resources carry no stack type; children carry the parent type chain."""
    named = by_name(demo_plan)
    assert named["alpha"]["urn"] == STACK + "demo:gcp:Tenant::alpha"
    assert named["alpha-project"]["urn"] == (
        STACK + "demo:gcp:Tenant$gcp:organizations/project:Project::alpha-project"
    )
    assert named["alpha-project"]["parent"] == named["alpha"]["urn"]
    assert named["alpha"]["parent"] is None


def test_options_are_recorded_with_inheritance(demo_plan: dict[str, Any]) -> None:
    named = by_name(demo_plan)
    assert named["alpha"]["protect"] is True
    assert named["alpha-project"]["protect"] is True  # inherited from the component
    assert named["alpha-bucket"]["protect"] is False  # set explicitly on the child
    assert named["alpha-bucket"]["retain_on_delete"] is True
    assert named["alpha-project"]["retain_on_delete"] is False


def test_explicit_dependencies_exclude_those_implied_by_inputs(demo_plan: dict[str, Any]) -> None:
    named = by_name(demo_plan)
    # depends_on a component expands to its children
    assert (
        STACK + "demo:gcp:Tenant$gcp:storage/bucket:Bucket::alpha-bucket"
        in (named["mirror"]["depends_on"])
    )
    # the bucket is also an input of this member, so it is implied, not explicit
    assert named["alpha-unknowable"]["depends_on"] == []


def test_providers_and_read_resources(demo_plan: dict[str, Any]) -> None:
    named = by_name(demo_plan)
    assert named["mirror"]["provider"] == STACK + "pulumi:providers:aws::ohio"
    assert named["ohio"]["type"] == "pulumi:providers:aws"
    assert named["ohio"]["inputs"]["region"] == "us-east-2"
    assert named["alpha-project"]["provider"] is None
    assert named["existing"]["mode"] == "read"
    assert named["existing"]["type"] == "gcp:organizations/project:Project"


def test_computed_outputs_use_the_placeholder_table(demo_plan: dict[str, Any]) -> None:
    named = by_name(demo_plan)
    member = named["alpha-cloudbuild"]["inputs"]["member"]
    number = placeholders("gcp:organizations/project:Project")["number"](
        {"projectId": "demo-alpha"},
        "alpha-project",
        None,  # type: ignore[arg-type]
    )
    assert member == f"serviceAccount:{number}@cloudbuild.gserviceaccount.com"
    assert demo_plan["outputs"]["bucketArn"] == "arn:aws:s3:::demo-mirror-us-east-2"


def test_an_input_built_from_an_unknown_output_is_never_dropped(
    demo_plan: dict[str, Any],
) -> None:
    """Under plain mocks this input would vanish; the plan shows where it came from."""
    inputs = by_name(demo_plan)["alpha-unknowable"]["inputs"]
    assert inputs["project"] == {"$unknown": "gcp:storage/bucket:Bucket.project"}


def test_secrets_are_masked(demo_plan: dict[str, Any]) -> None:
    assert by_name(demo_plan)["alpha-bucket"]["inputs"]["labels"] == {"token": {"$secret": True}}
    assert demo_plan["outputs"]["token"] == {"$secret": True}
    assert "planned-secret" not in json.dumps(demo_plan)


@pytest.mark.plan
def test_plans_are_stable_from_run_to_run() -> None:
    first, second = run_plans([PlanRequest("demo", DEMO, DEMO)] * 2)
    assert json.dumps(first.plan, sort_keys=True) == json.dumps(second.plan, sort_keys=True)


def test_every_placeholder_names_a_real_output_property() -> None:
    for type_token, facts in catalog.resource_facts().items():
        outputs = facts.placeholders
        if not outputs:
            continue
        declared = output_properties(type_token)
        assert declared, f"{type_token} is not a known resource class"
        for prop in outputs:
            assert prop in declared, f"{type_token} has no output {prop}"


@pytest.mark.plan
def test_a_failing_program_is_one_error_not_a_traceback(tmp_path: Path) -> None:
    project = tmp_path / "demo"
    shutil.copytree(DEMO, project)
    (project / "infra" / "data" / "tenants.yaml").write_text("- alpha\n- Not A Valid Name\n")
    (project / "infra" / "tenant.py").write_text(
        (project / "infra" / "tenant.py")
        .read_text()
        .replace(
            "        super().__init__(",
            "        if ' ' in name:\n            raise ValueError(f'bad name {name!r}')\n"
            "        super().__init__(",
        )
    )
    with pytest.raises(PlanFailed) as failure:
        plan_one(PlanRequest("demo", project, project))
    assert "ValueError: bad name 'Not A Valid Name'" in failure.value.message


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


@pytest.fixture
def demo_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(DEMO, repo)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "add", ".")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "demo")
    return repo


@pytest.mark.plan
def test_base_plan_reports_created_and_protected_deletes(demo_repo: Path) -> None:
    (demo_repo / "infra" / "data" / "tenants.yaml").write_text("- alpha\n- gamma\n")
    sha = resolve_commit(demo_repo, "HEAD")
    with checkout(demo_repo, sha) as tree:
        head, base = run_plans(
            [PlanRequest("demo", demo_repo, demo_repo), PlanRequest("demo", tree, tree)]
        )
    assert head.plan and base.plan
    diff = diff_plans(base.plan, head.plan, sha)
    created = {urn.rsplit("::", 1)[1] for urn in diff.create}
    deleted = {d.urn.rsplit("::", 1)[1]: d for d in diff.delete}
    assert created == {
        "gamma",
        "gamma-project",
        "gamma-bucket",
        "gamma-cloudbuild",
        "gamma-unknowable",
    }
    assert set(deleted) == {
        "beta",
        "beta-project",
        "beta-bucket",
        "beta-cloudbuild",
        "beta-unknowable",
    }
    assert deleted["beta-project"].protect is True
    assert deleted["beta-bucket"].protect is False
    assert deleted["beta-bucket"].retain_on_delete is True
    assert diff.update == []
    assert diff.to_json()["base"] == sha
    assert diff.to_json()["create"] == diff.create
    assert {"Tenant gamma", "gamma › Project project"} <= {c.name for c in diff.created}


@pytest.mark.plan
def test_a_ref_without_the_program_plans_as_empty(demo_repo: Path) -> None:
    git(demo_repo, "rm", "-rq", "infra")
    git(demo_repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "rm")
    sha = resolve_commit(demo_repo, "HEAD")
    with checkout(demo_repo, sha) as tree:
        (result,) = run_plans([PlanRequest("demo", tree, tree)])
    assert result.plan == {"stack": "demo", "resources": [], "outputs": {}}


def test_unknown_ref_is_a_usage_error(demo_repo: Path) -> None:
    from infra.core.errors import UsageError

    with pytest.raises(UsageError, match="git ref `no-such-ref` is not known"):
        resolve_commit(demo_repo, "no-such-ref")


def test_a_shallow_clone_fetches_the_base_it_lacks(demo_repo: Path, tmp_path: Path) -> None:
    """PR jobs clone one branch shallowly; --base must fetch the ref it names."""
    git(demo_repo, "checkout", "-qb", "feature")
    (demo_repo / "infra" / "data" / "tenants.yaml").write_text("- alpha\n")
    git(demo_repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qam", "f")
    feature = git(demo_repo, "rev-parse", "HEAD")
    git(demo_repo, "checkout", "-q", "main")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth=1", "--single-branch", "--branch", "main",
                    f"file://{demo_repo}", str(clone)], check=True)  # fmt: skip
    assert git(clone, "rev-parse", "--is-shallow-repository") == "true"
    assert resolve_commit(clone, "feature") == feature


def test_option_changes_are_updates_too(demo_plan: dict[str, Any]) -> None:
    """Dropping `protect` changes no input, yet must show in the diff."""
    import copy

    head = copy.deepcopy(demo_plan)
    project = next(r for r in head["resources"] if r["name"] == "alpha-project")
    project["protect"] = False
    project["depends_on"] = ["urn:pulumi:demo::demo::gcp:organizations/project:Project::existing"]
    diff = diff_plans(demo_plan, head, "0" * 40)
    (update,) = diff.update
    assert update.urn == project["urn"]
    assert update.keys == ["option:protect", "option:depends_on"]
    assert update.protect == (True, False)
    (entry,) = diff.to_json()["update"]
    # the documented keys stay; values are added beside them
    assert {"urn": entry["urn"], "keys": entry["keys"]} == {
        "urn": project["urn"],
        "keys": ["option:protect", "option:depends_on"],
    }
    assert entry["values"]["option:protect"] == {"before": True, "after": False}


@pytest.mark.plan
def test_two_resources_with_one_urn_fail_the_plan(tmp_path: Path) -> None:
    """The engine refuses a duplicate URN; the plan must not keep one and drop the other."""
    project = tmp_path / "demo"
    shutil.copytree(DEMO, project)
    main = project / "infra" / "__main__.py"
    main.write_text(main.read_text() + '\naws.s3.Bucket("mirror", bucket="another-bucket")\n')
    with pytest.raises(PlanFailed) as failure:
        plan_one(PlanRequest("demo", project, project))
    assert "two resources have the URN urn:pulumi:demo::demo::aws:s3/bucket:Bucket::mirror" in (
        failure.value.message
    )


@pytest.mark.plan
def test_an_unreadable_stack_file_is_one_error(tmp_path: Path) -> None:
    project = tmp_path / "demo"
    shutil.copytree(DEMO, project)
    (project / "stacks" / "Pulumi.demo.yaml").write_text("config: [not, a, mapping]\n")
    with pytest.raises(PlanFailed) as failure:
        plan_one(PlanRequest("demo", project, project))
    assert failure.value.message == (
        "plan of stack `demo` failed: stacks/Pulumi.demo.yaml cannot be read "
        "(`config` must be a mapping); "
        "`k8s-infra validate` says where"
    )


@pytest.mark.plan
def test_a_program_bug_shows_its_traceback_only_when_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "demo"
    shutil.copytree(DEMO, project)
    main = project / "infra" / "__main__.py"
    main.write_text(main.read_text() + "\n{}['missing']\n")
    with pytest.raises(PlanFailed) as failure:
        plan_one(PlanRequest("demo", project, project))
    assert (
        failure.value.hint == "a bug in the program: set K8S_INFRA_DEBUG=1 to see where it failed"
    )
    assert failure.value.detail is None
    monkeypatch.setenv("K8S_INFRA_DEBUG", "1")
    with pytest.raises(PlanFailed) as failure:
        plan_one(PlanRequest("demo", project, project))
    assert failure.value.detail is not None and "KeyError: 'missing'" in failure.value.detail
