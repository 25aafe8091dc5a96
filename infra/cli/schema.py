"""``k8s-infra schema``: write the JSON Schemas of the YAML files people edit."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from infra.catalog.schemas import FILES, write_schemas
from infra.console.output import boundary, stderr


@boundary
def schema(
    out: Annotated[
        Path,
        typer.Option(
            "--out", help="Folder to write the schemas into (created).", show_default=False
        ),
    ],
) -> None:
    """Write JSON Schemas (draft 2020-12) of infra.yaml, groups.yaml, restrictions.yaml and
    the stack files, built from the readers' own tables.

    The repository ships them under schemas/, and each shipped YAML file names its
    schema in a `# yaml-language-server: $schema=...` first line for editors.

    [b]Examples[/b]

      k8s-infra schema --out schemas
    """
    for path in write_schemas(out):
        stderr.print(f"wrote {path} ({FILES[path.name]})", markup=False)
