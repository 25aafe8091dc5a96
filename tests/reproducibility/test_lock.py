"""Reproducible runs: the lock pins what is installed, and the Pulumi CLI version is stated."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from infra import engines
from tests.conftest import REPO

LOCK = REPO / "requirements" / "lock.txt"
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.MULTILINE)


def pins() -> dict[str, str]:
    return {canonicalize_name(name): version for name, version in _PIN.findall(LOCK.read_text())}


@pytest.mark.parametrize("package", ["pulumi", "pulumi-gcp", "pulumi-aws"])
def test_installed_sdk_and_providers_are_the_locked_ones(package: str) -> None:
    """Provider versions change plans: a run with other versions is not the reviewed one."""
    installed = metadata.version(package)
    assert installed == pins()[package], (
        f"{package} {installed} is installed, the lock pins {pins()[package]}: "
        "reinstall with `python3 scripts/dev.py test`"
    )


def test_every_declared_dependency_is_pinned_within_its_range() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    declared = [
        *project["project"]["dependencies"],
        *project["project"]["optional-dependencies"]["dev"],
        *project["project"]["optional-dependencies"]["docs"],
        *project["build-system"]["requires"],
    ]
    locked = pins()
    for line in declared:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{name} is not in the lock: run `python3 scripts/dev.py lock`"
        assert requirement.specifier.contains(locked[name], prereleases=True), (
            f"{name}=={locked[name]} is outside `{requirement.specifier}`: regenerate the lock"
        )


def test_every_pin_carries_hashes() -> None:
    blocks = re.split(r"\n(?=[A-Za-z0-9])", LOCK.read_text().split("\n", 3)[3])
    # a package may be pinned once per Python version range (`; python_full_version ...`)
    assert len(blocks) == len(_PIN.findall(LOCK.read_text())) > 50
    for block in blocks:
        assert "--hash=sha256:" in block, block.splitlines()[0]


def test_the_setup_installs_from_the_lock_with_hashes() -> None:
    setup = (REPO / "scripts" / "dev.py").read_text()
    assert '"--require-hashes", "-r", LOCK' in setup
    assert '"--no-deps", "--no-build-isolation", "-e", "."' in setup
    assert "scripts/dev.py" in (REPO / ".ci" / "run").read_text()


def test_the_pulumi_cli_version_is_stated_where_it_is_checked() -> None:
    setup = (REPO / "docs" / "setup.md").read_text()
    assert f"must be {engines.MIN_VERSION} or newer" in setup
    assert engines.MIN_VERSION.startswith(f"{engines.SUPPORTED_MAJOR}.")
