"""`promoter new` and `promoter validate`, with upstream's manifests as the corpus."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner, Result

from tests.conftest import FIXTURES, REPO, invoke

CORPUS = FIXTURES / "promoter" / "registry.k8s.io"
PROMOTER = "k8s-infra-gcr-promoter@k8s-artifacts-prod.iam.gserviceaccount.com"


def validate(cli: CliRunner, tree: Path, root: Path = REPO, *extra: str) -> Result:
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


def copy_of_corpus(tmp_path: Path) -> Path:
    tree = tmp_path / "registry.k8s.io"
    shutil.copytree(CORPUS, tree)
    shutil.rmtree(tree / "manifests" / "k8s-staging-kwok")  # the one with 20 regions
    return tree


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_owners_name_the_writers_or_the_approvers_and_the_sig(
    cli: CliRunner, tmp_path: Path
) -> None:
    shown = invoke(cli, "--root", str(REPO), "promoter", "new", "kueue")
    assert shown.exit_code == 0, shown.output
    owners = shown.stdout.split("--- images/k8s-staging-kueue/OWNERS\n", 1)[1]
    parsed = yaml.safe_load(owners)
    assert parsed["approvers"] == ["kueue-maintainer-1@example.com",
                                   "kueue-maintainer-2@example.com"]  # fmt: skip
    assert parsed["labels"] == ["sig/scheduling"]
    given = invoke(cli, "--root", str(REPO), "promoter", "new", "k8s-staging-kueue",
                   "--approvers", "tenzen-y", "--approvers", "mimowo")  # fmt: skip
    assert given.exit_code == 0, given.output
    parsed = yaml.safe_load(given.stdout.split("--- images/k8s-staging-kueue/OWNERS\n", 1)[1])
    assert parsed == {"approvers": ["tenzen-y", "mimowo"], "reviewers": [],
                      "labels": ["sig/scheduling"]}  # fmt: skip
    # upstream's OWNERS for kueue has the same label
    assert yaml.safe_load((CORPUS / "images/k8s-staging-kueue/OWNERS").read_text())["labels"] == [
        "sig/scheduling"
    ]


@pytest.mark.parametrize(
    "name",
    ["../../escape", "kueue/../../x", "kueue\nsrc: true", "", "k8s-staging-", "a" * 5000,
     "kueue\x1b[31m", " kueue"],
)  # fmt: skip
def test_new_refuses_names_that_break_the_name_rule(
    cli: CliRunner, tmp_path: Path, name: str
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    result = invoke(cli, "--root", str(REPO), "promoter", "new", name, "--out", str(out))
    assert result.exit_code == 2, result.output
    assert "error: `" in result.stderr
    assert list(tmp_path.rglob("*")) == [out]  # nothing written, inside --out or beside it
    assert len(result.stderr) < 600  # a long name is not echoed whole
    assert "\x1b" not in result.stderr


def test_the_name_rule_is_the_same_for_staging_new_and_ensure(
    cli: CliRunner, checkout_copy: Path
) -> None:
    for command in (("staging", "new"), ("staging", "ensure")):
        for name in ("../x", "x\ny", "b" * 3000):
            extra = ("--dir", "sig-testing") if command[1] == "new" else ()
            result = invoke(cli, "--root", str(checkout_copy), *command, name, *extra)
            assert result.exit_code == 2, (command, name, result.output)
            assert "is not a staging name" in result.stderr or "characters; a staging name" in (
                result.stderr
            )
            assert len(result.stderr) < 600


def test_validate_checks_what_the_promoter_would_trust(cli: CliRunner, tmp_path: Path) -> None:
    tree = copy_of_corpus(tmp_path)
    kueue = tree / "manifests/k8s-staging-kueue/promoter-manifest.yaml"
    edit(kueue, "k8s-artifacts-prod/images/kueue\n", "k8s-artifacts-prod/images/kwok\n")
    agentic = tree / "manifests/k8s-staging-agentic-net/promoter-manifest.yaml"
    edit(agentic, "k8s-artifacts-prod/images/agentic-net\n", "k8s-artifacts-prod/images\n")
    edit(agentic, 'imagesPath: "../../images/k8s-staging-agentic-net/images.yaml"',
         "imagesPath: [1, 2]")  # fmt: skip
    mcp = tree / "manifests/k8s-staging-mcp-lifecycle-operator/promoter-manifest.yaml"
    edit(mcp, 'imagesPath: "../../images/k8s-staging-mcp-lifecycle-operator/images.yaml"',
         'imagesPath: "../../../../outside.yaml"')  # fmt: skip
    images = tree / "images/k8s-staging-kueue/images.yaml"
    edit(images, '["v0.11.3"]', '["v0.11.4"]')
    edit(images, "- name: kueue\n", "- name: ../../evil\n  dmap: {}\n- name: kueue\n")
    result = validate(cli, tree)
    assert result.exit_code == 1, result.output
    found = [re.sub(r":\d+:\d+:", ":", line.split(" (hint")[0]) for line in errors(result)]
    assert found == [
        "images/k8s-staging-kueue/images.yaml: error: `../../evil` is not an image name",
        "images/k8s-staging-kueue/images.yaml: error: image `kueue` tags `v0.11.4` on two "
        "digests (sha256:d9e487ade75db13f367e1a071bef4ff5fa608c7ea696e8f60836af8af22b89a9 and "
        "sha256:094b3d068aadcf76ff75bb04e8d01502cfa4a85488f5fd1131f1c8d18e5a082d)",
        "manifests/k8s-staging-agentic-net/promoter-manifest.yaml: error: destinations of "
        "`agentic-net` lack 1 serving region(s): asia-east1",
        "manifests/k8s-staging-agentic-net/promoter-manifest.yaml: error: destination "
        "`asia-east1-docker.pkg.dev/k8s-artifacts-prod/images` publishes into `(the root "
        "folder)`, not into `agentic-net`, the folder of k8s-staging-agentic-net",
        "manifests/k8s-staging-agentic-net/promoter-manifest.yaml: error: `imagesPath` must "
        "be a path (a string)",
        "manifests/k8s-staging-kueue/promoter-manifest.yaml: error: destinations of `kueue` "
        "lack 1 serving region(s): asia-east1",
        "manifests/k8s-staging-kueue/promoter-manifest.yaml: error: destination "
        "`asia-east1-docker.pkg.dev/k8s-artifacts-prod/images/kwok` publishes into `kwok`, not "
        "into `kueue`, the folder of k8s-staging-kueue",
        "manifests/k8s-staging-mcp-lifecycle-operator/promoter-manifest.yaml: error: "
        "`imagesPath` points outside the promoter's tree: `../../../../outside.yaml`",
    ]
    # kubernetes publishes at the root folder, as upstream: no problem there
    assert "k8s-staging-kubernetes" not in result.stderr


def test_validate_one_manifest_folder_alone(cli: CliRunner, tmp_path: Path) -> None:
    tree = copy_of_corpus(tmp_path)
    broken = tree / "manifests/k8s-staging-agentic-net/promoter-manifest.yaml"
    broken.write_text("registries: [\n")
    other = tree / "images/k8s-staging-mcp-lifecycle-operator/images.yaml"
    other.write_text("- name: UPPER\n  dmap: {}\n")
    whole = validate(cli, tree)
    assert whole.exit_code == 1
    assert [line.split(":", 1)[0] for line in errors(whole)] == [  # both, neither hides the other
        "images/k8s-staging-mcp-lifecycle-operator/images.yaml",
        "manifests/k8s-staging-agentic-net/promoter-manifest.yaml",
    ]
    alone = validate(cli, tree / "manifests/k8s-staging-kueue")
    assert alone.exit_code == 0, alone.output
    assert "valid: 1 manifest(s), 0 warning(s)" in alone.stderr
    assert validate(cli, tree / "manifests/k8s-staging-agentic-net").exit_code == 1
    file = validate(cli, tree / "manifests/k8s-staging-kueue/promoter-manifest.yaml")
    assert file.exit_code == 0, file.output


def test_new_writes_all_three_files_or_none(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:

    out = tmp_path / "registry.k8s.io"
    out.mkdir()
    renamed: list[str] = []
    real_replace = os.replace

    def fail_third(source: str, target: Path) -> None:
        renamed.append(str(target))
        if len(renamed) == 3:
            raise OSError(28, "No space left on device")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", fail_third)
    result = invoke(cli, "--root", str(REPO), "promoter", "new", "kueue", "--out", str(out))
    assert result.exit_code == 1, result.output
    assert "could not write images/k8s-staging-kueue/OWNERS: " in result.stderr
    assert "nothing was changed" in result.stderr
    assert list(out.rglob("*")) == []  # neither files nor the folders made for them
