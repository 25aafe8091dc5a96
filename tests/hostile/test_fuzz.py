"""Any bytes, given to any loader, give a model or problem lines: never an exception.

Every loader of a declaration file (infra.yaml, stack files, groups and
restrictions files, the mirror data) and of the package's data files
(staging profiles, region facts, the legacy list) is fed bytes Hypothesis
draws: raw bytes, YAML-looking text with anchors, aliases, tags and
flow collections, and valid documents with one part broken. The examples
are bounded so that CI runs them in seconds.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infra import catalog
from infra.core.errors import ProblemsFound
from infra.core.paths import PACKAGE_DATA
from infra.core.problems import Problems
from infra.declarations import facts
from infra.declarations.estate import load_estate
from infra.declarations.stacks import load_stack_settings
from infra.groups.loader import load_groups
from infra.groups.restrictions import load_restrictions
from infra.mirrors import regions
from infra.mirrors.model import load_artifact_registry, load_s3_mirrors
from infra.staging import model as staging_model
from tests.conftest import REPO
from tests.groups.tree import ALLOW_ALL

EXAMPLES = 60
# YAML's punctuation, with tags, anchors and aliases, and a few words the loaders know.
_TOKENS = st.sampled_from([
    "\n", "  ", " ", "- ", ": ", "? ", "{", "}", "[", "]", ", ", "&a ", "*a", "&b ", "*b",
    "!!int ", "!!python/name:os.system ", "!foo ", "!!binary ", "!!set ", "|-\n", ">\n", "'",
    '"', "#", "---\n",
    "<<: ", "\t", "\x00", "\u2028", "\\n", "2024-13-45", "9" * 50, "1e999", "true", "null", "~",
    "groups", "email-id", "restrictions", "path", "allowedGroups", "config", "infra", "staging",
    "projects", "k8s-infra:components", "regions", "priority", "a@kubernetes.io", "(a+)+$",
])  # fmt: skip
YAMLISH = st.lists(_TOKENS, max_size=40).map("".join).map(str.encode)
ANY_BYTES = st.binary(max_size=400) | YAMLISH | YAMLISH.map(lambda b: b"\xef\xbb\xbf" + b)
BOUNDED = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def broken(valid: str) -> st.SearchStrategy[bytes]:
    """``valid`` with a drawn stretch of it replaced by drawn bytes."""

    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        raw = valid.encode()
        start = draw(st.integers(0, len(raw)))
        end = draw(st.integers(start, min(len(raw), start + 80)))
        return raw[:start] + draw(ANY_BYTES) + raw[end:]

    return build()


def _one_line(problems: Problems) -> None:
    for problem in problems:
        line = problem.format()
        assert "\n" not in line and "\r" not in line and "\x00" not in line
        assert problem.position.line >= 1 and problem.position.col >= 1


@contextmanager
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


def _write(root: Path, path: str, data: bytes) -> None:
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def check_loader(path: str, data: bytes, load: Callable[[Path, Problems], Any]) -> None:
    with folder() as root:
        _write(root, path, data)
        problems = Problems()
        load(root, problems)
        _one_line(problems)


INFRA_TEXT = (REPO / "infra" / "infra.yaml").read_text()[:3000]
STACK_TEXT = (REPO / "stacks" / "Pulumi.staging.yaml").read_text()
GROUPS_TEXT = (REPO / "groups" / "sig-testing" / "groups.yaml").read_text()
RESTRICTIONS_TEXT = (REPO / "groups" / "restrictions.yaml").read_text()
REGISTRY_TEXT = (REPO / "infra" / "data" / "registry" / "artifact-registry.yaml").read_text()
BUCKETS_TEXT = (REPO / "infra" / "data" / "registry" / "s3-buckets.yaml").read_text()


@BOUNDED
@given(ANY_BYTES | broken(INFRA_TEXT))
def test_infra_yaml(data: bytes) -> None:
    def load(root: Path, problems: Problems) -> None:
        load_estate(root, facts.load_facts(), problems, catalog.section_extensions())

    check_loader("infra/infra.yaml", data, load)


@BOUNDED
@given(ANY_BYTES | broken(STACK_TEXT))
def test_stack_file(data: bytes) -> None:
    def load(root: Path, problems: Problems) -> None:
        load_stack_settings(root, "staging", problems, catalog.stack_schema())

    check_loader("stacks/Pulumi.staging.yaml", data, load)


@BOUNDED
@given(ANY_BYTES | broken(GROUPS_TEXT))
def test_groups_file(data: bytes) -> None:
    def load(root: Path, problems: Problems) -> None:
        (root / "groups" / "restrictions.yaml").write_text(ALLOW_ALL)
        tree = load_groups(root, problems)
        assert tree is not None
        assert all(isinstance(group.email, str) for group in tree.groups)

    check_loader("groups/sig-x/groups.yaml", data, load)


@BOUNDED
@given(ANY_BYTES | broken(RESTRICTIONS_TEXT))
def test_restrictions_file(data: bytes) -> None:
    check_loader(
        "groups/restrictions.yaml",
        data,
        lambda root, problems: load_restrictions(root, "groups", problems),
    )


@BOUNDED
@given(ANY_BYTES | broken(REGISTRY_TEXT))
def test_artifact_registry_file(data: bytes) -> None:
    def load(root: Path, problems: Problems) -> None:
        load_artifact_registry(root, regions.load_region_facts(), problems)

    check_loader("infra/data/registry/artifact-registry.yaml", data, load)


@BOUNDED
@given(ANY_BYTES | broken(BUCKETS_TEXT))
def test_s3_buckets_file(data: bytes) -> None:
    def load(root: Path, problems: Problems) -> None:
        load_s3_mirrors(root, regions.load_region_facts(), problems)

    check_loader("infra/data/registry/s3-buckets.yaml", data, load)


# The package's own data files: a broken one stops the run with its problems.

PACKAGE_FILES: dict[str, Callable[[Path], object]] = {
    facts.LEGACY_FILE: facts.load_facts.__wrapped__,
    regions.AWS_REGIONS_FACTS: regions.load_region_facts.__wrapped__,
    regions.ARTIFACT_REGISTRY_FACTS: regions.load_region_facts.__wrapped__,
    staging_model.PROFILES_FILE: lambda data: staging_model._profiles_file.__wrapped__(
        data / staging_model.PROFILES_FILE
    ),
}


@BOUNDED
@given(st.sampled_from(sorted(PACKAGE_FILES)), ANY_BYTES)
def test_package_data_file(name: str, data: bytes) -> None:
    with folder() as root:
        copy = root / "data"
        shutil.copytree(PACKAGE_DATA, copy)
        (copy / name).write_bytes(data)
        try:
            PACKAGE_FILES[name](copy)
        except ProblemsFound as found:
            assert found.problems, "a broken data file names its problems"
            problems = Problems()
            problems.extend(found.problems)
            _one_line(problems)
            assert all(p.position.path.endswith(name) for p in found.problems)
