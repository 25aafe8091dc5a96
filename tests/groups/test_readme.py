"""The Google Groups pages: the settings table generated from the model, examples that load."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from infra.catalog import stack_schema
from infra.core.fields import Fields, locate_file
from infra.core.problems import Problems
from infra.groups.access import GROUPS_OBJECT_KEYS, parse_groups_object
from infra.groups.estate_checks import ESTATE_KEY
from infra.groups.loader import DEFAULT_DOMAIN, GROUP_KEYS, GROUPS_COMPONENT
from infra.groups.restrictions import load_restrictions
from infra.groups.settings_table import BOOL_VALUES, RECONCILE_MEMBERS, SETTINGS
from tests.conftest import REPO
from tests.groups.tree import lines, write_tree

DOCS = REPO / "docs"
GROUPS_PART = (DOCS / "reference" / "groups.md").read_text(encoding="utf-8")
DIFFERENCES = (DOCS / "design" / "differences.md").read_text(encoding="utf-8")
ON_CALL = (DOCS / "on-call.md").read_text(encoding="utf-8")


def settings_table() -> str:
    """The reference page's settings table, as group_settings.SETTINGS says it must read."""

    def quoted(values: tuple[str, ...]) -> str:
        return ", ".join(f'`"{v}"`' for v in values)

    rows = ["| setting | values | when left out |", "| --- | --- | --- |"]
    for spec in SETTINGS.values():
        default = f'`"{spec.default}"`' if spec.default else "the group's current value is kept"
        if not spec.applied:
            default = "accepted, not applied"
        rows.append(f"| `{spec.key}` | {quoted(spec.allowed)} | {default} |")
    rows.append(
        f'| `{RECONCILE_MEMBERS}` | {quoted(BOOL_VALUES)} | `"false"`: never sent to Google; '
        '`"true"` makes the file the only source of the group\'s members |'
    )
    return "\n".join(rows)


def test_the_settings_table_is_generated_from_the_model() -> None:
    found = re.search(
        r"<!-- group-settings:start -->\n(.*?)\n<!-- group-settings:end -->", GROUPS_PART, re.S
    )
    assert found is not None, "the groups page lost its group-settings markers"
    assert found.group(1) == settings_table(), (
        "the groups page's settings table is stale; replace it with:\n" + settings_table()
    )


@pytest.mark.parametrize("key", [*SETTINGS, RECONCILE_MEMBERS])
def test_every_setting_is_documented(key: str) -> None:
    assert f"| `{key}` |" in GROUPS_PART


@pytest.mark.parametrize("key", GROUP_KEYS)
def test_every_group_key_is_documented(key: str) -> None:
    assert f"`{key}`" in GROUPS_PART


def yaml_blocks() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", GROUPS_PART, re.S)


def test_the_groups_file_example_loads_clean(tmp_path: Path) -> None:
    (example,) = [b for b in yaml_blocks() if b.startswith("# example: groups/")]
    path = example.splitlines()[0].removeprefix("# example: groups/")
    write_tree(tmp_path, {path: example}, restrictions=None)
    shutil.copy(REPO / "groups" / "restrictions.yaml", tmp_path / "groups" / "restrictions.yaml")
    assert lines(tmp_path) == []
    # the error shown under "What validation checks" is what this file gives with a bare true
    (tmp_path / "groups" / path).write_text(
        example.replace('ReconcileMembers: "true"', "ReconcileMembers: true"), encoding="utf-8"
    )
    (shown,) = re.findall(r"```text\n(.*?)\n```", GROUPS_PART, re.S)
    assert lines(tmp_path) == [shown]


def test_the_restrictions_example_means_what_the_text_says(tmp_path: Path) -> None:
    (example,) = [b for b in yaml_blocks() if b.startswith("restrictions:")]
    write_tree(tmp_path, {}, restrictions=example)
    problems = Problems()
    restrictions = load_restrictions(tmp_path, "groups", problems)
    assert restrictions is not None
    assert len(problems) == 0
    assert restrictions.allows("sig-release/groups.yaml", "k8s-infra-release-admins@kubernetes.io")
    assert restrictions.allows("sig-release/groups.yaml", "k8s-infra-staging-bom@kubernetes.io")
    assert not restrictions.allows(
        "sig-release/groups.yaml", "k8s-infra-release-adminsXkubernetes.io"
    )
    assert not restrictions.allows("groups.yaml", "leads@kubernetes.io")
    assert not restrictions.allows("sig-node/groups.yaml", "sig-node@kubernetes.io")


def test_the_differences_are_listed_in_the_groups_section() -> None:
    differences = DIFFERENCES[DIFFERENCES.index("## Google Groups\n") :]
    differences = differences[: differences.index("\n## ")]
    rows = [
        line for line in differences.splitlines() if line.startswith("| ") and "---" not in line
    ]
    assert len(rows) >= 10
    for row in rows[1:]:
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert len(cells) == 3 and all(cells), row


def test_the_postsubmit_job_shows_what_the_scripts_run() -> None:
    section = ON_CALL[ON_CALL.index("## The postsubmit job") :]
    section = section[: section.index("\n## ")]
    (block,) = re.findall(r"```sh\n(.*?)```", section, re.S)
    shown = [line for line in block.splitlines() if line and not line.startswith("#")]
    ran = []
    for script in ("postsubmit-groups.sh", "periodic-groups.sh"):
        assert f"# scripts/ci/{script}" in block
        assert f"`scripts/ci/{script}`" in section
        text = (REPO / "scripts" / "ci" / script).read_text(encoding="utf-8")
        ran += [
            line for line in text.splitlines()[1:] if line and not line.startswith(("#", "set "))
        ]
    assert shown == ran
    assert "--estate-checks" in " ".join(section.split())


def test_the_documented_domain_default_is_the_code_s() -> None:
    words = " ".join(GROUPS_PART.split())
    assert f"`k8s-infra:domain` (optional, default `{DEFAULT_DOMAIN}`)" in words
    assert DEFAULT_DOMAIN == "kubernetes.io"
    needs = stack_schema().needs
    assert "domain" not in needs[GROUPS_COMPONENT]
    assert "domain" in needs["staging"]


def test_the_estate_checks_example_is_what_the_reader_accepts() -> None:
    (example,) = [b for b in yaml_blocks() if b.startswith("k8s-infra:groups:\n  estate_checks:")]
    value = yaml.safe_load(example)["k8s-infra:groups"]
    problems = Problems()
    where = Fields(locate_file("docs/reference/groups.md"), problems)
    found = parse_groups_object(value, where).estate
    assert [p.format() for p in problems] == []
    assert found.required_names == ("community",)
    assert found.required_settings["leads@kubernetes.io"] == {"AllowWebPosting": "true"}
    assert ESTATE_KEY in GROUPS_OBJECT_KEYS
