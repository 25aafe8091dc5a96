"""The state estimate of scripts/state_size.py on a planned stack."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.conftest import script

state_size = script("state_size")


def test_the_estimate_counts_every_resource_and_the_provider_schema(
    repo_plan: Callable[[str], dict[str, Any]],
) -> None:
    plan = repo_plan("staging-images")
    found = state_size.measure("staging-images", plan)
    assert found["resources"] == len(plan["resources"])
    # a bucket's state holds its whole schema, far more than its planned inputs
    bucket = next(r for r in plan["resources"] if r["type"] == "gcp:storage/bucket:Bucket")
    entry = state_size.state_entry("staging-images", bucket)
    assert len(entry["outputs"]) > 3 * len(bucket["inputs"])
    assert "selfLink" in entry["outputs"]
    assert found["first_import_written_bytes"] == found["resources"] * found["state_bytes"] // 2
