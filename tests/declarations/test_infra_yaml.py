"""infra/infra.yaml: the shipped file, the upstream file, and a corpus of broken ones.

Each broken fixture ``tests/fixtures/infra-yaml/NAME.yaml`` sits beside
``NAME.expect``, the exact problem lines ``k8s-infra validate`` must print.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from infra.core.located_yaml import load_yaml
from infra.core.problems import Problems
from infra.declarations.estate import load_estate
from infra.declarations.facts import load_facts
from tests.conftest import FIXTURES, REPO, invoke

CORPUS = sorted((FIXTURES / "infra-yaml").glob("*.yaml"))
assert CORPUS, "found no files"
UPSTREAM = FIXTURES / "upstream" / "infra.yaml"


def problem_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ": error: " in line or ": warning: " in line]


def test_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 15


@pytest.mark.parametrize("fixture", CORPUS, ids=lambda p: p.stem)
def test_broken_infra_yaml_is_refused_with_file_line_and_message(
    fixture: Path, checkout_copy: Path, cli: CliRunner
) -> None:
    shutil.copy(fixture, checkout_copy / "infra" / "infra.yaml")
    result = invoke(cli, "--root", str(checkout_copy), "validate")
    expected = fixture.with_suffix(".expect").read_text(encoding="utf-8").splitlines()
    assert result.exit_code == 1, result.output
    assert problem_lines(result.stderr) == expected
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_shipped_infra_yaml_is_clean(cli: CliRunner) -> None:
    result = invoke(cli, "--root", str(REPO), "validate")
    assert result.exit_code == 0, result.output
    assert problem_lines(result.stderr) == []


def test_upstream_infra_yaml_loads_with_its_two_irregularities(
    checkout_copy: Path, cli: CliRunner
) -> None:
    shutil.copy(UPSTREAM, checkout_copy / "infra" / "infra.yaml")
    result = invoke(cli, "--root", str(checkout_copy), "validate")
    assert result.exit_code == 0, result.output
    lines = problem_lines(result.stderr)
    assert len(lines) == 2, lines
    assert lines[0].startswith("infra/infra.yaml:281:28: warning: project `k8s-infra-purgatory`")
    assert lines[1].startswith("infra/infra.yaml:286:7: warning: project `k8s-release-test-prod`")


def test_upstream_facts_are_kept_in_the_shipped_file() -> None:
    """Every upstream section and project is declared, in the same section."""
    problems = Problems()
    shipped = load_estate(REPO, load_facts(), problems)
    assert shipped is not None
    document = load_yaml(UPSTREAM, "upstream", Problems())
    assert document is not None
    for section, body in document.data["infra"].items():
        assert section in shipped.sections
        for project in body["projects"]:
            assert project in shipped.sections[section].projects, (section, project)


def test_json_problems(checkout_copy: Path, cli: CliRunner) -> None:
    shutil.copy(
        FIXTURES / "infra-yaml" / "unknown-project-key.yaml", checkout_copy / "infra" / "infra.yaml"
    )
    result = invoke(cli, "--root", str(checkout_copy), "validate", "--json")
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["problems"]
    assert problems == [
        {
            "path": "infra/infra.yaml",
            "line": 5,
            "col": 9,
            "severity": "error",
            "message": "unknown key `managed-by` in project `kubernetes-public`",
            "hint": "did you mean `managed_by`?",
        }
    ]


def test_missing_and_non_file_infra_yaml(checkout_copy: Path, cli: CliRunner) -> None:
    target = checkout_copy / "infra" / "infra.yaml"
    target.unlink()
    target.mkdir()
    result = invoke(cli, "--root", str(checkout_copy), "validate")
    assert result.exit_code == 1
    assert problem_lines(result.stderr) == [
        "infra/infra.yaml:1:1: error: not a regular file: a directory "
        "(hint: `infra/infra.yaml` must be a YAML file)"
    ]
    target.rmdir()
    result = invoke(cli, "--root", str(checkout_copy), "validate")
    assert result.exit_code == 1
    assert "infra/infra.yaml:1:1: error: file not found" in result.stderr
