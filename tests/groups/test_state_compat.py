"""Group resources in state keep loading after the code moved.

A dynamic provider is pickled into state by module path. Version 0.1.0
pickled ``infra.components.groups.provider.GroupProvider``; that path must
stay importable so those resources can still be updated and deleted.
"""

from __future__ import annotations

import base64

import dill
import pytest
from pulumi.dynamic.dynamic import serialize_provider

from infra.groups.provider import GroupProvider
from tests.conftest import FIXTURES


def test_a_provider_pickled_by_0_1_0_still_loads() -> None:
    blob = (FIXTURES / "state" / "group-provider-0.1.0.b64").read_text().strip()
    assert b"infra.components.groups.provider" in base64.b64decode(blob)
    provider = dill.loads(base64.b64decode(blob))
    assert isinstance(provider, GroupProvider)


def test_new_state_pickles_the_provider_by_reference() -> None:
    blob = base64.b64decode(serialize_provider(GroupProvider()))
    assert b"infra.groups.provider" in blob
    assert len(blob) < 200  # a reference, not the class and its globals by value
    assert isinstance(dill.loads(blob), GroupProvider)


def test_the_old_path_names_the_provider_of_today() -> None:
    from infra.components.groups import provider as old_path

    assert old_path.GroupProvider is GroupProvider
    with pytest.raises(AttributeError, match="Missing"):
        old_path.Missing  # noqa: B018
