"""Layering of the groups engine: no Pulumi in it, no Google client at CLI start-up."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO
from tests.test_layout import imported_names


def test_the_engine_imports_nothing_from_pulumi() -> None:
    files = sorted((REPO / "infra" / "groups" / "engine").rglob("*.py"))
    assert files, "no code found under infra/groups/engine"
    for path in files:
        for name, _level in imported_names(path):
            assert not name.startswith("pulumi"), f"{path.relative_to(REPO)} imports {name}"


@pytest.mark.e2e
def test_the_cli_starts_without_the_google_client() -> None:
    """googleapiclient is imported by the groups commands when they run, not by --help."""
    probe = (
        "import sys\n"
        "from infra.cli.app import app\n"
        "from infra.groups.commands import diff, sync\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('googleapiclient', 'httplib2', 'google_auth_httplib2'))\n"
        "print(','.join(heavy))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert done.stdout.strip() == ""
