"""Facts about the world the models validate against, kept as data files.

They live in ``infra/data/`` beside the code (not under the data root),
because they describe Google, AWS and upstream history rather than the
estate a checkout declares. They are read like declarations (every key
known, every problem at its file and line) and a broken one stops the run
with its problems, never with a bare exception.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from infra.core.errors import ProblemsFound
from infra.core.fields import Fields
from infra.core.located_yaml import load_yaml
from infra.core.paths import PACKAGE_DATA
from infra.core.problems import Problems

DATA_DIR = PACKAGE_DATA
LEGACY_FILE = "upstream-legacy.yaml"
_LEGACY_KEYS = {"projects_in_two_sections": "project id -> the two sections upstream lists it in"}

T = TypeVar("T")


def data_display(file: Path) -> str:
    """How problems name a data file: by its repository path when it is the package's."""
    try:
        return f"infra/data/{file.relative_to(PACKAGE_DATA).as_posix()}"
    except ValueError:
        return str(file)


def read_data_file(file: Path, read: Callable[[Fields, Any], T | None]) -> T:
    """``read(fields, data)`` over one data file; its problems stop the run (exit 1)."""
    problems = Problems()
    document = load_yaml(file, data_display(file), problems)
    loaded = read(Fields.of(document, problems), document.data) if document else None
    if loaded is None or problems.has_errors:
        raise ProblemsFound(problems.sorted())
    result: T = loaded
    return result


@dataclass(frozen=True)
class Facts:
    # project id -> the sorted section lists upstream is known to list it under
    legacy_duplicates: Mapping[str, list[list[str]]]


@cache
def load_facts(folder: Path | None = None) -> Facts:
    """The legacy list (``folder``: the package's data folder unless given)."""
    return read_data_file((folder or DATA_DIR) / LEGACY_FILE, _read_legacy)


def _read_legacy(fields: Fields, data: Any) -> Facts | None:
    top = fields.mapping(data, (), _LEGACY_KEYS, what="the legacy list")
    if top is None:
        return None
    key = "projects_in_two_sections"
    listed = fields.mapping(top.get(key) or {}, (key,), what=f"`{key}`") or {}
    duplicates = {
        project: [sorted(fields.texts(sections, (key, project), what="sections"))]
        for project, sections in listed.items()
    }
    return Facts(legacy_duplicates=duplicates)
