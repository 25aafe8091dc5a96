"""Adding a concern is its own code plus one catalog line: nothing central changes.

The concern below (a bucket per declared name, from an infra.yaml section and
a stack key) is registered by adding it to ``CONCERNS`` only; validation,
stack settings, infra.yaml's keys and the program then know it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi
import pytest
from pulumi.runtime import mocks, settings

from infra import catalog
from infra.catalog.validation import load_declarations
from infra.core.fields import Fields
from infra.core.problems import Problems
from infra.declarations.concern import CheckContext, Checked, Concern
from infra.declarations.loaded import Declarations
from infra.declarations.stacks import ConfigKey, StackSettings

NAME = "example-buckets"


def _check(context: CheckContext, problems: Problems) -> Checked:
    if context.estate is None or not context.building(NAME):
        return Checked()
    section = context.estate.section("example")
    fields = Fields.of(context.estate.document, problems)
    found = []
    for entry in section.projects.values() if section else ():
        days = fields.days(entry.options.get("age_days", 30), ("infra", "example", "projects",
                           entry.project_id, "age_days"))  # fmt: skip
        if days is not None:
            found.append((entry.project_id, days))
    return Checked(tuple(found))


def _build(stack: StackSettings, declarations: Declarations) -> None:
    import pulumi_gcp as gcp

    location = stack.object("example")["location"]
    for project_id, days in declarations.model(NAME, tuple) or ():
        gcp.storage.Bucket(
            f"{project_id}-example",
            name=f"{project_id}-example",
            project=project_id,
            location=location,
            lifecycle_rules=[{"action": {"type": "Delete"}, "condition": {"age": days}}],
        )


EXAMPLE = Concern(
    name=NAME,
    summary="one bucket per project of the `example` section",
    check=_check,
    build=_build,
    config_keys={"example": ConfigKey("object", "where the buckets live", required=True)},
    section="example",
    project_keys=frozenset({"age_days"}),
)


@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalog, "CONCERNS", (*catalog.CONCERNS, EXAMPLE))


def write_checkout(root: Path, infra_yaml: str, stack: str) -> Path:
    (root / "infra").mkdir(parents=True)
    (root / "stacks").mkdir()
    (root / "infra" / "infra.yaml").write_text(infra_yaml)
    (root / "stacks" / "Pulumi.example.yaml").write_text(stack)
    return root


INFRA_YAML = """\
infra:
  example:
    projects:
      k8s-infra-example-one:
        age_days: 7
      k8s-infra-example-two:
"""
STACK = """\
config:
  k8s-infra:components: [example-buckets]
  k8s-infra:example: {location: US}
"""


def test_validation_knows_a_concern_from_its_catalog_line(tmp_path: Path, registered: None) -> None:
    root = write_checkout(tmp_path, INFRA_YAML, STACK)
    problems = Problems()
    declarations = load_declarations(root, problems)
    assert [p.format() for p in problems] == []
    assert declarations is not None
    assert declarations.model(NAME, tuple) == (
        ("k8s-infra-example-one", 7),
        ("k8s-infra-example-two", 30),
    )


def test_its_keys_and_config_are_checked_like_any_other(tmp_path: Path, registered: None) -> None:
    broken = INFRA_YAML.replace("age_days: 7", "age_day: 0")
    root = write_checkout(tmp_path, broken, "config:\n  k8s-infra:components: [example-buckets]\n")
    problems = Problems()
    load_declarations(root, problems)
    assert [p.format() for p in problems] == [
        "infra/infra.yaml:5:9: error: unknown key `age_day` in project `k8s-infra-example-one` "
        "(hint: did you mean `age_days`?)",
        "stacks/Pulumi.example.yaml:2:3: error: component `example-buckets` needs config key "
        "`k8s-infra:example` (hint: set where the buckets live)",
    ]


def test_without_its_catalog_line_the_component_is_unknown(tmp_path: Path) -> None:
    root = write_checkout(tmp_path, INFRA_YAML, STACK)
    problems = Problems()
    load_declarations(root, problems)
    messages = [p.message for p in problems]
    assert "unknown component `example-buckets`" in messages
    assert "unknown config key `k8s-infra:example`" in messages


class _Recorder(mocks.Mocks):
    def __init__(self) -> None:
        self.created: list[tuple[str, dict[str, Any]]] = []

    def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.created.append((args.name, dict(args.inputs)))
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: mocks.MockCallArgs) -> tuple[dict[str, Any], None]:
        return {}, None


def test_the_program_builds_it_from_the_stack_config(
    tmp_path: Path, registered: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from infra.program import main

    root = write_checkout(tmp_path, INFRA_YAML, STACK)
    monkeypatch.setenv("K8S_INFRA_ROOT", str(root))
    recorder = _Recorder()
    pulumi.runtime.set_all_config(
        {
            "k8s-infra:components": '["example-buckets"]',
            "k8s-infra:example": '{"location": "US"}',
        },
        [],
    )
    settings.set_root_resource(None)  # type: ignore[arg-type]
    mocks.set_mocks(recorder, project="k8s-infra", stack="example", preview=False)
    pulumi.runtime.test(main)()  # type: ignore[no-untyped-call]
    buckets = {name: inputs for name, inputs in recorder.created}
    assert set(buckets) == {"k8s-infra-example-one-example", "k8s-infra-example-two-example"}
    assert buckets["k8s-infra-example-one-example"]["lifecycleRules"] == [
        {"action": {"type": "Delete"}, "condition": {"age": 7}}
    ]
    assert buckets["k8s-infra-example-two-example"]["location"] == "US"
