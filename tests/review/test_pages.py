"""The largest change there is, every stack created from nothing, as comments: each page
within GitHub's limit, every resource in the details, every stack with its details."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from infra.declarations.stacks import stack_names
from infra.planner.diff import diff_plans
from infra.review.dangers import find_dangers
from infra.review.summary import LIMIT, PAGES, SummaryInput, pages
from tests.conftest import REPO
from tests.review.rendered import read

STACKS = stack_names(REPO)


def test_every_stack_created_is_split_into_pages_that_keep_every_resource(
    repo_plan: Callable[[str], dict[str, Any]],
) -> None:
    diffs = [diff_plans({"stack": s, "resources": []}, repo_plan(s), "0" * 40) for s in STACKS]
    dangers = [d for diff in diffs for d in find_dangers(diff)]
    texts = pages(SummaryInput("0" * 40, diffs, dangers, None, head="1" * 40))
    assert len(texts) > 2
    assert all(len(text) <= LIMIT for text in texts), [len(t) for t in texts]
    whole = "\n".join(texts)
    assert texts[0].count("### Dangerous changes") == whole.count("### Dangerous changes") == 1
    for number, text in enumerate(texts[1:], start=2):
        assert f"(page {number} of {len(texts)})" in text.splitlines()[0]
    assert len(texts) <= PAGES and "more page(s) left out" not in whole
    for diff in diffs:
        assert f"### `{diff.stack}`:" in whole
        shown = [c for c in diff.created if f"+ {c.name}" in whole or f"#   {c.name}\n" in whole]
        # every stack keeps details: all of a small one, an equal share of a large one
        assert shown, diff.stack
        if len(shown) < len(diff.created):
            assert re.search(rf"_\d+ more section\(s\) of `{diff.stack}` left out", whole)
    small = [d for d in diffs if d.stack in ("groups", "staging-images")]
    for diff in small:
        assert all(f"+ {c.name}" in whole or f"#   {c.name}\n" in whole for c in diff.created)
    for text in texts:
        rendered = read(text)
        assert rendered.tags.count("details") == text.count("<details>")
