"""The PR summary of realistic changes, each a commit on a git copy of this repository
planned against its parent: an archeio digest bump, a mass public-write mistake, a
moved registry location, a new open group and a hostile group description.

Each summary is rendered as GitHub renders Markdown (CommonMark) and read back.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from infra.review.summary import LIMIT
from tests.cli.test_ci_scripts import run
from tests.conftest import REPO, declare_writer_group, git, invoke, only_stacks, trim_staging
from tests.review.rendered import read

pytestmark = pytest.mark.plan

OLD_DIGEST = "f5e8d7537c0e5cac6e4ef2a5a376cb91ee85426ba8d01c3bae5f9195f31b63da"
NEW_DIGEST = "1111222233334444555566667777888899990000aaaabbbbccccddddeeeeffff"
PROD_STACK = "stacks/Pulumi.registry-prod.yaml"


def edit(repo: Path, path: str, old: str, new: str) -> None:
    file = repo / path
    text = file.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    file.write_text(text.replace(old, new), encoding="utf-8")


def commit(repo: Path, message: str) -> tuple[str, str]:
    """Commit every change; (base, head) commit ids."""
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)
    return git(repo, "rev-parse", "HEAD~1"), git(repo, "rev-parse", "HEAD")


def summary_of(cli: CliRunner, repo: Path, stack: str, *flags: str) -> str:
    result = invoke(cli, "--root", str(repo), "plan", stack, "--base", "HEAD~1",
                    "--format", "markdown", *flags)  # fmt: skip
    assert result.exit_code == 0, result.output
    return str(result.stdout)


def digest_bump(repo: Path) -> tuple[str, str]:
    edit(repo, PROD_STACK, f"archeio:v20261001-v0.8.0@sha256:{OLD_DIGEST}",
         f"archeio:v20261201-v0.8.1@sha256:{NEW_DIGEST}")  # fmt: skip
    return commit(repo, "registry-prod: archeio v0.8.1")


def test_a_digest_bump_shows_both_images_once_for_the_22_services(
    git_checkout: Callable[..., Path], cli: CliRunner
) -> None:
    repo = git_checkout(trim_staging)
    base, head = digest_bump(repo)
    summary = summary_of(cli, repo, "all")
    first = f"## Offline plan of `{head[:12]}` against base `{base[:12]}`\n"
    assert summary.startswith(first)
    # the reviewer's page shows this summary (its commit ids aside)
    readme = (REPO / "docs" / "reviewer.md").read_text(encoding="utf-8")
    marker = "<!-- the summary of a digest bump: tests/review/test_scenarios.py checks it -->"
    shown = readme.split(marker, 1)[1].split("````markdown\n", 1)[1].split("````\n", 1)[0]
    assert re.match(r"## Offline plan of `[0-9a-f]{12}` against base `[0-9a-f]{12}`\n", shown)
    assert shown.split("\n", 1)[1] == summary.removeprefix(first)
    image = "us-central1-docker.pkg.dev/k8s-staging-images/infra-tools/archeio"
    # the tag only documents: the services run the digest
    leaf = (f"    template.containers[0].image: {image}@sha256:{OLD_DIGEST} "
            f"→ {image}@sha256:{NEW_DIGEST}\n")  # fmt: skip
    assert summary.count(leaf) == 1  # the 22 services change alike: shown once, counted
    assert "~ 22 × Service\n" in summary
    assert "#   registry-proxy-archeio › Service us-west2\n" in summary
    assert "| `registry-prod` | 0 | 22 | 0 | 0 |  |" in summary
    assert "### Dangerous changes" not in summary
    rendered = read(summary)
    assert OLD_DIGEST in rendered.text() and NEW_DIGEST in rendered.text()
    # the picture: one box for the 22 alike
    (picture,) = re.findall(r"```mermaid\n(.*?)```", summary, re.S)
    assert re.findall(r'\["([^"]*)"\]', picture) == ["registry-prod · registry-proxy",
                                                     "Service ×22<br/>update"]  # fmt: skip


def add_public_write(repo: Path) -> None:
    """The mistake: a grant meant for one project pasted into every project of the section."""
    infra_yaml = repo / "infra" / "infra.yaml"
    head, rest = infra_yaml.read_text(encoding="utf-8").split("  staging:\n", 1)
    section, separator, tail = rest.partition("\n  staging-images:")
    grant = (
        "        grants: [{member: allUsers, on: buckets, roles: [roles/storage.objectAdmin]}, "
        "{member: allUsers, on: repository, roles: [roles/artifactregistry.writer]}]"
    )
    lines = section.split("\n")
    out: list[str] = []
    for index, line in enumerate(lines):
        out.append(line)
        if re.fullmatch(r"      k8s-staging-[a-z0-9-]+:", line):
            block = []
            for below in lines[index + 1 :]:
                if not below.startswith("        "):
                    break
                block.append(below)
            if not any(b.startswith("        grants:") for b in block):
                out.append(grant)
    infra_yaml.write_text(head + "  staging:\n" + "\n".join(out) + separator + tail)


def test_a_mass_public_write_is_split_into_comments_with_each_finding_once(
    git_checkout: Callable[..., Path], tmp_path: Path
) -> None:
    repo = git_checkout(only_stacks("staging"))  # the stack the grants are written for
    add_public_write(repo)
    commit(repo, "staging: grants")
    posted = tmp_path / "posted.log"
    poster = tmp_path / "post"
    poster.write_text(f'#!/bin/sh\nprintf "%s %s\\n" "$1" "$(wc -c < "$1")" >> {posted}\n')
    poster.chmod(poster.stat().st_mode | stat.S_IXUSR)
    artifacts = tmp_path / "artifacts"
    os.environ["POST_COMMENT"] = str(poster)
    try:
        done = run("pr-check.sh", repo, artifacts, "HEAD~1")
    finally:
        del os.environ["POST_COMMENT"]
    assert done.returncode == 1, done.stderr
    pages = sorted(artifacts.glob("summary*.md"), key=lambda p: (len(p.name), p.name))
    assert [p.name for p in pages][:2] == ["summary.md", "summary-2.md"]
    texts = [p.read_text(encoding="utf-8") for p in pages]
    assert all(len(text) <= LIMIT for text in texts), [len(t) for t in texts]
    # every page posted, in order
    logged = [line.split()[0] for line in posted.read_text().splitlines()]
    assert logged == [str(p) for p in pages]
    first = texts[0]
    # dangers first, each finding once: 89 projects x 3 grants, one line per kind
    assert first.index("### Dangerous changes") < first.index("### `staging`")
    whole = "\n".join(texts)
    assert whole.count("### Dangerous changes") == 1
    bucket_line = re.findall(r"- :x: `staging`: (\d+) × `BucketIAMMember`: `grants allUsers "
                             r"role roles/storage.objectAdmin; \[public-grants\]",
                             whole)  # fmt: skip
    repository_line = re.findall(r"- :x: `staging`: (\d+) × `RepositoryIamMember`: `grants "
                                 r"allUsers role roles/artifactregistry.writer",
                                 whole)  # fmt: skip
    stacks = {
        d["stack"]: d for d in json.loads((artifacts / "plan-diff.json").read_text())["stacks"]
    }
    created = stacks["staging"]["created"]
    buckets = sum(1 for c in created if c["type"] == "gcp:storage/bucketIAMMember:BucketIAMMember")
    assert bucket_line == [str(buckets)] and buckets > 150
    assert repository_line == [str(len(created) - buckets)]
    # every created resource is in the details with every input, on some page
    for resource in created:
        assert f"+ {resource['name']}\n" in whole, resource["name"]
    for page in texts:
        rendered = read(page)
        assert rendered.tags.count("details") == page.count("<details>")
    assert "_Continued in `summary-2.md` (page 2 of" in first


def test_moving_every_staging_repository_is_refused_and_shown_alike(
    git_checkout: Callable[..., Path], cli: CliRunner
) -> None:
    repo = git_checkout(trim_staging)
    edit(repo, "stacks/Pulumi.staging.yaml", "repository_location: us-central1",
         "repository_location: us-east1")  # fmt: skip
    commit(repo, "staging: repositories to us-east1")
    result = invoke(cli, "--root", str(repo), "plan", "staging", "--base", "HEAD~1",
                    "--format", "markdown", "--strict")  # fmt: skip
    assert result.exit_code == 1, result.output
    summary = result.stdout
    assert re.search(r"- :x: `staging`: 3 × `Repository`: `replaces a Repository \(location: "
                     r"us-central1 → us-east1\): the old one stays in the cloud",
                     summary)  # fmt: skip
    assert "-/+ 3 × Repository  (replaced: location)  [kept on delete: the old one stays in " in (
        summary
    )
    assert "    location: us-central1 → us-east1\n" in summary
    assert "#   k8s-staging-kwok › Repository images\n" in summary
    assert summary.index("### Dangerous changes") < summary.index("### `staging`")
    assert "error: --strict: 3 change(s)" in result.stderr


def test_a_new_open_group_shows_every_setting_and_is_listed_first(
    git_checkout: Callable[..., Path], cli: CliRunner
) -> None:
    repo = git_checkout(trim_staging)
    declare_writer_group(repo, "opengroup")
    edit(repo, "groups/sig-testing/groups.yaml", '      ReconcileMembers: "true"\n'
         "    members:\n      - opengroup-maintainer@example.com\n",
         '      ReconcileMembers: "true"\n      WhoCanJoin: "ANYONE_CAN_JOIN"\n'
         "    members:\n      - opengroup-maintainer@example.com\n")  # fmt: skip
    commit(repo, "groups: opengroup")
    summary = summary_of(cli, repo, "groups")
    address = "k8s-infra-staging-opengroup@kubernetes.io"
    assert re.search(rf"- :warning: `groups`: `groups › GoogleGroup {re.escape(address)}`: "
                     r"`sets whoCanJoin: ANYONE_CAN_JOIN`", summary)  # fmt: skip
    assert "    settings.whoCanJoin: ANYONE_CAN_JOIN\n" in summary
    assert "    settings.whoCanViewMembership: ALL_MANAGERS_CAN_VIEW\n" in summary
    assert '    members: ["opengroup-maintainer@example.com"]\n' in summary


HOSTILE = (
    "Write access\n```````\n</details>\n<!-- hide\n- :white_check_mark: FORGED "
    "all checks passed\n\u001b[2K\rFORGED terminal line"
)


def test_a_hostile_description_hides_nothing_and_forges_no_line(
    git_checkout: Callable[..., Path], cli: CliRunner
) -> None:
    repo = git_checkout(trim_staging)
    edit(repo, "groups/sig-testing/groups.yaml",
         "      Write access to the k8s-staging-boskos staging project\n",
         f"      {json.dumps(HOSTILE)}\n".replace("      ", "      ", 1))  # fmt: skip
    edit(repo, "groups/sig-testing/groups.yaml", "    description: |-\n      \"Write",
         '    description:\n      "Write')  # fmt: skip
    edit(
        repo,
        "groups/sig-testing/groups.yaml",
        "      - boskos-maintainer-2@example.com\n",
        "      - boskos-maintainer-2@example.com\n      - boskos-intruder@example.com\n",
    )
    commit(repo, "groups: boskos")
    summary = summary_of(cli, repo, "groups")
    rendered = read(summary)
    assert "members: + boskos-intruder@example.com" in rendered.text()
    assert "FORGED" not in rendered.outside_code()
    assert rendered.comments == []
    assert rendered.tags.count("details") == summary.count("<details>") == 1
    # the terminal: one line per change, the description's controls shown escaped
    result = invoke(cli, "--root", str(repo), "plan", "groups", "--base", "HEAD~1")
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert "      members: + boskos-intruder@example.com" in lines
    assert not any(line.lstrip().startswith(("FORGED", "- :white", "</details>")) for line in lines)
    assert "\x1b" not in result.stderr and "\\u001b[2K\\rFORGED terminal line" in result.stderr
