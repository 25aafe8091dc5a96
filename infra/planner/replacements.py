"""Which changes the providers carry out as delete-and-create: data, in replacements.yaml."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DATA_FILE = Path(__file__).with_name("replacements.yaml")
# A resource moved to another explicit provider is replaced by the engine itself.
PROVIDER_OPTION = "option:provider"
_MISSING = object()


@dataclass(frozen=True)
class Rule:
    replace: tuple[str, ...]  # engine property names; `a.b` inside an object
    source: tuple[str, ...]  # the provider files the entry was checked against


@cache
def rules() -> Mapping[str, Rule]:
    """Type token -> its rule, from the data file shipped with the planner."""
    data = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    return {
        token: Rule(tuple(entry.get("replace") or ()), tuple(entry.get("source") or ()))
        for token, entry in (data.get("types") or {}).items()
    }


def is_covered(type_token: str) -> bool:
    return type_token in rules()


def forcing(
    type_token: str, before: Mapping[str, Any], after: Mapping[str, Any]
) -> list[str] | None:
    """The properties whose change makes the provider replace the resource.

    None when the data does not know the type (then nobody can tell; the
    change is shown as an update and marked unchecked).
    """
    rule = rules().get(type_token)
    if rule is None:
        return None
    return [path for path in rule.replace if _at(before, path) != _at(after, path)]


def _at(inputs: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path, or a marker when any step is missing."""
    value: Any = inputs
    for step in path.split("."):
        if not isinstance(value, Mapping) or step not in value:
            return _MISSING
        value = value[step]
    return value
