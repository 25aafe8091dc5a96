"""Every declaration under a data root, loaded and checked in one pass."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from infra.models.estate import Estate, load_estate
from infra.models.facts import load_facts
from infra.models.stack_settings import StackSettings, load_stack_settings, stack_names
from infra.problems import Problems


@dataclass(frozen=True)
class Declarations:
    root: Path
    estate: Estate
    stacks: Mapping[str, StackSettings]


def load_declarations(root: Path, problems: Problems) -> Declarations | None:
    """Load every declaration under ``root``; problems go to ``problems``.

    Returns None only when a file the others depend on cannot be read at all;
    the caller decides whether errors in ``problems`` stop it.
    """
    facts = load_facts()
    estate = load_estate(root, facts, problems)
    stacks = {}
    for stack in stack_names(root):
        settings = load_stack_settings(root, stack, problems)
        if settings is not None:
            stacks[stack] = settings
    if estate is None:
        return None
    return Declarations(root, estate, MappingProxyType(stacks))
