"""The request budget of a no-op reconcile of an estate the size of the real one."""

from __future__ import annotations

from infra.groups.engine.apis import GoogleApis
from infra.groups.engine.reconcile import Options, apply_change_set, compare_all
from tests.fake_google import FakeGoogle, scenario


def test_no_op_reconcile_of_400_groups_fits_the_budget(
    fake: FakeGoogle, apis: GoogleApis, options: Options
) -> None:
    tree = scenario.seed(fake.workspace)
    counts = scenario.member_counts()
    assert sum(counts) == 3000 and len(counts) == 400
    fake.reset_counters()
    compared = compare_all(apis, tree, options)
    report = apply_change_set(apis, compared, options)
    assert compared.changes == ()
    assert report.failures == ()
    extra = scenario.extra_pages(counts)
    assert extra == 4
    assert fake.counters.http_requests <= 25 + extra
    # Every call went out once: 2 pages of groups, 400 settings, 400 + 4 member pages.
    assert fake.counters.calls == 2 + 400 + 400 + extra
    assert fake.counters.batch_requests == fake.counters.http_requests - 2
    assert scenario.upstream_calls(counts) == 2401
