"""Pictures of changes a reviewer can read: alike changes aggregated, at most
``MAX_NODES`` boxes, and at most 1,600 pixels wide as mermaid draws them in a
browser (headless Chromium, where Node.js, Chromium and the npm packages of
tests/cli/mermaid are installed; .ci/run installs them)."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
from collections.abc import Callable
from typing import Any

import pytest

from infra.declarations.stacks import stack_names
from infra.planner.diff import diff_plans
from infra.review.graphs import MAX_NODES, StackChanges, changes_picture
from infra.review.pictures import Picture, mermaid
from tests.cli.test_graph import MERMAID
from tests.conftest import REPO

WIDEST = 1_600
STACKS = stack_names(REPO)


def render(diagrams: list[str]) -> list[dict[str, Any]]:
    """Each diagram drawn by mermaid in headless Chromium: its natural width and height."""
    node = shutil.which("node")
    chromium = os.environ.get("CHROMIUM") or next(
        (found for name in ("chromium", "chromium-browser") if (found := shutil.which(name))), None
    )
    if node is None or chromium is None:
        pytest.skip("rendering needs Node.js and Chromium (apt's `chromium`)")
    if not (MERMAID / "node_modules" / "puppeteer-core" / "package.json").is_file():
        pytest.skip("npm install --prefix tests/cli/mermaid --no-package-lock (.ci/run does)")
    done = subprocess.run(
        [node, str(MERMAID / "render.mjs")], input=json.dumps(diagrams), capture_output=True,
        text=True, check=True, timeout=300, env={**os.environ, "CHROMIUM": chromium},
    )  # fmt: skip
    results: list[dict[str, Any]] = json.loads(done.stdout)
    return results


def empty(stack: str) -> dict[str, Any]:
    return {"stack": stack, "resources": [], "outputs": {}}


def created(plan: dict[str, Any]) -> Picture:
    """The picture of creating a whole stack: the largest change it can have."""
    base = empty(plan["stack"])
    return changes_picture([StackChanges(diff_plans(base, plan, "0" * 40), plan, base)])


def new_image(plan: dict[str, Any]) -> dict[str, Any]:
    """The plan with a new digest for every proxy service (what a digest bump changes)."""
    changed = copy.deepcopy(plan)
    for resource in changed["resources"]:
        if resource["type"] == "gcp:cloudrunv2/service:Service":
            for container in resource["inputs"]["template"]["containers"]:
                container["image"] = container["image"].split("@")[0] + "@sha256:" + "1" * 64
    return changed


def boxes(picture: Picture) -> int:
    return sum(1 for node in picture.all_nodes() if not node.round)


@pytest.mark.parametrize("stack", STACKS)
def test_creating_a_whole_stack_draws_at_most_the_cap_within_1600_pixels(
    repo_plan: Callable[[str], dict[str, Any]], stack: str
) -> None:
    picture = created(repo_plan(stack))
    assert boxes(picture) <= MAX_NODES
    (drawn,) = render([mermaid(picture)])
    assert drawn["ok"], drawn
    assert drawn["width"] <= WIDEST, drawn


def test_a_digest_bump_is_one_box_for_the_22_services(
    repo_plan: Callable[[str], dict[str, Any]],
) -> None:
    base = repo_plan("registry-prod")
    head = new_image(base)
    diff = diff_plans(base, head, "0" * 40)
    assert len(diff.update) == 22
    picture = changes_picture([StackChanges(diff, head, base)])
    labels = [node.label for node in picture.all_nodes()]
    assert labels == ["Service ×22\nupdate"]
    (drawn,) = render([mermaid(picture)])
    assert drawn["ok"] and drawn["width"] <= WIDEST, drawn
