"""Stack config as the engine would hand it to the program, read from files.

``Pulumi.yaml`` gives the project name, ``stackConfigDir`` and project-level
defaults; ``<stackConfigDir>/Pulumi.<stack>.yaml`` the stack's values. Keys
are qualified with the project name, structured values JSON-encoded, and
``secure:`` values (which only the Pulumi CLI can decrypt) replaced by a
placeholder marked secret.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

SECRET_PLACEHOLDER = "planned-secret"


@dataclass(frozen=True)
class Project:
    name: str
    main: str
    stack_config_dir: str
    defaults: dict[str, Any]


@dataclass(frozen=True)
class StackConfig:
    values: dict[str, str]
    secret_keys: list[str]


def read_project(project_file: Path) -> Project:
    data = yaml.safe_load(project_file.read_text(encoding="utf-8")) or {}
    defaults = {}
    for key, spec in (data.get("config") or {}).items():
        if isinstance(spec, dict):
            if "value" in spec:
                defaults[key] = spec["value"]
            elif "default" in spec:
                defaults[key] = spec["default"]
        else:
            defaults[key] = spec
    return Project(
        name=str(data.get("name", "project")),
        main=str(data.get("main") or "."),
        stack_config_dir=str(data.get("stackConfigDir") or "."),
        defaults=defaults,
    )


def read_stack_config(project: Project, stack_file: Path) -> StackConfig:
    data = yaml.safe_load(stack_file.read_text(encoding="utf-8")) or {}
    config = data.get("config") or {}
    if not isinstance(config, dict):
        raise ValueError("`config` is not a mapping")
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
