"""Only the stacks whose inputs differ are replanned, and cached plans are the plans.

Each case edits one kind of input in a committed copy of this repository
(code and declarations, its staging section trimmed) and compares with the
commit: the stacks planned at the base must be exactly those whose key holds
the edited file (every stack for the code and the files under infra/).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from infra.planner.cache import PlanCache, run_cached
from infra.planner.compare import compare
from infra.planner.runner import PlanRequest, run_plans
from infra.planner.worktree import checkout, resolve_commit
from tests.conftest import trim_staging

# Stacks with different inputs (the groups tree, infra.yaml's staging section, the
# mirrors' data files): the mechanism, without the proxy's 22 regions twice.
STACKS = ("groups", "registry-mirrors", "staging")


def append(relative: str, text: str = "\n# touched\n") -> Callable[[Path], None]:
    def edit(repo: Path) -> None:
        path = repo / relative
        path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")

    return edit


def add_kueue_member(repo: Path) -> None:
    groups = repo / "groups" / "sig-scheduling" / "groups.yaml"
    text = groups.read_text(encoding="utf-8")
    anchor = "      - kueue-maintainer-2@example.com\n"
    assert anchor in text
    groups.write_text(text.replace(anchor, anchor + "      - kueue-maintainer-3@example.com\n"))


def new_groups_file(repo: Path) -> None:
    """A folder listing is an input too: a file nobody read before is seen."""
    (repo / "groups" / "sig-new").mkdir()
    (repo / "groups" / "sig-new" / "groups.yaml").write_text("groups: []\n")


CASES: dict[str, tuple[Callable[[Path], None], set[str]]] = {
    "nothing": (lambda repo: None, set()),
    "code of one component": (append("infra/staging/component.py"), set(STACKS)),
    "infra.yaml": (append("infra/infra.yaml"), set(STACKS)),
    "a groups file": (add_kueue_member, {"groups"}),
    "a stack file": (append("stacks/Pulumi.groups.yaml"), {"groups"}),
    "a data file": (append("infra/data/registry/s3-buckets.yaml"), set(STACKS)),
    "a new groups file": (new_groups_file, {"groups"}),
}


@pytest.mark.parametrize("case", list(CASES))
def test_only_stacks_reading_the_changed_file_are_replanned(
    git_checkout: Callable[..., Path], session_plans: Path, case: str
) -> None:
    edit, expected = CASES[case]
    repo = git_checkout(trim_staging)
    edit(repo)
    sha = resolve_commit(repo, "HEAD")
    requests = [PlanRequest(stack, repo, repo) for stack in STACKS]
    with checkout(repo, sha) as tree:
        compared = compare(requests, tree, sha, PlanCache(session_plans), jobs=2)
    replanned = {c.diff.stack for c in compared if c.base is not None}
    assert replanned == expected
    for c in compared:
        assert c.diff.inputs_unchanged == (c.diff.stack not in expected)
    groups = next(c.diff for c in compared if c.diff.stack == "groups")
    if case == "a groups file":
        (update,) = groups.update
        assert update.name == "groups › GoogleGroup k8s-infra-staging-kueue@kubernetes.io"
        assert [(c.key, c.added) for c in update.changes] == [
            ("members", ["kueue-maintainer-3@example.com"])
        ]
    else:
        assert groups.empty


def test_a_cached_plan_is_the_plan_and_an_edit_misses_only_where_read(
    git_checkout: Callable[..., Path], tmp_path: Path
) -> None:
    repo = git_checkout(trim_staging)
    requests = [PlanRequest(stack, repo, repo) for stack in STACKS]
    plan_cache = PlanCache(tmp_path / "cache")
    made = run_cached(requests, plan_cache, jobs=2)
    again = run_cached(requests, PlanCache(tmp_path / "cache"), jobs=2)
    assert not any(r.cached for r in made) and all(r.cached for r in again)
    for fresh, cached in zip(made, again, strict=True):
        assert json.dumps(fresh.plan, sort_keys=True) == json.dumps(cached.plan, sort_keys=True)
    add_kueue_member(repo)
    after = run_cached(requests, PlanCache(tmp_path / "cache"), jobs=2)
    assert {r.request.stack for r in after if not r.cached} == {"groups"}
    (replanned,) = run_plans([PlanRequest("groups", repo, repo)])
    groups = next(r for r in after if r.request.stack == "groups")
    assert groups.plan == replanned.plan
    assert "kueue-maintainer-3@example.com" in json.dumps(groups.plan)


def test_a_damaged_cache_is_a_miss_never_an_error(
    git_checkout: Callable[..., Path], tmp_path: Path
) -> None:
    repo = git_checkout(trim_staging)
    request = PlanRequest("registry-prod", repo, repo)
    folder = tmp_path / "cache"
    (first,) = run_cached([request], PlanCache(folder))
    assert first.plan is not None and first.plan["resources"]
    (entry,) = [p for p in folder.glob("registry-prod/*.json") if p.name != "resources.json"]
    entry.write_text("{not json")
    (result,) = run_cached([request], PlanCache(folder))
    assert not result.cached and result.plan == first.plan
