"""`k8s-infra groups validate`, and the groups tree inside `k8s-infra validate`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from infra.catalog import stack_schema
from infra.catalog.validation import find_stack_building, load_declarations, load_stack
from infra.cli.validate import CatalogDeclarations
from infra.core.problems import Position, Problems
from infra.declarations.stacks import parse_settings
from infra.groups.commands.run import load_inputs
from infra.groups.loader import GROUPS_COMPONENT, groups_location, load_declared_groups
from infra.groups.model import GroupsTree
from tests.conftest import REPO, invoke
from tests.groups.tree import problem_lines

BROKEN = """\
groups:
  - email-id: k8s-infra-staging-kind@kubernetes.io
    name: k8s-infra-staging-kind
    settings:
      ReconcileMembers: true
"""
BROKEN_LINE = (
    "groups/sig-testing/groups.yaml:5:25: error: setting `ReconcileMembers` is the YAML boolean "
    'true; the API takes the string "true" (hint: quote it: `ReconcileMembers: "true"`)'
)


def break_a_file(checkout: Path) -> None:
    (checkout / "groups" / "sig-testing" / "groups.yaml").write_text(BROKEN, encoding="utf-8")


def test_help(cli: CliRunner) -> None:
    result = invoke(cli, "groups", "--help")
    assert result.exit_code == 0, result.output
    assert "Google Groups: validate, diff and sync" in result.stdout
    assert "validate" in result.stdout
    result = invoke(cli, "groups", "validate", "--help")
    assert result.exit_code == 0, result.output
    assert "Examples" in result.stdout
    assert "k8s-infra groups validate" in result.stdout
    assert "--estate-checks" in result.stdout


def test_the_shipped_tree_is_valid(cli: CliRunner) -> None:
    result = invoke(cli, "--root", str(REPO), "groups", "validate")
    assert result.exit_code == 0, result.output
    assert problem_lines(result.stderr) == []
    assert "valid: 130 group(s), 0 warning(s)" in result.stderr
    assert result.stdout == ""


def test_errors_exit_1_with_problem_lines_on_stderr(cli: CliRunner, checkout_copy: Path) -> None:
    break_a_file(checkout_copy)
    result = invoke(cli, "--root", str(checkout_copy), "groups", "validate")
    assert result.exit_code == 1, result.output
    assert problem_lines(result.stderr) == [BROKEN_LINE]
    assert "1 error(s), 0 warning(s)" in result.stderr
    assert result.stdout == ""


def test_json_goes_to_stdout(cli: CliRunner, checkout_copy: Path) -> None:
    break_a_file(checkout_copy)
    result = invoke(cli, "--root", str(checkout_copy), "groups", "validate", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "problems": [
            {
                "path": "groups/sig-testing/groups.yaml",
                "line": 5,
                "col": 25,
                "severity": "error",
                "message": "setting `ReconcileMembers` is the YAML boolean true; the API takes "
                'the string "true"',
                "hint": 'quote it: `ReconcileMembers: "true"`',
            }
        ]
    }
    clean = invoke(cli, "--root", str(REPO), "groups", "validate", "--json")
    assert clean.exit_code == 0
    assert json.loads(clean.stdout) == {"problems": []}


def test_validate_checks_the_groups_tree_too(cli: CliRunner, checkout_copy: Path) -> None:
    break_a_file(checkout_copy)
    result = invoke(cli, "--root", str(checkout_copy), "validate")
    assert result.exit_code == 1, result.output
    assert BROKEN_LINE in problem_lines(result.stderr)


def test_declarations_hold_the_groups_tree() -> None:
    problems = Problems()
    declarations = load_declarations(REPO, problems)
    assert declarations is not None
    tree = declarations.model(GROUPS_COMPONENT, GroupsTree)
    assert tree is not None
    assert tree.find("k8s-infra-release-admins@kubernetes.io") is not None
    assert [p.format() for p in problems] == []


def write_groups_stack(checkout: Path, groups: str, domain: str = "kubernetes.io") -> None:
    (checkout / "stacks" / "Pulumi.groups.yaml").write_text(
        f"config:\n  k8s-infra:components: [groups]\n  k8s-infra:domain: {domain}\n"
        f"  k8s-infra:groups:\n    root: {groups}\n",
        encoding="utf-8",
    )


def test_the_groups_stack_names_the_folder(cli: CliRunner, checkout_copy: Path) -> None:
    shutil.move(checkout_copy / "groups", checkout_copy / "people")
    write_groups_stack(checkout_copy, "groups")
    result = invoke(cli, "--root", str(checkout_copy), "groups", "validate")
    assert result.exit_code == 1
    assert problem_lines(result.stderr)[0].startswith("groups:1:1: error: groups folder not found")
    write_groups_stack(checkout_copy, "people")
    for command in (["groups", "validate"], ["validate"]):
        result = invoke(cli, "--root", str(checkout_copy), *command)
        assert result.exit_code == 0, result.output
    (checkout_copy / "groups" / "sig-testing").mkdir(parents=True)
    break_a_file(checkout_copy)  # the default folder is not read any more
    result = invoke(cli, "--root", str(checkout_copy), "groups", "validate")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("folder", "problem"),
    [
        ("../elsewhere", ": `../elsewhere` is not a folder inside the checkout"),
        ("/srv/groups", ": `/srv/groups` is not a folder inside the checkout"),
        ("''", " must be a non-empty string, found a string ('')"),
        ("[groups]", " must be a non-empty string, found a list"),
    ],
)
def test_the_folder_must_stay_inside_the_checkout(
    cli: CliRunner, checkout_copy: Path, folder: str, problem: str
) -> None:
    write_groups_stack(checkout_copy, folder)
    result = invoke(cli, "--root", str(checkout_copy), "groups", "validate")
    assert result.exit_code == 1
    (line,) = problem_lines(result.stderr)
    assert line.startswith(
        f"stacks/Pulumi.groups.yaml:5:5: error: `k8s-infra:groups` root{problem}"
    )


def test_the_domain_comes_from_the_groups_stack(cli: CliRunner, checkout_copy: Path) -> None:
    write_groups_stack(checkout_copy, "groups", domain="k8s.test")
    result = invoke(cli, "--root", str(checkout_copy), "groups", "validate")
    assert result.exit_code == 1
    assert "is outside the `k8s.test` domain" in problem_lines(result.stderr)[0]


def test_a_checkout_without_groups_or_groups_stack_has_no_tree(
    cli: CliRunner, checkout_copy: Path
) -> None:
    shutil.rmtree(checkout_copy / "groups")
    (checkout_copy / "stacks" / "Pulumi.groups.yaml").unlink()
    problems = Problems()
    declarations = load_declarations(checkout_copy, problems)
    assert declarations is not None
    assert declarations.model(GROUPS_COMPONENT, GroupsTree) is None
    assert not any(p.position.path.startswith("groups") for p in problems)
    result = invoke(cli, "--root", str(checkout_copy), "groups", "validate")
    assert result.exit_code == 1
    assert "groups folder not found" in result.stderr


def rename_groups_stack(checkout: Path, name: str, old: str = "", new: str = "") -> Path:
    """Move the groups stack to ``stacks/Pulumi.<name>.yaml``, replacing ``old`` by ``new``."""
    stack = checkout / "stacks" / f"Pulumi.{name}.yaml"
    source = checkout / "stacks" / "Pulumi.groups.yaml"
    stack.write_text(source.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    source.unlink()
    return stack


def test_the_groups_stack_is_the_one_building_groups_whatever_its_name(
    cli: CliRunner, checkout_copy: Path
) -> None:
    shutil.move(checkout_copy / "groups", checkout_copy / "people")
    rename_groups_stack(checkout_copy, "workspace", "root: groups", "root: people")
    result = invoke(cli, "--root", str(checkout_copy), "groups", "validate")
    assert result.exit_code == 0, result.output
    assert "valid: 130 group(s), 0 warning(s)" in result.stderr
    result = invoke(cli, "--root", str(checkout_copy), "validate")
    assert result.exit_code == 0, result.output
    inputs = load_inputs(
        checkout_copy, CatalogDeclarations()
    )  # what `groups diff` and `groups sync` act on
    assert (inputs.tree.root, len(inputs.tree.groups)) == ("people", 130)
    assert inputs.access.service_account.startswith("gsuite-groups-manager@")


def test_a_stack_named_groups_that_does_not_build_them_is_not_the_groups_stack(
    cli: CliRunner, checkout_copy: Path
) -> None:
    (checkout_copy / "stacks" / "Pulumi.groups.yaml").write_text(
        "config:\n  k8s-infra:components: []\n  k8s-infra:domain: k8s.test\n"
        "  k8s-infra:groups:\n    root: people\n",
        encoding="utf-8",
    )
    result = invoke(cli, "--root", str(checkout_copy), "groups", "validate")
    assert result.exit_code == 0, result.output  # the defaults: groups/, kubernetes.io
    assert "valid: 130 group(s), 0 warning(s)" in result.stderr
    assert load_inputs(checkout_copy, CatalogDeclarations()).tree.root == "groups"


def test_a_groups_stack_of_any_name_needs_its_folder(cli: CliRunner, checkout_copy: Path) -> None:
    shutil.rmtree(checkout_copy / "groups")
    rename_groups_stack(checkout_copy, "workspace")
    problems = Problems()
    settings = load_stack(checkout_copy, "workspace", problems)
    assert load_declared_groups(checkout_copy, settings, problems) is None
    assert [p.message for p in problems] == ["groups folder not found"]
    result = invoke(cli, "--root", str(checkout_copy), "validate")
    assert result.exit_code == 1
    assert "groups:1:1: error: groups folder not found" in result.stderr


def test_without_a_groups_stack_the_defaults_apply(cli: CliRunner, checkout_copy: Path) -> None:
    (checkout_copy / "stacks" / "Pulumi.groups.yaml").unlink()
    result = invoke(cli, "--root", str(checkout_copy), "groups", "validate")
    assert result.exit_code == 0, result.output
    assert "valid: 130 group(s), 0 warning(s)" in result.stderr
    assert find_stack_building(checkout_copy, GROUPS_COMPONENT, Problems()) is None


def test_the_groups_component_defaults_its_domain(cli: CliRunner, checkout_copy: Path) -> None:
    stack = checkout_copy / "stacks" / "Pulumi.groups.yaml"
    text = stack.read_text(encoding="utf-8")
    stack.write_text(text.replace("  k8s-infra:domain: kubernetes.io\n", ""), encoding="utf-8")
    assert "k8s-infra:domain" not in stack.read_text(encoding="utf-8")
    for command in (["groups", "validate"], ["validate"]):
        result = invoke(cli, "--root", str(checkout_copy), *command)
        assert result.exit_code == 0, result.output
    problems = Problems()
    assert groups_location(
        find_stack_building(checkout_copy, GROUPS_COMPONENT, problems), problems
    ) == (
        "groups",
        "kubernetes.io",
    )
    help_text = invoke(cli, "groups", "validate", "--help").stdout
    assert "default kubernetes.io" in " ".join(help_text.split())


def test_the_staging_component_still_needs_a_domain() -> None:
    problems = Problems()
    parse_settings(
        "staging", {"components": ["staging"]}, lambda _key: Position("s"), problems, stack_schema()
    )
    messages = [p.message for p in problems]
    assert "component `staging` needs config key `k8s-infra:domain`" in messages
    problems = Problems()
    parse_settings(
        "groups", {"components": ["groups"]}, lambda _key: Position("g"), problems, stack_schema()
    )
    assert [p.format() for p in problems] == []
