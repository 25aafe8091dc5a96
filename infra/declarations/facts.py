"""Facts about the world the models validate against, kept as data files.

They live in ``infra/data/`` beside the code (not under the data root),
because they describe Google, AWS and upstream history rather than the
estate a checkout declares.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import yaml

from infra.core.paths import PACKAGE_DATA

DATA_DIR = PACKAGE_DATA


def _read(name: str) -> Any:
    with (DATA_DIR / name).open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@dataclass(frozen=True)
class Facts:
    # project id -> the sorted section lists upstream is known to list it under
    legacy_duplicates: Mapping[str, list[list[str]]]


@cache
def load_facts() -> Facts:
    legacy = _read("upstream-legacy.yaml")
    duplicates = {
        project: [sorted(sections)]
        for project, sections in (legacy.get("projects_in_two_sections") or {}).items()
    }
    return Facts(legacy_duplicates=duplicates)
