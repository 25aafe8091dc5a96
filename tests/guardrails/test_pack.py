"""The thin pack folder: its entry point serves the policies of ``infra.guardrails``."""

from __future__ import annotations

import ast
import sys

import pytest
import yaml

from tests.conftest import REPO
from tests.guardrails.pack_process import PACK, served_pack


def test_pack_folder_is_a_python_pack_in_the_project_virtualenv() -> None:
    settings = yaml.safe_load((PACK / "PulumiPolicy.yaml").read_text())
    assert settings["runtime"] == {"name": "python", "options": {"virtualenv": "../.venv"}}
    assert (PACK / settings["runtime"]["options"]["virtualenv"]).resolve() == REPO / ".venv"


def test_entry_point_only_builds_the_pack_from_the_package() -> None:
    tree = ast.parse((PACK / "__main__.py").read_text())
    imports = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert imports == {"pulumi_policy", "infra.guardrails.checks"}
    calls = [n for n in tree.body if isinstance(n, ast.Expr)]
    assert [ast.unparse(c.value).split("(")[0] for c in calls[1:]] == ["PolicyPack"]
    # the policies are collected from the catalog when the pack starts, never a fixed list
    (pack,) = calls[1:]
    assert isinstance(pack.value, ast.Call)
    given = {k.arg: ast.unparse(k.value) for k in pack.value.keywords}
    assert given["policies"] == "list(policies())"


@pytest.mark.e2e
def test_pack_process_serves_on_a_port() -> None:
    """As the CLI starts it: it prints its port and keeps serving until stopped."""
    with served_pack([sys.executable, str(PACK / "__main__.py")]) as (process, _port):
        assert process.poll() is None
