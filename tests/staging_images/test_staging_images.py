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
    found: dict[str, Any] = data["infra"]["staging-images"]["projects"]["k8s-staging-images"][
        "registries"
    ]
    return found


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


# The registries and writer groups of registries.tf@5828930, the Terraform
# root the stack replaces (builds-sa.yaml@5828930 lists the same names).
UPSTREAM_REGISTRIES = {
    "agentic-net": "k8s-infra-staging-agentic-net",
    "agent-sandbox": "k8s-infra-staging-agent-sandbox",
    "aws-encryption-provider": "k8s-infra-staging-provider-aws",
    "charts": "k8s-infra-release-admins", "cloud-provider-kind": "k8s-infra-staging-kind",
    "contributor-site": "k8s-infra-staging-contributor-site",
    "cluster-capacity": "k8s-infra-staging-cluster-capacity",
    "cluster-inventory-api": "k8s-infra-staging-cluster-inv-api", "dns": "k8s-infra-staging-dns",
    "dra-driver-cpu": "k8s-infra-staging-dra-driver-cpu",
    "dra-example-driver": "k8s-infra-staging-dra-example-driver",
    "dra-driver-nvidia": "k8s-infra-staging-dra-driver-nvidia",
    "dra-driver-google": "k8s-infra-staging-dra-driver-google", "etcd": "k8s-infra-staging-etcd",
    "etcd-manager": "k8s-infra-staging-etcd-manager",
    "gateway-api": "k8s-infra-staging-gateway-api", "headlamp": "k8s-infra-staging-headlamp",
    "inference-perf": "k8s-infra-staging-inference-perf",
    "infra-tools": "k8s-infra-staging-infra-tools",
    "ingress-nginx": "k8s-infra-staging-ingress-nginx", "ingate": "k8s-infra-staging-ingate",
    "jobset": "k8s-infra-staging-jobset", "karpenter-cluster-api": "karpenter-cluster-api-leads",
    "kind": "k8s-infra-staging-kind", "kro": "k8s-infra-staging-kro",
    "kubespray": "k8s-infra-staging-kubespray", "kubemark": "sig-scalability-leads",
    "kubernetes": "k8s-infra-staging-kubernetes", "kueue": "k8s-infra-staging-kueue",
    "lws": "k8s-infra-staging-lws", "maintainer-tools": "k8s-infra-staging-maintainer-tools",
    "mcp-lifecycle-operator": "k8s-infra-staging-mcp-lifecycle-op",
    "minikube": "k8s-infra-staging-minikube", "node-readiness-controller": "k8s-infra-staging-nrc",
    "resource-state-metrics": "k8s-infra-staging-resource-state-met",
    "gateway-api-inference-extension": "sig-apps-leads",
    "secrets-store-sync": "k8s-infra-staging-secrets-store-sync",
    "test-infra": "k8s-infra-staging-test-infra", "csi-vsphere": "k8s-infra-staging-csi-vsphere",
}  # fmt: skip
SHIM = "serviceAccount:gcb-builder@k8s-infra-prow-build-trusted.iam.gserviceaccount.com"
POOL = (
    "principal://iam.googleapis.com/projects/180382678033/locations/global/"
    "workloadIdentityPools/k8s-infra-prow-build-trusted.svc.id.goog/subject/ns/test-pods/sa/"
)


def test_the_registries_are_upstreams(plan: dict[str, Any]) -> None:
    repositories = {
        r["inputs"]["repositoryId"]: r
        for r in resources_under(plan, "k8s-staging-images")
        if r["type"] == "gcp:artifactregistry/repository:Repository"
    }
    assert sorted(repositories) == sorted(UPSTREAM_REGISTRIES)
    for name, group in UPSTREAM_REGISTRIES.items():
        assert registries()[name]["writers"] == [f"group:{group}@kubernetes.io"], name
        # labels as upstream: a repository without them would be updated on adoption
        assert repositories[name]["inputs"]["labels"] == {"environment": "production", "name": name}
        assert "description" not in repositories[name]["inputs"], name


