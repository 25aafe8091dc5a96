"""The `staging` stack: every standard project, every special case, validation and diffs."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from infra.core import names
from infra.core.errors import ProblemsFound
from infra.declarations.resources import stable_number
from infra.staging.model import PROFILES_PATH, _profiles_file
from tests.conftest import REPO, declare_writer_group, invoke, trim_staging
from tests.inventory import assert_inventory, load_inventory, resources_under

INVENTORIES = sorted((Path(__file__).parent / "inventories").glob("*.yaml"))
assert INVENTORIES, "found no files"
STANDARD_TYPES = Counter(
    {
        "gcp:organizations/project:Project": 1,
        "gcp:projects/service:Service": 13,
        "gcp:artifactregistry/repository:Repository": 1,
        "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember": 2,
        "gcp:storage/bucket:Bucket": 2,
        "gcp:storage/bucketIAMMember:BucketIAMMember": 12,
        "gcp:projects/iAMMember:IAMMember": 6,
        "gcp:serviceaccount/account:Account": 1,
        "gcp:serviceaccount/iAMMember:IAMMember": 1,
    }
)
# Projects whose options add resources to the standard set.
WITH_OPTIONS = {
    "k8s-staging-artifact-promoter", "k8s-staging-build-image", "k8s-staging-ci-images",
    "k8s-staging-cip-test", "k8s-staging-experimental", "k8s-staging-releng",
    "k8s-staging-releng-test", "k8s-staging-publishing-bot", "k8s-staging-cluster-api-gcp",
    "k8s-staging-kustomize", "k8s-staging-krm-functions", "k8s-staging-sig-storage",
    "k8s-staging-gcb-untrusted",
}  # fmt: skip


@pytest.fixture(scope="module")
def staging(repo_plan: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
    return repo_plan("staging")


def staging_projects() -> list[str]:
    data = yaml.safe_load((REPO / "infra" / "infra.yaml").read_text())
    return list(data["infra"]["staging"]["projects"])


@pytest.mark.parametrize("inventory", INVENTORIES, ids=lambda p: p.stem)
def test_inventory(staging: dict[str, Any], inventory: Path) -> None:
    expected = load_inventory(inventory)
    assert_inventory(staging, expected, component=expected["component"])


def test_repositories_have_no_description(staging: dict[str, Any]) -> None:
    """The script created `images` without one (lib_ar.sh@e10ab5f): adopting must not add one."""
    repositories = [
        r for r in staging["resources"] if r["type"] == "gcp:artifactregistry/repository:Repository"
    ]
    assert len(repositories) > 90
    assert [r["name"] for r in repositories if r["inputs"].get("description")] == []


def test_every_standard_project_has_exactly_the_standard_resources(
    staging: dict[str, Any],
) -> None:
    projects = staging_projects()
    assert len(projects) > 90
    for project in projects:
        found = Counter(r["type"] for r in resources_under(staging, project))
        if project in WITH_OPTIONS:
            assert found["gcp:organizations/project:Project"] == 1
            continue
        assert found == STANDARD_TYPES, project


def test_every_project_is_protected_and_its_data_kept(staging: dict[str, Any]) -> None:
    for resource in staging["resources"]:
        kind = resource["type"]
        if kind == "gcp:organizations/project:Project":
            assert resource["protect"], resource["urn"]
        if kind in ("gcp:storage/bucket:Bucket", "gcp:artifactregistry/repository:Repository"):
            assert resource["retain_on_delete"], resource["urn"]
        if kind == "gcp:projects/service:Service":
            assert resource["inputs"]["disableOnDestroy"] is False


def test_no_scanning_api_and_no_project_name_in_code(staging: dict[str, Any]) -> None:
    services = {r["inputs"]["service"] for r in staging["resources"]
                if r["type"] == "gcp:projects/service:Service"}  # fmt: skip
    assert not services & {"containeranalysis.googleapis.com", "containerscanning.googleapis.com"}
    projects = staging_projects()
    for path in (REPO / "infra").rglob("*.py"):
        code = path.read_text()
        assert not [p for p in projects if re.search(rf"{p}\b", code)], path


@pytest.mark.parametrize("project", ["k8s-staging-kustomize", "k8s-staging-krm-functions",
                                     "k8s-staging-releng-test"])  # fmt: skip
def test_cloud_build_accounts_come_from_the_created_project_number(
    staging: dict[str, Any], project: str
) -> None:
    """Upstream hard-coded these numbers; here they come from the project resource."""
    expected = names.cloudbuild_member(stable_number(project))
    members = {r["inputs"]["member"] for r in resources_under(staging, project)
               if r["name"].endswith("-cloudbuild") and "member" in r["inputs"]}  # fmt: skip
    assert members == {expected}
    assert not any(n in json.dumps(staging) for n in ("660796270509", "415435679132",
                                                       "86929635859"))  # fmt: skip


def test_retired_gcr_grants_are_translated_or_dropped(staging: dict[str, Any]) -> None:
    """No grant targets a GCR bucket (artifacts.<project>.appspot.com) any more."""
    assert "appspot.com" not in json.dumps(staging)
    assert "containerregistry" not in json.dumps(
        [r for r in staging["resources"] if r["type"].startswith("gcp:storage")]
    )


def test_writer_groups_are_derived_from_the_name(staging: dict[str, Any]) -> None:
    writers = {r["inputs"]["member"] for r in staging["resources"]
               if r["type"].endswith("RepositoryIamMember")
               and r["inputs"]["role"] == "roles/artifactregistry.writer"
               and r["inputs"]["member"].startswith("group:")}  # fmt: skip
    expected = {
        "group:" + names.staging_writer_group(p.removeprefix("k8s-staging-"), "kubernetes.io")
        for p in staging_projects()
        if p != "k8s-staging-gcb-untrusted"
    }
    assert writers == expected


# -- validation --------------------------------------------------------------

BROKEN_OPTIONS = [
    ("services: [containerscanning.googleapis.com]",
     "`containerscanning.googleapis.com` may not be enabled in staging projects"),
    ("services: [compute]", "`compute` is not an API service name"),
    ("profile: tiny", "profile `tiny` is not one of `standard`, `gcb-untrusted`"),
    ("grant_sets: [release-enginering]", "unknown grant set `release-enginering`"),
    ("grants: [{member: sa:nobody, roles: [roles/viewer]}]",
     "service account `nobody` is not declared for this project"),
    ("grants: [{member: writers, roles: [viewer]}]", "`viewer` is not an IAM role"),
    ("grants: [{member: bob@example.com, roles: [roles/viewer]}]",
     "`bob@example.com` is not an IAM member"),
    ("grants: [{member: writers, roles: [roles/viewer], on: gcr}]",
     "unknown grant target `gcr`"),
    ("grants: [{member: writers, role: [roles/viewer]}]", "unknown key `role` in a grant"),
    ("gcb_builder: {pool: k8s-infra-prow-build}",
     "`gcb_builder` needs the key `workload_identity_pool`"),
    ("service_accounts: {sa: {display_name: x}}", "service account id `sa` has 2 characters"),
    ("service_accounts: {image-pusher: {workload_identity: [test-pods/pusher]}}",
     "`test-pods/pusher` is not a workload identity"),
    ("service_accounts: {image-pusher: {display_name: [1]}}",
     "`display_name` must be a string, found a list"),
    ("profile: gcb-untrusted\n        grants: [{member: writers, roles: [roles/viewer]}]",
     "profile `gcb-untrusted` has no writer group"),
    ("profile: gcb-untrusted\n        grants: [{member: allUsers, on: repository,"
     " roles: [roles/artifactregistry.reader]}]",
     "profile `gcb-untrusted` has no repository"),
    ("grants: [{member: serviceAccount:prow-build@k8s-infra-prow-build.iam.gserviceaccount.com,"
     " roles: [roles/viewer]},"
     " {member: serviceAccount:prow-build@other-project.iam.gserviceaccount.com,"
     " roles: [roles/viewer]}]",
     "would share the resource name `project-viewer-serviceaccount-prow-build`"),
    ("sevices: [compute.googleapis.com]",
     "unknown key `sevices` in project `k8s-staging-kwok` (hint: did you mean `services`?)"),
]  # fmt: skip


def with_options(checkout: Path, project: str, options: str) -> None:
    infra_yaml = checkout / "infra" / "infra.yaml"
    text = infra_yaml.read_text()
    needle = f"      {project}:\n"
    assert needle in text
    infra_yaml.write_text(text.replace(needle, f"{needle}        {options}\n", 1))


@pytest.mark.parametrize(("options", "message"), BROKEN_OPTIONS, ids=[m for _, m in BROKEN_OPTIONS])
def test_broken_staging_options_are_refused(
    checkout_copy: Path, cli: CliRunner, options: str, message: str
) -> None:
    with_options(checkout_copy, "k8s-staging-kwok", options)
    result = invoke(cli, "--root", str(checkout_copy), "validate")
    assert result.exit_code == 1, result.output
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert any(message in line for line in errors), errors
    assert all(line.startswith("infra/infra.yaml:") for line in errors), errors
    assert "Traceback" not in result.output


def test_a_repeated_grant_is_a_warning(checkout_copy: Path, cli: CliRunner) -> None:
    with_options(checkout_copy, "k8s-staging-kwok",
                 "grants: [{member: writers, roles: [roles/viewer]}]")  # fmt: skip
    result = invoke(cli, "--root", str(checkout_copy), "validate")
    assert result.exit_code == 0, result.output
    assert re.search(r"infra/infra.yaml:\d+:\d+: warning: `roles/viewer` for "
                     r"`group:k8s-infra-staging-kwok@kubernetes.io` on project is granted twice",
                     result.stderr)  # fmt: skip


def test_a_staging_project_must_carry_the_prefix(checkout_copy: Path, cli: CliRunner) -> None:
    infra_yaml = checkout_copy / "infra" / "infra.yaml"
    infra_yaml.write_text(infra_yaml.read_text().replace("k8s-staging-kwok:", "kwok-staging:"))
    result = invoke(cli, "--root", str(checkout_copy), "validate")
    assert result.exit_code == 1
    assert "staging project `kwok-staging` must be named `k8s-staging-<name>`" in result.stderr


def test_stack_settings_are_checked(checkout_copy: Path, cli: CliRunner) -> None:
    stack = checkout_copy / "stacks" / "Pulumi.staging.yaml"
    stack.write_text(stack.read_text().replace("    logs_bucket:", "    log_bucket:"))
    result = invoke(cli, "--root", str(checkout_copy), "validate")
    assert result.exit_code == 1
    assert ("stacks/Pulumi.staging.yaml:11:5: error: unknown key `log_bucket` in "
            "`k8s-infra:staging` (hint: did you mean `logs_bucket`?)") in result.stderr  # fmt: skip
    assert ("stacks/Pulumi.staging.yaml:9:3: error: `k8s-infra:staging` needs the key "
            "`logs_bucket` (hint: set `logs_bucket`: bucket receiving the access logs of each "
            "staging bucket)") in result.stderr  # fmt: skip


# -- changes against a base --------------------------------------------------


@pytest.fixture
def small_repo(git_checkout: Callable[..., Path]) -> Path:
    return git_checkout(trim_staging)


def test_adding_and_removing_projects_against_the_base(small_repo: Path, cli: CliRunner) -> None:
    declare_writer_group(small_repo, "newcomer")
    infra_yaml = small_repo / "infra" / "infra.yaml"
    infra_yaml.write_text(infra_yaml.read_text().replace(
        "      k8s-staging-zeitgeist:\n", "      k8s-staging-newcomer:\n"))  # fmt: skip
    result = invoke(cli, "--root", str(small_repo), "plan", "staging", "--base", "HEAD", "--json")
    assert result.exit_code == 0, result.output
    diff = json.loads(result.stdout)
    assert {"stack", "base", "create", "update", "delete"} <= set(diff)  # values are added
    assert diff["update"] == []
    created = Counter(urn.split("::")[2].split("$")[-1] for urn in diff["create"])
    assert created == STANDARD_TYPES + Counter({"k8s-infra:staging:StagingProject": 1})
    assert all("k8s-staging-newcomer" in urn for urn in diff["create"])
    # the groups stack gains the group; that is another stack's plan
    deleted = {d["urn"]: d["protect"] for d in diff["delete"]}
    assert all("k8s-staging-zeitgeist" in urn for urn in deleted)
    protected = [urn for urn, protect in deleted.items() if protect]
    assert [u.split("::")[-1] for u in protected] == ["k8s-staging-zeitgeist-project"]


def test_diff_output_names_protected_and_kept_resources(small_repo: Path, cli: CliRunner) -> None:
    infra_yaml = small_repo / "infra" / "infra.yaml"
    infra_yaml.write_text(infra_yaml.read_text().replace("      k8s-staging-zeitgeist:\n", ""))
    result = invoke(cli, "--root", str(small_repo), "plan", "staging", "--base", "HEAD")
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert "  - k8s-staging-zeitgeist › Project project  [protected: `pulumi up` will fail]" in (
        lines
    )
    for kept in ("Repository images", "Bucket bucket", "Bucket gcb-bucket"):
        assert f"  - k8s-staging-zeitgeist › {kept}  [kept in the cloud: retain_on_delete]" in (
            lines
        ), kept
    assert "stack staging against " in result.stderr and ": 40 to delete" in result.stderr


def test_every_writer_group_must_be_declared(checkout_copy: Path, cli: CliRunner) -> None:
    infra_yaml = checkout_copy / "infra" / "infra.yaml"
    text = infra_yaml.read_text()
    infra_yaml.write_text(
        text.replace("      k8s-staging-kwok:\n",
                     "      k8s-staging-kwok:\n      k8s-staging-orphan:\n")
        .replace("kueue: {writers: [group:k8s-infra-staging-kueue@kubernetes.io]}",
                 "kueue: {writers: [group:k8s-infra-staging-queue@kubernetes.io]}")
    )  # fmt: skip
    result = invoke(cli, "--root", str(checkout_copy), "validate")
    assert result.exit_code == 1, result.output
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    line = text.splitlines().index("      k8s-staging-kwok:") + 2
    assert errors[1] == (
        f"infra/infra.yaml:{line}:7: error: group `k8s-infra-staging-orphan@kubernetes.io` is "
        "not declared under groups/ (hint: declare it in a groups.yaml under groups/ and allow "
        "it in groups/restrictions.yaml; a grant to a missing group fails when applied)"
    )
    assert any("group `k8s-infra-staging-queue@kubernetes.io` is not declared under groups/ "
               "(hint: did you mean `k8s-infra-staging-kueue@kubernetes.io`?)" in e
               for e in errors), errors  # fmt: skip


def test_a_base_that_cannot_be_planned_says_which_commit(
    git_checkout: Callable[..., Path], cli: CliRunner
) -> None:
    def broken(repo: Path) -> None:
        trim_staging(repo)
        infra_yaml = repo / "infra" / "infra.yaml"
        infra_yaml.write_text(infra_yaml.read_text().replace("k8s-staging-kwok:", "k8s_kwok:"))

    repo = git_checkout(broken)
    infra_yaml = repo / "infra" / "infra.yaml"
    infra_yaml.write_text(infra_yaml.read_text().replace("k8s_kwok:", "k8s-staging-kwok:"))
    result = invoke(cli, "--root", str(repo), "plan", "staging", "--base", "HEAD")
    assert result.exit_code == 1, result.output
    assert re.search(r"error: plan of stack `staging` at [0-9a-f]{12} failed", result.stderr)
    assert "project id `k8s_kwok` may hold only lowercase letters" in result.stderr


def test_a_bad_item_is_reported_at_its_own_position(checkout_copy: Path, cli: CliRunner) -> None:
    with_options(checkout_copy, "k8s-staging-kwok", "services: [42, compute]")
    result = invoke(cli, "--root", str(checkout_copy), "validate")
    line = checkout_copy.joinpath("infra", "infra.yaml").read_text().splitlines().index(
        "        services: [42, compute]") + 1  # fmt: skip
    assert (f"infra/infra.yaml:{line}:20: error: an item of `services` must be a non-empty "
            "string, found a number (42)") in result.stderr  # fmt: skip
    assert (f"infra/infra.yaml:{line}:24: error: `services`: `compute` is not an API service "
            "name") in result.stderr  # fmt: skip


def test_an_unknown_profile_does_not_hide_other_problems(
    checkout_copy: Path, cli: CliRunner
) -> None:
    with_options(checkout_copy, "k8s-staging-kwok", "profile: tiny\n        services: [compute]")
    result = invoke(cli, "--root", str(checkout_copy), "validate")
    assert result.exit_code == 1
    assert "error: profile `tiny` is not one of" in result.stderr
    assert "error: `services`: `compute` is not an API service name" in result.stderr


def test_a_service_with_a_trailing_newline_is_refused(checkout_copy: Path, cli: CliRunner) -> None:
    """Every check matches the whole value: YAML's "\\n" is not part of a service name."""
    with_options(checkout_copy, "k8s-staging-kwok", 'services: ["compute.googleapis.com\\n"]')
    result = invoke(cli, "--root", str(checkout_copy), "validate")
    assert result.exit_code == 1, result.output
    line = checkout_copy.joinpath("infra", "infra.yaml").read_text().splitlines().index(
        '        services: ["compute.googleapis.com\\n"]') + 1  # fmt: skip
    # the newline is shown escaped: the problem stays on one line
    assert (f"infra/infra.yaml:{line}:20: error: `services`: `compute.googleapis.com\\n` is not "
            "an API service name") in result.stderr  # fmt: skip


