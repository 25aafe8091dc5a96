"""A resource type's facts are declared once, however many concerns create it."""

from __future__ import annotations

import pytest

from infra import catalog
from infra.declarations import google_resources
from infra.declarations.resources import ResourceFacts, facts_by_type, replaced_by

TOKEN = "gcp:pubsub/topic:Topic"


def test_a_type_two_concerns_share_is_one_declaration() -> None:
    topic = ResourceFacts(TOKEN, replacement=replaced_by("name", source="x.go"))
    assert facts_by_type((topic,), (topic,)) == {TOKEN: topic}


def test_two_different_declarations_of_one_type_are_refused() -> None:
    first = ResourceFacts(TOKEN, replacement=replaced_by("name", source="x.go"))
    second = ResourceFacts(TOKEN, replacement=replaced_by("name", "project", source="x.go"))
    with pytest.raises(ValueError, match="declared twice with different facts"):
        facts_by_type((first,), (second,))


def test_the_shared_google_types_are_the_ones_the_catalog_collects() -> None:
    shared = [v for v in vars(google_resources).values() if isinstance(v, ResourceFacts)]
    collected = catalog.resource_facts()
    assert shared and all(collected[f.token] is f for f in shared)
