"""The docs site's macros (mkdocs-macros-plugin): what the pages take from the code.

{{ figures.<name> }}   a figure from docs/figures.yml (scripts/docs_figures.py writes it)
{{ x | n }}            a count with thousands separators (1,234)
{{ pulumi.<name> }}    the Pulumi CLI the commands accept, the locked SDK, the backend
{{ guard_rails() }}    the policy pack's guard rails, each with its rule
{{ schema_files() }}   the JSON Schemas `k8s-infra schema` writes, and the checks beyond them

The application's own, the CLI reference and the exit codes, come from its
reference module (``infra.cli.reference``), loaded by the plugin as a pluglet.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ROOT / "docs" / "figures.yml"
LOCK = ROOT / "requirements" / "lock.txt"


def locked_version(package: str) -> str:
    """The version requirements/lock.txt pins for ``package``."""
    prefix = f"{package}=="
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        if line.startswith(prefix):
            return line.removeprefix(prefix).split()[0].rstrip("\\").strip()
    raise LookupError(f"{package} is not in {LOCK.name}")


def pulumi_facts() -> dict[str, Any]:
    from infra.engines import MIN_VERSION, SUPPORTED_MAJOR

    project = yaml.safe_load((ROOT / "Pulumi.yaml").read_text(encoding="utf-8"))
    return {
        "min_version": MIN_VERSION,
        "major": SUPPORTED_MAJOR,
        "sdk": locked_version("pulumi"),
        "backend": project["backend"]["url"],
    }


def guard_rails() -> str:
    """The policy pack's guard rails, as a Markdown table."""
    from pulumi_policy import ResourceValidationPolicy

    from infra.guardrails.checks import policies

    rows = []
    for policy in policies():
        scope = "resource" if isinstance(policy, ResourceValidationPolicy) else "stack"
        rows.append(f"| `{policy.name}` | {scope} | {policy.description} |")
    return "\n".join(["| guard rail | judges | rule |", "| --- | --- | --- |", *rows, ""])


def define_env(env: Any) -> None:
    env.variables["figures"] = yaml.safe_load(FIGURES.read_text(encoding="utf-8"))
    env.variables["pulumi"] = pulumi_facts()

    @env.filter
    def n(value: int) -> str:
        return f"{value:,}"

    env.macro(guard_rails)

    @env.macro
    def schema_files() -> str:
        from infra.catalog.schemas import BEYOND_SCHEMA, FILES

        rows = [f"| `schemas/{name}` | `{what}` |" for name, what in FILES.items()]
        checks = [f"| `{fixture}` | {check} |" for fixture, check in BEYOND_SCHEMA.items()]
        return "\n".join(
            [
                "| schema | file |",
                "| --- | --- |",
                *rows,
                "",
                "What the readers check beyond the schemas, with the refused test fixture "
                "(`tests/fixtures/`) that shows each check:",
                "",
                "| fixture | check |",
                "| --- | --- |",
                *checks,
                "",
            ]
        )
