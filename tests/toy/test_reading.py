"""A concern's section is read once per building stack and its builder takes that model.

The toy concern below resolves an infra.yaml section with each stack's
settings through ``PerStackSection``, the scaffolding the staging concerns
share; it is registered by one catalog line. Its loader counts its calls, so
a second reading of the section would show.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import pytest
from pulumi.runtime import mocks, settings

from infra import catalog
from infra.catalog.validation import load_declarations
from infra.core.environment import ROOT_ENV
from infra.core.problems import Position, Problems
from infra.declarations.concern import Concern
from infra.declarations.estate import Estate
from infra.declarations.loaded import Declarations
from infra.declarations.per_stack import PerStack, PerStackSection
from infra.declarations.stacks import ConfigKey, StackSettings

NAME = "toy-buckets"


@dataclass(frozen=True)
class ToySettings:
    prefix: str


@dataclass(frozen=True)
class ToyModel:
    settings: ToySettings
    buckets: tuple[str, ...]
    group_references: tuple[tuple[str, Position], ...] = ()


LOADS: list[str] = []  # the prefix of every reading of the section


def _settings(stack: StackSettings, problems: Problems) -> ToySettings | None:
    prefix = stack.object("toy").get("prefix")
    if not isinstance(prefix, str):
        problems.error(stack.where("toy"), "`k8s-infra:toy` needs a `prefix`")
        return None
    return ToySettings(prefix)


def _load(estate: Estate, shared: ToySettings, problems: Problems) -> ToyModel:
    LOADS.append(shared.prefix)
    projects = sorted(entry.project_id for entry in estate.projects("toy"))
    return ToyModel(shared, tuple(f"{shared.prefix}-{project}" for project in projects))


SECTION = PerStackSection(NAME, _settings, _load, lambda _estate, _problems: None)


def _build(stack: StackSettings, declarations: Declarations) -> None:
    import pulumi_gcp as gcp

    for bucket in SECTION.model(stack, declarations).buckets:
        gcp.storage.Bucket(bucket, name=bucket, location="US")


TOY = Concern(
    name=NAME,
    summary="one bucket per project of the `toy` section, named with the stack's prefix",
    check=SECTION.check,
    build=_build,
    config_keys={"toy": ConfigKey("object", "the buckets' name prefix", required=True)},
    section="toy",
)

INFRA_YAML = """\
infra:
  toy:
    projects:
      k8s-infra-toy-one:
      k8s-infra-toy-two:
"""


def _stack(prefix: str) -> str:
    return f"config:\n  k8s-infra:components: [{NAME}]\n  k8s-infra:toy: {{prefix: {prefix}}}\n"


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(catalog, "CONCERNS", (*catalog.CONCERNS, TOY))
    LOADS.clear()
    (tmp_path / "infra").mkdir()
    (tmp_path / "stacks").mkdir()
    (tmp_path / "infra" / "infra.yaml").write_text(INFRA_YAML)
    (tmp_path / "stacks" / "Pulumi.blue.yaml").write_text(_stack("blue"))
    (tmp_path / "stacks" / "Pulumi.green.yaml").write_text(_stack("green"))
    return tmp_path


def test_the_check_keeps_one_model_per_building_stack(root: Path) -> None:
    problems = Problems()
    declarations = load_declarations(root, problems)
    assert [p.format() for p in problems] == []
    assert declarations is not None
    checked = declarations.model(NAME, PerStack)
    assert checked is not None
    assert {stack: model.buckets for stack, model in checked.models.items()} == {
        "blue": ("blue-k8s-infra-toy-one", "blue-k8s-infra-toy-two"),
        "green": ("green-k8s-infra-toy-one", "green-k8s-infra-toy-two"),
    }
    assert sorted(LOADS) == ["blue", "green"]


class _Recorder(mocks.Mocks):
    def __init__(self) -> None:
        self.created: list[str] = []

    def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.created.append(args.name)
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: mocks.MockCallArgs) -> tuple[dict[str, Any], None]:
        return {}, None


def _run_program(root: Path, stack: str, prefix: str, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    from infra.program import main

    monkeypatch.setenv(ROOT_ENV, str(root))
    recorder = _Recorder()
    pulumi.runtime.set_all_config(
        {"k8s-infra:components": f'["{NAME}"]', "k8s-infra:toy": f'{{"prefix": "{prefix}"}}'}, []
    )
    settings.set_root_resource(None)  # type: ignore[arg-type]
    mocks.set_mocks(recorder, project="k8s-infra", stack=stack, preview=False)
    pulumi.runtime.test(main)()  # type: ignore[no-untyped-call]
    return sorted(recorder.created)


def test_the_builder_takes_the_checked_model(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    created = _run_program(root, "green", "green", monkeypatch)
    assert created == ["green-k8s-infra-toy-one", "green-k8s-infra-toy-two"]
    assert sorted(LOADS) == ["blue", "green"]  # the program's check; the builder read nothing


def test_the_engine_s_config_counts_when_it_differs_from_the_stack_file(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = _run_program(root, "green", "red", monkeypatch)
    assert created == ["red-k8s-infra-toy-one", "red-k8s-infra-toy-two"]
    assert sorted(LOADS) == ["blue", "green", "red"]