# -- the profiles data file ----------------------------------------------------

BROKEN_PROFILES = [
    ("    writer_group: true\n    repository: true\n", "writer_group:", "writer_groups:",
     5, "unknown key `writer_groups` in profile `standard` (hint: did you mean `writer_group`?)"),
    ("      - member: writers\n        on: buckets\n", "on:", "onn:",
     9, "unknown key `onn` in a grant (hint: did you mean `on`?)"),
    ("refused_services:\n", "refused_services:", "refused_service:",
     1, "unknown top-level key `refused_service` (hint: did you mean `refused_services`?)"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("needle", "old", "new", "col", "message"), BROKEN_PROFILES, ids=[b[2] for b in BROKEN_PROFILES]
)
def test_a_misspelled_key_in_the_profiles_file_is_reported_at_its_line(
    tmp_path: Path, needle: str, old: str, new: str, col: int, message: str
) -> None:
    text = PROFILES_PATH.read_text()
    assert needle in text
    copy = tmp_path / "staging-profiles.yaml"
    copy.write_text(text.replace(needle, needle.replace(old, new), 1))
    line = text[: text.index(needle)].count("\n") + 1 + needle[: needle.index(old)].count("\n")
    with pytest.raises(ProblemsFound) as raised:
        _profiles_file(copy)
    assert f"{copy}:{line}:{col}: error: {message}" in [p.format() for p in raised.value.problems]


def test_the_profiles_file_of_the_package_is_named_by_its_repository_path() -> None:
    loaded = _profiles_file()
    assert loaded is _profiles_file()  # read once
    assert set(loaded.profiles) == {"standard", "gcb-untrusted"}
    assert (
        loaded.profiles["standard"].grants[0].member_at.path == "infra/data/staging-profiles.yaml"
    )
