"""A concern that picks named parts of a plan serves `adopt STACK NAME...` through the
catalog alone: registered, its picks are the targets; without any, names are refused."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from infra import catalog
from infra.cli.adopt import _targets
from infra.core.errors import K8sInfraError, UsageError
from infra.declarations.concern import Concern, Picked
from infra.engines import Targets
from tests.toy.test_commands import TOY

PLAN = {"resources": [{"urn": "urn:a", "name": "alpha"}, {"urn": "urn:b", "name": "beta"}]}


def _picks(stack: str, plan: Mapping[str, Any], requested: Sequence[str]) -> Picked:
    by_name = {r["name"]: r["urn"] for r in plan["resources"]}
    return Picked(
        urns=tuple(by_name[n] for n in requested if n in by_name),
        dependents=True,
        described=", ".join(requested),
        unknown=tuple(n for n in requested if n not in by_name),
        hint=f"name a resource of {stack}",
    )


PICKER = Concern(name="picker", summary="picks resources by name", check=TOY.check,
                 build=TOY.build, picks=_picks)  # fmt: skip


def test_the_registered_picks_are_the_targets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalog, "CONCERNS", (TOY, PICKER))
    assert _targets("demo", PLAN, ["beta"]) == Targets(("urn:b",), dependents=True)
    with pytest.raises(K8sInfraError) as refused:
        _targets("demo", PLAN, ["gamma"])
    assert "`gamma`" in str(refused.value) and refused.value.hint == "name a resource of demo"


def test_without_a_concern_that_picks_names_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalog, "CONCERNS", (TOY,))
    with pytest.raises(UsageError):
        _targets("demo", PLAN, ["beta"])
    assert _targets("demo", PLAN, []) is None
