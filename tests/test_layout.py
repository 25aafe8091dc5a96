"""The import-path trap and the layering rules, checked on the source itself."""

from __future__ import annotations

import ast
import importlib.metadata
import subprocess
import sys
from pathlib import Path

import pytest
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


@pytest.mark.e2e
def test_validation_imports_nothing_from_pulumi() -> None:
    """Models, rules and concern entries are pure Python: checking every declaration
    of the repository loads no Pulumi module (builders import theirs when called)."""
    code = (
        "import sys; from pathlib import Path; from infra.core.problems import Problems; "
        "from infra.catalog.validation import load_declarations; "
        f"assert load_declarations(Path({str(REPO)!r}), Problems()) is not None; "
        "print(sorted(m for m in sys.modules if m.split('.')[0].startswith('pulumi')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


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
    checked = [p for p in sorted(PACKAGE.rglob("*.py")) if p.name != "program.py"
               and "planner" not in p.parts and "cli" not in p.parts]  # fmt: skip
    assert checked
    for path in checked:
        assert "get_stack" not in path.read_text(encoding="utf-8"), path


def test_every_concern_is_a_package_with_its_catalog_entry() -> None:
    from infra.catalog import CONCERNS

    assert CONCERNS, "the catalog lists no concern"
    for entry in CONCERNS:
        module = sys.modules[entry.check.__module__]
        assert module.__name__.endswith(".concern"), module.__name__
        assert entry.build.__module__ == module.__name__
        assert len({c.name for c in CONCERNS}) == len(CONCERNS)


def test_only_the_application_imports_the_cli_package() -> None:
    """The concerns' commands sit below the application: what they share with it
    lives in infra/console/ and infra/declarations/application.py, so the application
    can import the catalog without a circle."""
    for path in modules():
        if path.relative_to(PACKAGE).parts[0] == "cli":
            continue
        for name, _level in imported_names(path):
            assert name != "infra.cli" and not name.startswith("infra.cli."), path


def test_the_console_stands_on_the_core_alone() -> None:
    """The terminal is beside the declarations, so a concern's commands add no floor."""
    below = ("infra.core", "infra.console")
    for path in sorted((PACKAGE / "console").rglob("*.py")):
        for name, level in imported_names(path):
            if name.startswith("infra") and not level:
                assert name.startswith(below), f"{path}: {name}"


def imported_modules(path: Path) -> list[str]:
    """Every module ``path`` imports, ``from infra import x`` counted as ``infra.x``."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found += [f"{node.module}.{alias.name}" for alias in node.names]
    return found


def test_the_declarations_stand_below_the_catalog_and_the_concerns() -> None:
    """Every concern builds on infra.declarations: importing a concern or the catalog
    from there would close a circle (what is computed over the catalog sits beside it)."""
    from infra.catalog import CONCERNS

    above = {"infra.catalog"} | {entry.check.__module__.rsplit(".", 1)[0] for entry in CONCERNS}
    assert len(above) > 1
    for path in sorted((PACKAGE / "declarations").rglob("*.py")):
        for name in imported_modules(path):
            for room in above:
                assert name != room and not name.startswith(room + "."), f"{path}: {name}"


def test_the_shared_building_blocks_depend_on_no_concern() -> None:
    """infra/components/ sits under every concern that builds projects with it; the
    alias kept for old group state looks its provider up lazily, by name."""
    for path in sorted((PACKAGE / "components").rglob("*.py")):
        for name in imported_modules(path):
            if name.startswith("infra."):
                assert name.startswith(("infra.core.", "infra.declarations.")), f"{path}: {name}"


def room_of(module: str) -> str | None:
    """The top-level package or module of infra/ that ``module`` belongs to."""
    parts = module.split(".")
    if parts[0] != "infra" or len(parts) < 2:
        return None
    room = parts[1]
    return room if (PACKAGE / room).is_dir() or (PACKAGE / f"{room}.py").is_file() else None


def test_the_rooms_of_infra_import_each_other_without_a_circle() -> None:
    """Data flows one way between the top-level packages of infra/, counting imports
    inside functions and under TYPE_CHECKING: a circle would make them one room."""
    arrows: dict[str, set[str]] = {}
    for path in modules():
        source = path.relative_to(PACKAGE).with_suffix("").parts[0]
        targets = {room_of(name) for name in imported_modules(path)} - {None, source}
        arrows.setdefault(source, set()).update(str(target) for target in targets)
    assert {"declarations", "core"} <= arrows["groups"] and "staging" in arrows["catalog"]

    done: set[str] = set()

    def visit(room: str, trail: tuple[str, ...]) -> None:
        if room in trail:
            circle = (*trail[trail.index(room) :], room)
            raise AssertionError("a circle: " + " -> ".join(circle))
        if room in done:
            return
        for target in sorted(arrows.get(room, ())):
            visit(target, (*trail, room))
        done.add(room)

    for room in sorted(arrows):
        visit(room, ())


def test_no_layer_imports_a_concern_only_the_catalog_does() -> None:
    """A layer (the application, the planner, review, access, adoption, the guard rails
    and what sits below the concerns) reaches the concerns through the catalog alone."""
    from infra.catalog import CONCERNS, TOOL_COMMANDS

    owners = [entry.check.__module__ for entry in CONCERNS]
    owners += [commands.__module__ for commands in TOOL_COMMANDS]
    concerns = {module.split(".")[1] for module in owners}
    assert {"staging", "groups", "promoter"} <= concerns
    for path in modules():
        room = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
        if room in concerns or room == "catalog":
            continue
        for name in imported_modules(path):
            assert room_of(name) not in concerns, f"{path.relative_to(REPO)} imports {name}"
