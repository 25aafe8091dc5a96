"""The import-path trap and the layering rules, checked on the source itself."""

from __future__ import annotations

import ast
import importlib.metadata
import sys
from pathlib import Path

import yaml

from tests.conftest import REPO

PACKAGE = REPO / "infra"
STACKS = {"staging", "staging-images", "groups", "registry-mirrors", "registry-sandbox",
          "registry-prod"}  # fmt: skip


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def imported_names(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, 0) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append((node.module or "", node.level))
    return found


def test_main_and_every_module_import_absolutely() -> None:
    """The language host puts infra/ itself on sys.path: relative imports would break."""
    main = PACKAGE / "__main__.py"
    assert any(name.startswith("infra.") for name, _ in imported_names(main))
    for path in modules():
        relative = [name for name, level in imported_names(path) if level > 0]
        assert not relative, f"{path.relative_to(REPO)} imports relatively: {relative}"


def test_no_module_shadows_a_stdlib_or_installed_one() -> None:
    taken = set(sys.stdlib_module_names) | set(importlib.metadata.packages_distributions())
    for entry in PACKAGE.iterdir():
        name = entry.stem if entry.suffix == ".py" else entry.name
        if entry.name.startswith(("_", ".")) or not (entry.suffix == ".py" or entry.is_dir()):
            continue
        assert name not in taken, f"infra/{entry.name} would shadow the `{name}` module"


def test_models_import_nothing_from_pulumi() -> None:
    for path in sorted((PACKAGE / "models").rglob("*.py")):
        for name, _level in imported_names(path):
            assert not name.startswith("pulumi"), f"{path.relative_to(REPO)} imports {name}"


def test_project_file_and_requirements() -> None:
    project = yaml.safe_load((REPO / "Pulumi.yaml").read_text())
    assert project["name"] == "k8s-infra"
    assert project["main"] == "infra/"
    assert project["stackConfigDir"] == "stacks"
    assert project["runtime"]["name"] == "python"
    assert project["runtime"]["options"]["virtualenv"] == ".venv"
    assert (REPO / "requirements.txt").read_text().split() == ["-e", "."]


def test_the_six_stacks_exist() -> None:
    found = {p.name.removeprefix("Pulumi.").removesuffix(".yaml")
             for p in (REPO / "stacks").glob("Pulumi.*.yaml")}  # fmt: skip
    assert found == STACKS


def test_components_never_look_at_the_stack_name() -> None:
    """Stack config picks components; the stack's name never does."""
    for folder in ("components", "models"):
        for path in sorted((PACKAGE / folder).rglob("*.py")):
            assert "get_stack" not in path.read_text(encoding="utf-8"), path


def test_every_component_a_stack_may_name_has_a_builder() -> None:
    from infra.declarations.stacks import COMPONENTS
    from infra.program import builders

    assert set(builders()) == set(COMPONENTS)
