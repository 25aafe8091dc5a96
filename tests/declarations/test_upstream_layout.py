"""`--root` accepts a kubernetes/k8s.io checkout as upstream lays it out.

Upstream keeps the estate in infra/gcp/infra.yaml and the groups under
groups/, and has no stack files or registry data: this code's are used.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from infra.declarations.layout import estate_file, stacks_root
from infra.declarations.stacks import stack_names
from tests.conftest import REPO, declare_writer_group, invoke


def upstream_checkout(tmp_path: Path) -> Path:
    checkout = tmp_path / "k8s.io"
    (checkout / "infra" / "gcp").mkdir(parents=True)
    shutil.copy(REPO / "infra" / "infra.yaml", checkout / "infra" / "gcp" / "infra.yaml")
    shutil.copytree(REPO / "groups", checkout / "groups")
    return checkout


def test_the_layout_is_recognised(tmp_path: Path) -> None:
    checkout = upstream_checkout(tmp_path)
    assert estate_file(checkout) == "infra/gcp/infra.yaml"
    assert stacks_root(checkout) == REPO
    assert stack_names(checkout) == stack_names(REPO)
    assert estate_file(REPO) == "infra/infra.yaml"
    assert stacks_root(REPO) == REPO


@pytest.mark.e2e
def test_validate_and_plan_read_the_upstream_checkout(tmp_path: Path, cli: CliRunner) -> None:
    checkout = upstream_checkout(tmp_path)
    result = invoke(cli, "--root", str(checkout), "validate")
    assert result.exit_code == 0, result.output
    # the groups come from the checkout: one more group there is one more resource
    declare_writer_group(checkout, "upstream-only")
    result = invoke(cli, "--root", str(checkout), "plan", "groups", "--json")
    assert result.exit_code == 0, result.output
    emails = {r["inputs"].get("email") for r in json.loads(result.stdout)["resources"]}
    assert "k8s-infra-staging-upstream-only@kubernetes.io" in emails


def test_problems_name_the_upstream_file(tmp_path: Path, cli: CliRunner) -> None:
    checkout = upstream_checkout(tmp_path)
    estate = checkout / "infra" / "gcp" / "infra.yaml"
    estate.write_text(estate.read_text() + "unknown_section: {}\n")
    result = invoke(cli, "--root", str(checkout), "validate")
    assert result.exit_code == 1, result.output
    assert "infra/gcp/infra.yaml:" in result.stderr
