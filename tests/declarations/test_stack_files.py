"""Stack files and the project file have one reader: bounded, positioned, refusing
what YAML would silently accept."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra import catalog
from infra.core.problems import Problems
from infra.declarations.stacks import (
    UnreadableStackFile,
    load_stack_settings,
    read_project,
    stack_config,
)
from tests.conftest import REPO


def _stack(root: Path, text: str) -> Path:
    (root / "stacks").mkdir(exist_ok=True)
    (root / "stacks" / "Pulumi.demo.yaml").write_text(text)
    return root


def test_the_config_mapping_as_written_provider_keys_included(tmp_path: Path) -> None:
    root = _stack(tmp_path, 'config:\n  aws:region: us-east-2\n  aws:allowedAccountIds: ["1"]\n')
    assert dict(stack_config(root, "demo")) == {
        "aws:region": "us-east-2",
        "aws:allowedAccountIds": ["1"],
    }


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("config: [not, a, mapping]\n", "`config` must be a mapping"),
        ("config:\n  aws:region: a\n  aws:region: b\n", "duplicate key `aws:region`"),
        ("- a list\n", "a stack file must be a mapping with `config`"),
    ],
)
def test_an_unusable_stack_file_names_its_first_problem(
    tmp_path: Path, text: str, problem: str
) -> None:
    root = _stack(tmp_path, text)
    with pytest.raises(UnreadableStackFile, match=problem):
        stack_config(root, "demo")


def test_settings_keep_the_file_they_were_read_from(tmp_path: Path) -> None:
    root = _stack(tmp_path, 'config:\n  aws:allowedAccountIds: ["7"]\n  k8s-infra:components: []\n')
    found = load_stack_settings(root, "demo", Problems(), catalog.stack_schema())
    assert found is not None and found.source is not None
    assert found.source.config["aws:allowedAccountIds"] == ["7"]
    assert found.source.document.key_at("config", "aws:allowedAccountIds").line == 2


def test_the_project_file_gives_the_program_the_stack_folder_and_the_backend() -> None:
    problems = Problems()
    project = read_project(REPO / "Pulumi.yaml", problems)
    assert [p.format() for p in problems] == []
    assert (project.name, project.main, project.stack_config_dir) == (
        "k8s-infra",
        "infra/",
        "stacks",
    )
    assert project.attributes["backend"] == {"url": "gs://k8s-infra-pulumi-state"}


def test_an_unreadable_project_file_gives_pulumi_s_defaults_and_a_problem(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("- name: a\n")
    problems = Problems()
    project = read_project(tmp_path / "Pulumi.yaml", problems)
    assert (project.name, project.main, project.stack_config_dir) == ("project", ".", ".")
    assert [p.format() for p in problems] == [
        "Pulumi.yaml:1:1: error: the project file must be a mapping"
    ]


def test_a_duplicate_key_in_the_project_file_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: a\nname: b\n")
    problems = Problems()
    read_project(tmp_path / "Pulumi.yaml", problems)
    assert [p.message for p in problems] == ["duplicate key `name` (first defined on line 1)"]
