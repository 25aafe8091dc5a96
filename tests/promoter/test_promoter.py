"""`promoter new` and `promoter validate`, with upstream's manifests as the corpus."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml
from typer.testing import CliRunner

from tests.conftest import FIXTURES, REPO, invoke

CORPUS = FIXTURES / "promoter" / "registry.k8s.io"
PROMOTER = "k8s-infra-gcr-promoter@k8s-artifacts-prod.iam.gserviceaccount.com"


def validate(cli: CliRunner, tree: Path, root: Path = REPO, *extra: str) -> object:
    return invoke(cli, "--root", str(root), "promoter", "validate", str(tree), *extra)


def errors(result: object) -> list[str]:
    return [line for line in result.stderr.splitlines() if ": error: " in line]  # type: ignore[attr-defined]


def test_upstream_manifests_pass_but_the_one_with_20_regions(cli: CliRunner) -> None:
    result = validate(cli, CORPUS)
    assert result.exit_code == 1, result.output
    assert errors(result) == [
        "manifests/k8s-staging-kwok/promoter-manifest.yaml:2:1: error: destinations of `kwok` "
        "lack 2 serving region(s): europe-west10, europe-west3 (hint: add one destination per "
        "serving region; every manifest gains a new region)"
    ]
    assert "manifests/k8s-staging-kwok/promoter-manifest.yaml:3:9: warning: source " in (
        result.stderr
    )  # a per-project Container Registry address: declared, but retired
    assert "1 error(s), 1 warning(s)" in result.stderr


def test_the_others_are_clean(cli: CliRunner, tmp_path: Path) -> None:
    tree = tmp_path / "registry.k8s.io"
    shutil.copytree(CORPUS, tree)
    shutil.rmtree(tree / "manifests" / "k8s-staging-kwok")
    result = validate(cli, tree, REPO, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"problems": []}
    assert "valid: 5 manifest(s), 0 warning(s)" in result.stderr


def test_new_writes_what_upstream_has_for_kueue(cli: CliRunner, tmp_path: Path) -> None:
    result = invoke(cli, "--root", str(REPO), "promoter", "new", "kueue", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    ours = yaml.safe_load((tmp_path / "manifests/k8s-staging-kueue/promoter-manifest.yaml")
                          .read_text())  # fmt: skip
    theirs = yaml.safe_load((CORPUS / "manifests/k8s-staging-kueue/promoter-manifest.yaml")
                            .read_text())  # fmt: skip

    def key(entry: dict[str, object]) -> str:
        return str(entry["name"])

    assert sorted(ours["registries"], key=key) == sorted(theirs["registries"], key=key)
    assert ours["imagesPath"] == theirs["imagesPath"]
    assert (tmp_path / "images/k8s-staging-kueue/OWNERS").is_file()
    checked = validate(cli, tmp_path)
    assert checked.exit_code == 0, checked.output


def test_new_prints_the_files_on_stdout(cli: CliRunner) -> None:
    result = invoke(cli, "--root", str(REPO), "promoter", "new", "k8s-staging-kueue")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("--- manifests/k8s-staging-kueue/promoter-manifest.yaml\n")
    assert result.stdout.count(f"    service-account: {PROMOTER}\n") == 22
    assert "--- images/k8s-staging-kueue/images.yaml\n" in result.stdout


def test_new_refuses_an_undeclared_source_and_existing_files(
    cli: CliRunner, tmp_path: Path
) -> None:
    result = invoke(cli, "--root", str(REPO), "promoter", "new", "not-declared")
    assert result.exit_code == 2, result.output
    assert "source `us-central1-docker.pkg.dev/k8s-staging-images/not-declared` is not a " in (
        result.stderr
    )
    shutil.copytree(CORPUS, tmp_path, dirs_exist_ok=True)
    again = invoke(cli, "--root", str(REPO), "promoter", "new", "kueue", "--out", str(tmp_path))
    assert again.exit_code == 2, again.output
    assert "already exists; nothing was written" in again.stderr


def test_a_new_serving_region_is_missing_from_every_manifest(
    cli: CliRunner, checkout_copy: Path, tmp_path: Path
) -> None:
    """The new-region runbook: every manifest gains the region, and validate proves it."""
    data = checkout_copy / "infra/data/registry/artifact-registry.yaml"
    text = data.read_text().replace("    - us-west2\n", "    - us-west2\n    - us-west3\n")
    data.write_text(text.replace("    - us-west3\n    - us-west4\n", "    - us-west4\n"))
    result = validate(cli, CORPUS, checkout_copy)
    assert result.exit_code == 1, result.output
    lacking = [line for line in errors(result) if "us-west3" in line]
    assert len(lacking) == 7  # six manifests, kubernetes' twice (root and /kubernetes)
    tree = tmp_path / "fresh"
    made = invoke(cli, "--root", str(checkout_copy), "promoter", "new", "kueue", "--out", str(tree))
    assert made.exit_code == 0, made.output
    assert validate(cli, tree, checkout_copy).exit_code == 0


def broken_tree(tmp_path: Path) -> Path:
    tree = tmp_path / "broken"
    manifest = tree / "manifests/k8s-staging-widget/promoter-manifest.yaml"
    manifest.parent.mkdir(parents=True)
    manifest.write_text(
        "registries:\n"
        "- name: docker.io/widget/widget\n"
        "  src: true\n"
        "- name: us-central1-docker.pkg.dev/k8s-staging-images/kueue\n"
        "  src: true\n"
        "- name: us-east1-docker.pkg.dev/k8s-artifacts-prod/images/widget\n"
        "  service-account: someone@example.com\n"
        "- name: me-west1-docker.pkg.dev/k8s-artifacts-prod/images/widget\n"
        f"  service-account: {PROMOTER}\n"
        "- name: gcr.io/k8s-artifacts-prod/widget\n"
        f"  service-account: {PROMOTER}\n"
    )
    images = tree / "images/k8s-staging-widget/images.yaml"
    images.parent.mkdir(parents=True)
    images.write_text(
        "- name: widget\n"
        "  dmap:\n"
        '    "sha256:abc": ["v1"]\n'
        '    "sha256:' + "a" * 64 + '": ["latest", "v2"]\n'
    )
    return tree


def test_every_broken_rule_is_reported_at_its_line(cli: CliRunner, tmp_path: Path) -> None:
    result = validate(cli, broken_tree(tmp_path))
    assert result.exit_code == 1, result.output
    manifest = "manifests/k8s-staging-widget/promoter-manifest.yaml"
    images = "images/k8s-staging-widget/images.yaml"
    found = [line.split(" (hint")[0] for line in errors(result)]
    assert found == [
        f"{images}:3:5: error: `sha256:abc` is not a digest",
        f"{images}:4:5: error: image `widget` tags `latest`",
        f"{manifest}:1:1: error: a manifest needs exactly one source (`src: true`), found 2",
        f"{manifest}:1:1: error: destinations of `widget` lack 21 serving region(s): "
        "asia-east1, asia-northeast1, asia-northeast2, asia-south1, australia-southeast1, "
        "europe-north1, europe-southwest1, europe-west1, europe-west10, europe-west2, "
        "europe-west3, europe-west4, europe-west8, europe-west9, southamerica-west1, "
        "us-central1, us-east4, us-east5, us-south1, us-west1, us-west2",
        f"{manifest}:7:20: error: destination `us-east1-docker.pkg.dev/k8s-artifacts-prod/"
        "images/widget` must be written by the promoter account, found `someone@example.com`",
        f"{manifest}:8:9: error: destination `me-west1-docker.pkg.dev/k8s-artifacts-prod/"
        "images/widget` is in `me-west1`, not a serving region",
        f"{manifest}:10:9: error: destination `gcr.io/k8s-artifacts-prod/widget` is not a "
        "production mirror",
    ]


def test_a_folder_without_manifests_is_refused(cli: CliRunner, tmp_path: Path) -> None:
    result = validate(cli, tmp_path)
    assert result.exit_code == 1, result.output
    assert "manifests:1:1: error: no manifests/<folder>/promoter-manifest.yaml found" in (
        result.stderr
    )
