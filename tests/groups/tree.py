"""Groups trees written to disk for tests, and their problems as printed lines."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

from infra.core.problems import Problems
from infra.groups.estate_checks import EstateExpectations
from infra.groups.loader import load_groups
from infra.groups.model import GroupsTree

# Allows every group in every file: for tests of rules other than restrictions.
ALLOW_ALL = """\
restrictions:
  - path: "**"
    allowedGroups:
      - "."
"""


# What upstream's tests assert of its tree, in the form of synthetic addresses;
# a stack would set these as `estate_checks` (UPSTREAM_ESTATE_YAML, the same in
# the stack's words).
UPSTREAM_ESTATE = EstateExpectations(
    required_names=("community",),
    same_owners=MappingProxyType(
        {
            "security@kubernetes.io": (
                "distributors-announce@kubernetes.io",
                "security-discuss-private@kubernetes.io",
            )
        }
    ),
    pinned_members=MappingProxyType(
        {
            "k8s-infra-gcp-org-admins@kubernetes.io": frozenset(
                {"person-036@example.com", "sig-k8s-infra-leads@kubernetes.io"}
            ),
            "k8s-infra-group-admins@kubernetes.io": frozenset(
                {
                    "person-010@example.com",
                    "person-011@example.com",
                    "sig-k8s-infra-leads@kubernetes.io",
                }
            ),
        }
    ),
    required_settings=MappingProxyType(
        {"leads@kubernetes.io": MappingProxyType({"AllowWebPosting": "true"})}
    ),
)

UPSTREAM_ESTATE_YAML = """\
estate_checks:
  required_names: [community]
  same_owners:
    security@kubernetes.io:
      - distributors-announce@kubernetes.io
      - security-discuss-private@kubernetes.io
  pinned_members:
    k8s-infra-gcp-org-admins@kubernetes.io:
      - person-036@example.com
      - sig-k8s-infra-leads@kubernetes.io
    k8s-infra-group-admins@kubernetes.io:
      - person-010@example.com
      - person-011@example.com
      - sig-k8s-infra-leads@kubernetes.io
  required_settings:
    leads@kubernetes.io:
      AllowWebPosting: "true"
"""


def write_groups_stack(root: Path, groups_object: str = "root: groups\n") -> Path:
    """``stacks/Pulumi.groups.yaml`` under ``root``, building groups, with ``groups_object``
    (YAML text) as its ``k8s-infra:groups``."""
    body = "".join(f"    {line}\n" for line in groups_object.splitlines())
    stack = root / "stacks" / "Pulumi.groups.yaml"
    stack.parent.mkdir(parents=True, exist_ok=True)
    stack.write_text(
        f"config:\n  k8s-infra:components: [groups]\n  k8s-infra:groups:\n{body}",
        encoding="utf-8",
    )
    return stack


def write_tree(root: Path, files: dict[str, str], restrictions: str | None = ALLOW_ALL) -> Path:
    """Write ``groups/<path>`` for each file (and restrictions.yaml) under ``root``."""
    folder = root / "groups"
    folder.mkdir(parents=True, exist_ok=True)
    if restrictions is not None:
        (folder / "restrictions.yaml").write_text(restrictions, encoding="utf-8")
    for path, text in files.items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root


def load(
    root: Path, *, estate: EstateExpectations | None = None, domain: str = "kubernetes.io"
) -> tuple[GroupsTree | None, list[str]]:
    """Load ``root``'s groups with the real loader; the problems as printed lines."""
    problems = Problems()
    tree = load_groups(root, problems, estate=estate, domain=domain)
    return tree, [p.format() for p in problems]


def lines(
    root: Path, *, estate: EstateExpectations | None = None, domain: str = "kubernetes.io"
) -> list[str]:
    return load(root, estate=estate, domain=domain)[1]


def problem_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ": error: " in line or ": warning: " in line]