def test_build_accounts_are_exactly_upstreams(plan: dict[str, Any]) -> None:
    """Display name, one authoritative serviceAccountUser binding, nothing else on the account."""
    resources = resources_under(plan, "k8s-staging-images")
    accounts = {r["inputs"]["accountId"]: r for r in resources
                if r["type"] == "gcp:serviceaccount/account:Account"}  # fmt: skip
    assert len(accounts) == len(UPSTREAM_REGISTRIES)
    on_accounts = [r for r in resources if r["type"].startswith("gcp:serviceaccount/iAM")]
    assert {r["type"] for r in on_accounts} == {"gcp:serviceaccount/iAMBinding:IAMBinding"}
    bindings = {r["inputs"]["serviceAccountId"]: r["inputs"] for r in on_accounts}
    for name in UPSTREAM_REGISTRIES:
        account_id = f"{name[:27]}-sa"
        assert accounts[account_id]["inputs"]["displayName"] == f"Build SA for {name}"
        email = names.service_account_email(account_id, "k8s-staging-images")
        binding = bindings[f"projects/k8s-staging-images/serviceAccounts/{email}"]
        assert binding["role"] == "roles/iam.serviceAccountUser"
        assert sorted(binding["members"]) == sorted([SHIM, POOL + name])


def test_project_bindings_are_upstreams(plan: dict[str, Any]) -> None:
    """iam.tf: editor is the shared builder alone, and no other role is bound."""
    bindings = {r["inputs"]["role"]: r["inputs"]["members"]
                for r in resources_under(plan, "k8s-staging-images")
                if r["type"] == "gcp:projects/iAMBinding:IAMBinding"}  # fmt: skip
    assert sorted(bindings) == ["roles/cloudbuild.builds.editor", "roles/owner", "roles/viewer"]
    assert bindings["roles/cloudbuild.builds.editor"] == [SHIM]
    assert bindings["roles/owner"] == ["group:k8s-infra-release-admins@kubernetes.io"]
    groups = sorted({f"group:{g}@kubernetes.io" for g in UPSTREAM_REGISTRIES.values()})
    assert bindings["roles/viewer"] == groups


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
    ("          extra: {writers: [group:a@kubernetes.io], labels: {Team: a}}",
     "`Team` is not a label key"),
    ("          extra: {writers: [group:a@kubernetes.io], labels: {team: A Team}}",
     "`A Team` is not a label value"),
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
        "gcp:serviceaccount/iAMBinding:IAMBinding": 1,
    })  # fmt: skip
    assert all("kind-tools" in urn for urn in diff["create"])


@pytest.mark.plan
def test_a_writer_group_in_another_case_is_planned_in_lowercase(
    checkout_copy: Path, cli: CliRunner
) -> None:
    """IAM, like Google Groups, stores addresses in lowercase: the plan writes that form."""
    infra_yaml = checkout_copy / "infra" / "infra.yaml"
    text = infra_yaml.read_text()
    written = "kueue: {writers: [group:k8s-infra-staging-kueue@kubernetes.io]}"
    assert written in text
    infra_yaml.write_text(
        text.replace(written, written.replace("k8s-infra-staging-kueue", "K8s-Infra-Staging-Kueue"))
    )
    result = invoke(cli, "--root", str(checkout_copy), "validate")
    assert result.exit_code == 0, result.output
    assert (
        "warning: member `group:K8s-Infra-Staging-Kueue@kubernetes.io` has uppercase letters; "
        "it is planned as `group:k8s-infra-staging-kueue@kubernetes.io`"
    ) in result.stderr
    planned = invoke(
        cli, "--root", str(checkout_copy), "plan", "staging-images", "--json", "--no-cache"
    )
    assert planned.exit_code == 0, planned.output
    members = {
        r["inputs"].get("member")
        for r in json.loads(planned.stdout)["resources"]
        if "kueue" in r["name"] and "member" in r["inputs"]
    }
    assert "group:k8s-infra-staging-kueue@kubernetes.io" in members
    addresses = [m.partition(":")[2] for m in members if m and ":" in m]
    assert addresses and all(a == a.lower() for a in addresses), addresses
