"""The reference and approver pages hold what the README used to: the infra.yaml
examples load, every option is documented where infra.yaml is, and the limits the
readers enforce are the ones the pages state."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from infra.catalog import section_extensions
from infra.core import iam
from infra.core.located_yaml import MAX_VALUES
from infra.core.problems import Problems
from infra.declarations.estate import load_estate
from infra.declarations.facts import load_facts
from infra.staging import model as staging
from infra.staging_images import model as staging_images
from tests.conftest import REPO

INFRA_YAML = (REPO / "docs" / "reference" / "infra-yaml.md").read_text(encoding="utf-8")
EXAMPLES = [
    block for block in re.findall(r"```yaml\n(.*?)```", INFRA_YAML, re.S)
    if block.startswith("# example: infra.yaml")
]  # fmt: skip


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda b: b.splitlines()[2].strip())
def test_infra_yaml_examples_are_valid(tmp_path: Path, example: str) -> None:
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "infra.yaml").write_text(example)
    problems = Problems()
    estate = load_estate(tmp_path, load_facts(), problems, section_extensions())
    assert estate is not None
    staging.check_staging_options(estate, problems)
    staging_images.check_staging_images_options(estate, problems)
    assert [p.format() for p in problems] == []


def test_there_are_examples_for_both_managed_sections() -> None:
    assert len(EXAMPLES) == 2


def documented(key: str) -> bool:
    return (
        f"`{key}`" in INFRA_YAML
        or re.search(rf"^\s+{re.escape(key)}:", INFRA_YAML, re.M) is not None
    )


@pytest.mark.parametrize(
    "key",
    sorted(
        {k for keys in section_extensions().values() for k in keys.project | keys.section}
        | set(iam.GRANT_KEYS) | set(staging.SERVICE_ACCOUNT_KEYS) | set(staging.SETTINGS_KEYS)
        | set(staging_images.REGISTRY_DEFAULTS) | set(staging_images.BUILD_BUCKET_KEYS)
        | set(staging_images.SETTINGS_KEYS) | {"managed_by", "also_in"}
    ),
)  # fmt: skip
def test_every_option_is_documented(key: str) -> None:
    assert documented(key), f"docs/reference/infra-yaml.md documents no `{key}`"


def test_the_validate_limits_are_the_reader_s() -> None:
    page = (REPO / "docs" / "approver" / "commands.md").read_text(encoding="utf-8")
    assert f"| values once YAML aliases are expanded | `{MAX_VALUES:,}` (" in page
