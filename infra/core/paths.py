"""Where the code runs from and where the declarations are read."""

from __future__ import annotations

import os
from pathlib import Path

# The data root: the checkout whose declarations are used (`--root`, `K8S_INFRA_ROOT`).
ROOT_ENV = "K8S_INFRA_ROOT"
# The running `infra` package, the data files it ships, and the folder holding
# it and its Pulumi.yaml.
PACKAGE_DIR = Path(__file__).resolve().parents[1]
PACKAGE_DATA = PACKAGE_DIR / "data"
CODE_ROOT = PACKAGE_DIR.parent
PROJECT_FILE = "Pulumi.yaml"


def data_root() -> Path:
    """K8S_INFRA_ROOT, else the project folder Pulumi runs the program in, else the code's."""
    configured = os.environ.get(ROOT_ENV)
    if configured:
        return Path(configured).resolve()
    here = Path.cwd()
    return here if (here / PROJECT_FILE).is_file() else CODE_ROOT
