"""The corpus of hostile declarations, through the CLI, bounded in time and memory."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

# imported here, before the children fork, so that each starts with it loaded
import infra.cli.app  # noqa: F401
from infra.core.paths import PACKAGE_DATA
from infra.declarations import facts
from infra.mirrors import regions
from infra.staging import model as staging_model
from tests.conftest import REPO, trim_staging
from tests.hostile.bounded import run_cli
from tests.hostile.cases import CASES, Case

SECONDS = 20.0  # each case, however hostile, is refused well within this
# A problem line that some value forged (the corpus's values say "forged").
FORGED_LINE = re.compile(r"^[^\\\s]+:\d+:\d+: error: forged")


def test_the_corpus_covers_every_file_type() -> None:
    paths = {case.path.split("/")[0] if "/" in case.path else case.path for case in CASES}
    assert {"infra", "stacks", "groups"} <= paths
    assert any(case.package_data for case in CASES)
    assert len(CASES) >= 60


@pytest.fixture
def open_checkout(tmp_path: Path) -> Iterator[Path]:
    """A copy of the declarations (with three staging projects: faster, as hostile)."""
    folder = tmp_path / "hostile"
    target = folder / "checkout"
    target.mkdir(parents=True)
    shutil.copy(REPO / "Pulumi.yaml", target / "Pulumi.yaml")
    for name in ("stacks", "groups"):
        shutil.copytree(REPO / name, target / name)
    shutil.copytree(REPO / "infra" / "data", target / "infra" / "data")
    shutil.copy(REPO / "infra" / "infra.yaml", target / "infra" / "infra.yaml")
    trim_staging(target)
    yield target
    for path, dirs, _files in os.walk(folder):  # let pytest remove what a case locked
        for name in dirs:
            Path(path, name).chmod(0o755)


def _line_of(file: Path, marker: str | None) -> int:
    if marker is None or not file.is_file():
        return 1
    for number, line in enumerate(file.read_bytes().splitlines(), 1):
        if marker.encode() in line:
            return number
    raise AssertionError(f"marker {marker!r} not in {file}")


def _use_package_data(folder: Path) -> None:
    """In the child: read the package's data files from ``folder``."""
    # the modules' own names for the folder, which their loaders read at call time
    setattr(facts, "DATA_DIR", folder)  # noqa: B010
    setattr(regions, "DATA_DIR", folder)  # noqa: B010
    staging_model.PROFILES_PATH = folder / staging_model.PROFILES_FILE
    facts.load_facts.cache_clear()
    regions.load_region_facts.cache_clear()
    staging_model._profiles_file.cache_clear()


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_hostile_declaration(case: Case, open_checkout: Path, tmp_path: Path) -> None:
    root = open_checkout
    before = None
    path = case.path
    if case.package_data:
        data = tmp_path / "package-data"
        shutil.copytree(PACKAGE_DATA, data)
        case.edit(data)
        file = data / case.path
        path = str(file)
        before = lambda: _use_package_data(data)  # noqa: E731
    else:
        case.edit(root)
        file = root / case.path
    line = _line_of(file, case.marker)

    run = run_cli(
        ["--root", str(root), *case.command],
        seconds=SECONDS,
        as_nobody=case.as_nobody,
        before=before,
    )

    assert run.crash == "", run.crash
    assert run.exit_code == case.exit_code, run.stderr
    assert "Traceback" not in run.stderr + run.stdout
    found = [text for text in run.lines_at(path) if case.message in text]
    assert found, f"no line at {path} with {case.message!r}:\n{run.stderr}"
    assert any(text.startswith(f"{path}:{line}:") for text in found), (line, found)
    forged = [text for text in run.stderr.splitlines() if FORGED_LINE.match(text)]
    assert not forged, "a value started a problem line of its own"
    assert not Path("/tmp/k8s-infra-pwned").exists()
