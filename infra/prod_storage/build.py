"""Instantiates the production artifact storage of a stack."""

from __future__ import annotations

import pulumi

from infra.core.errors import ProblemsFound
from infra.core.problems import Position, Problems
from infra.declarations.loaded import Declarations
from infra.declarations.stacks import StackSettings
from infra.prod_storage.component import ProdStorageArgs, ProdStorageComponent
from infra.prod_storage.model import COMPONENT, DATA_FILE, ProdStorage


def build_prod_storage(settings: StackSettings, declarations: Declarations) -> None:
    storage = declarations.model(COMPONENT, ProdStorage)
    if storage is None:
        problems = Problems()
        problems.error(
            Position(DATA_FILE), "the data file was not loaded", "run `k8s-infra validate`"
        )
        raise ProblemsFound(problems.sorted())
    component = ProdStorageComponent("prod-storage", ProdStorageArgs(storage))
    pulumi.export("prodBuckets", {name: b.url for name, b in component.buckets.items()})
