"""Stack config as the engine would hand it to the program, from the stack's files.

``Pulumi.yaml`` gives the project name and project-level defaults; the stack
file its values (both read by ``infra.declarations.stacks``). Keys are
qualified with the project name, structured values JSON-encoded, and
``secure:`` values (which only the Pulumi CLI can decrypt) replaced by a
placeholder marked secret.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from infra.declarations.stacks import Project

SECRET_PLACEHOLDER = "planned-secret"


@dataclass(frozen=True)
class StackConfig:
    values: dict[str, str]
    secret_keys: list[str]


def engine_config(project: Project, config: Mapping[str, Any]) -> StackConfig:
    """The stack file's ``config`` over the project's defaults, as the engine passes them."""
    merged = {**project.defaults, **config}
    values: dict[str, str] = {}
    secret_keys: list[str] = []
    for key, value in merged.items():
        qualified = key if ":" in key else f"{project.name}:{key}"
        if isinstance(value, dict) and set(value) == {"secure"}:
            values[qualified] = SECRET_PLACEHOLDER
            secret_keys.append(qualified)
        else:
            values[qualified] = value if isinstance(value, str) else json.dumps(value)
    return StackConfig(values, sorted(secret_keys))
