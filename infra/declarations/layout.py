"""Where a data root keeps its declarations: this project's layout, or upstream's.

A kubernetes/k8s.io checkout given as ``--root`` keeps the estate in
``infra/gcp/infra.yaml`` and the groups under ``groups/``, and has no stack
files: their settings (which components, which organization) are this
code's, so the stack files of the code's checkout are used with it.
"""

from __future__ import annotations

from pathlib import Path

from infra.core.paths import CODE_ROOT, INFRA_YAML

UPSTREAM_INFRA_YAML = "infra/gcp/infra.yaml"  # kubernetes/k8s.io's own place for it
STACKS_DIR = "stacks"


def estate_file(root: Path) -> str:
    """The estate file under ``root``, relative: ours, else upstream's, else ours (missing)."""
    if not (root / INFRA_YAML).is_file() and (root / UPSTREAM_INFRA_YAML).is_file():
        return UPSTREAM_INFRA_YAML
    return INFRA_YAML


def stack_path(stack: str) -> str:
    """A stack's file, relative to the folder holding ``stacks/`` (as problems name it)."""
    return f"{STACKS_DIR}/Pulumi.{stack}.yaml"


def stacks_root(root: Path) -> Path:
    """The folder whose ``stacks/`` holds the stack files: ``root``, unless it has none."""
    folder = root / STACKS_DIR
    if any(folder.glob("Pulumi.*.yaml")) or not is_upstream_layout(root):
        return root
    return CODE_ROOT


def declaration_file(root: Path, relative: str) -> Path:
    """A declaration file this project keeps beside infra.yaml (registry data...).

    An upstream checkout has none of these (registry.k8s.io's data lives in
    another repository): the code's checkout provides them.
    """
    path = root / relative
    if path.exists() or not is_upstream_layout(root):
        return path
    return CODE_ROOT / relative


def is_upstream_layout(root: Path) -> bool:
    return estate_file(root) == UPSTREAM_INFRA_YAML
