"""The catalog entry of the production artifact storage (component `prod-storage`)."""

from __future__ import annotations

from infra.core.problems import Problems
from infra.declarations.concern import CheckContext, Checked, Concern, GroupReference
from infra.declarations.loaded import Declarations
from infra.declarations.stacks import StackSettings
from infra.prod_storage.guardrails import GUARDRAILS
from infra.prod_storage.model import (
    COMPONENT,
    DATA_FILE,
    builds_prod_storage,
    load_prod_storage,
)
from infra.prod_storage.resources import RESOURCES


def check(context: CheckContext, problems: Problems) -> Checked:
    """The data file, read only when a stack builds the component."""
    if not builds_prod_storage(context.stacks):
        return Checked()
    storage = load_prod_storage(context.root, problems)
    if storage is None:
        return Checked()
    references = tuple(GroupReference(a, w) for a, w in storage.group_references)
    return Checked(storage, references)


def build(settings: StackSettings, declarations: Declarations) -> None:
    from infra.prod_storage.build import build_prod_storage

    build_prod_storage(settings, declarations)


CONCERN = Concern(
    name=COMPONENT,
    summary="production artifact buckets and the accounts around them (was ensure-prod-storage.sh)",
    check=check,
    build=build,
    inputs=lambda _settings: (DATA_FILE,),
    guardrails=GUARDRAILS,
    resources=RESOURCES,
)
