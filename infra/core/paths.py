"""Where the code runs from and where the declarations are read."""

from __future__ import annotations

import os
from pathlib import Path

from infra.core.environment import ROOT_ENV

# The running `infra` package, the data files it ships, and the folder holding
# it and its Pulumi.yaml.
PACKAGE_DIR = Path(__file__).resolve().parents[1]
PACKAGE_DATA = PACKAGE_DIR / "data"
CODE_ROOT = PACKAGE_DIR.parent
PROJECT_FILE = "Pulumi.yaml"
# The estate every checkout of this project holds.
INFRA_YAML = "infra/infra.yaml"


def find_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` that holds a checkout's declarations."""
    for folder in (start, *start.parents):
        if (folder / PROJECT_FILE).is_file() and (folder / INFRA_YAML).is_file():
            return folder
    return None


def data_root() -> Path:
    """K8S_INFRA_ROOT, else the checkout Pulumi runs the program in, else the code's."""
    configured = os.environ.get(ROOT_ENV)
    if configured:
        return Path(configured).resolve()
    return find_root(Path.cwd().resolve()) or CODE_ROOT
