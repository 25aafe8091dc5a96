"""The `staging-images` stack: the shared registries and their neighbours."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from infra.core import names
from tests.conftest import REPO, invoke
from tests.inventory import assert_inventory, load_inventory, resources_under

INVENTORIES = sorted((Path(__file__).parent / "inventories").glob("*.yaml"))
assert INVENTORIES, "found no files"


@pytest.fixture(scope="module")
def plan(repo_plan: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
    return repo_plan("staging-images")


def registries() -> dict[str, Any]:
    data = yaml.safe_load((REPO / "infra" / "infra.yaml").read_text())
    return data["infra"]["staging-images"]["projects"]["k8s-staging-images"]["registries"]


@pytest.mark.parametrize("inventory", INVENTORIES, ids=lambda p: p.stem)
def test_inventory(plan: dict[str, Any], inventory: Path) -> None:
    expected = load_inventory(inventory)
    assert_inventory(plan, expected, component=expected["component"])


def test_every_registry_has_its_repository_writers_and_build_account(plan: dict[str, Any]) -> None:
    named = {r["name"]: r for r in resources_under(plan, "k8s-staging-images")}
    declared = registries()
    assert declared, "no registry declared in infra.yaml"
    for registry, body in declared.items():
        repository = named[f"k8s-staging-images-{registry}"]
        assert repository["inputs"]["repositoryId"] == registry
        dry_run = (body or {}).get("cleanup") == "dry-run"
        assert repository["inputs"]["cleanupPolicyDryRun"] is dry_run, registry
        account = named[f"k8s-staging-images-{registry}-build-account"]
        assert account["inputs"]["accountId"] == f"{registry[:27]}-sa"
        writers = {r["inputs"]["member"] for r in named.values()
                   if r["type"].endswith("RepositoryIamMember")
                   and r["inputs"]["repository"] == registry
                   and r["inputs"]["role"] == "roles/artifactregistry.writer"}  # fmt: skip
        assert writers == {*body["writers"], "serviceAccount:" + names.service_account_email(
            f"{registry[:27]}-sa", "k8s-staging-images")}  # fmt: skip


def test_viewers_are_exactly_the_registry_writers(plan: dict[str, Any]) -> None:
    viewer = next(r for r in plan["resources"] if r["name"] == "k8s-staging-images-iam-viewer")
    expected = sorted({w for body in registries().values() for w in body["writers"]})
    assert viewer["inputs"]["members"] == expected
    assert viewer["type"] == "gcp:projects/iAMBinding:IAMBinding"


def test_registry_outputs(plan: dict[str, Any]) -> None:
    outputs = plan["outputs"]["stagingRegistries"]
    assert (
        outputs["k8s-staging-images/kueue"] == "us-central1-docker.pkg.dev/k8s-staging-images/kueue"
    )
    assert (
        outputs["k8s-staging-kubernetes/gcr.io"]
        == "us-docker.pkg.dev/k8s-staging-kubernetes/gcr.io"
    )


BROKEN = [
    ("          Bad_Name: {writers: [group:a@kubernetes.io]}",
     "`Bad_Name` is not a valid registry name"),
    ("          ab: {writers: [group:a@kubernetes.io]}",
     "registry `ab` would get the build account `ab-sa`"),
    ("          gateway-api-inference-extension-two: {writers: [group:a@kubernetes.io]}",
     "registries `gateway-api-inference-extension-two` and `gateway-api-inference-extension` "
     "would share the build account `gateway-api-inference-exten-sa`"),
    ("          extra: {writers: [group:a@kubernetes.io], cleanup: sometimes}",
     "cleanup `sometimes` is not one of `delete`, `dry-run`, `none`"),
    ("          extra: {writer: [group:a@kubernetes.io]}",
     "unknown key `writer` in registry `extra` (hint: did you mean `writers`?)"),
    ("          extra: {writers: [a@kubernetes.io]}", "`a@kubernetes.io` is not an IAM member"),
    ("          extra: {writers: [user:alice@a.example.com, user:alice@b.example.com]}",
     "`user:alice@b.example.com` and `user:alice@a.example.com` would share a resource name"),
]  # fmt: skip


@pytest.mark.parametrize(("line", "message"), BROKEN, ids=[m for _, m in BROKEN])
def test_broken_registries_are_refused(
    checkout_copy: Path, cli: CliRunner, line: str, message: str
) -> None:
    infra_yaml = checkout_copy / "infra" / "infra.yaml"
    text = infra_yaml.read_text()
    anchor = "        registries:\n          agent-sandbox:"
    assert anchor in text
    infra_yaml.write_text(
        text.replace(anchor, f"        registries:\n{line}\n          agent-sandbox:")
    )
    result = invoke(cli, "--root", str(checkout_copy), "validate")
    assert result.exit_code == 1, result.output
    errors = [x for x in result.stderr.splitlines() if ": error: " in x]
    assert any(message in x and x.startswith("infra/infra.yaml:") for x in errors), errors


def test_every_problem_of_a_registry_is_reported_at_once(
    checkout_copy: Path, cli: CliRunner
) -> None:
    """A bad name keeps the registry out of the model, but its other fields are still read."""
    registry = "          Bad_Name: {writers: [a@kubernetes.io], cleanup: sometimes}"
    infra_yaml = checkout_copy / "infra" / "infra.yaml"
    text = infra_yaml.read_text()
    anchor = "        registries:\n          agent-sandbox:"
    infra_yaml.write_text(
        text.replace(anchor, f"        registries:\n{registry}\n          agent-sandbox:")
    )
    line = text[: text.index(anchor)].count("\n") + 2
    result = invoke(cli, "--root", str(checkout_copy), "validate")
    assert result.exit_code == 1, result.output
    errors = [x for x in result.stderr.splitlines() if ": error: " in x]
    at = f"infra/infra.yaml:{line}:"
    for col, message in [
        (registry.index("Bad_Name") + 1, "`Bad_Name` is not a valid registry name"),
        (registry.index("a@") + 1, "`a@kubernetes.io` is not an IAM member"),
        (registry.index("sometimes") + 1, "cleanup `sometimes` is not one of"),
    ]:
        assert any(e.startswith(f"{at}{col}: error: {message}") for e in errors), (message, errors)


@pytest.fixture
def repo_copy(git_checkout: Callable[..., Path]) -> Path:
    return git_checkout()


def test_adding_a_registry_creates_exactly_its_resources(repo_copy: Path, cli: CliRunner) -> None:
    infra_yaml = repo_copy / "infra" / "infra.yaml"
    text = infra_yaml.read_text()
    anchor = "        registries:\n          agent-sandbox:"
    # an existing writer group: the authoritative viewer binding is unchanged
    infra_yaml.write_text(text.replace(
        anchor,
        "        registries:\n"
        "          kind-tools: {writers: [group:k8s-infra-staging-kind@kubernetes.io]}\n"
        "          agent-sandbox:"))  # fmt: skip
    result = invoke(cli, "--root", str(repo_copy), "plan", "staging-images", "--base", "HEAD",
                    "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    diff = json.loads(result.stdout)
    assert diff["update"] == [] and diff["delete"] == []
    created = Counter(urn.split("::")[2].split("$")[-1] for urn in diff["create"])
    assert created == Counter({
        "gcp:artifactregistry/repository:Repository": 1,
        "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember": 3,
        "gcp:serviceaccount/account:Account": 1,
        "gcp:serviceaccount/iAMMember:IAMMember": 2,
    })  # fmt: skip
    assert all("kind-tools" in urn for urn in diff["create"])
