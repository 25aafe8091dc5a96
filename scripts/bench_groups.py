#!/usr/bin/env python3
"""Benchmark: a no-op reconcile of 400 groups with 3,000 memberships.

Runs the engine (google-api-python-client, batches, paging) against the
local fake Google server and prints its HTTP requests and seconds next to
the requests upstream's one-call-at-a-time reconciler makes for the same
Workspace (computed: it cannot run here).

    .venv/bin/python scripts/bench_groups.py [--latency-ms 50]

``--latency-ms`` adds a round-trip time to every request of the fake, as a
real network would, and estimates upstream's time from its request count.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=0.0, help="added per HTTP request")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))  # the fake server lives in tests/

    from infra.core.environment import GOOGLE_API_ENDPOINT_ENV
    from infra.groups.engine.apis import build_apis
    from infra.groups.engine.reconcile import Options, apply_change_set, compare_all
    from tests.fake_google import FakeGoogle, scenario

    fake = FakeGoogle().start()
    try:
        os.environ[GOOGLE_API_ENDPOINT_ENV] = fake.url
        tree = scenario.seed(fake.workspace)
        counts = scenario.member_counts()
        fake.latency = args.latency_ms / 1000
        apis = build_apis()
        options = Options()
        fake.reset_counters()
        started = time.perf_counter()
        compared = apply_change_set(apis, compare_all(apis, tree, options), options).compared
        seconds = time.perf_counter() - started
    finally:
        fake.stop()
    if compared.changes or compared.failures:
        sys.exit(
            f"not a no-op: {len(compared.changes)} change(s), {len(compared.failures)} failure(s)"
        )
    upstream = scenario.upstream_calls(counts)
    upstream_paged = scenario.upstream_calls(counts, paged=True)
    extra = scenario.extra_pages(counts)
    rows = [
        ("groups", f"{len(counts)}"),
        ("memberships", f"{sum(counts)} ({len(scenario.LARGE)} groups over 200 members)"),
        ("latency added per request", f"{args.latency_ms:g} ms"),
        ("k8s-infra: HTTP requests", f"{fake.counters.http_requests} (budget {25 + extra})"),
        ("k8s-infra: API calls inside them", f"{fake.counters.calls}"),
        ("k8s-infra: seconds", f"{seconds:.2f}"),
        ("upstream: HTTP requests (no paging)", f"{upstream}"),
        ("upstream: HTTP requests (if it paged)", f"{upstream_paged}"),
    ]
    if args.latency_ms:
        estimate = upstream * args.latency_ms / 1000
        rows.append(("upstream: seconds in round trips, one worker", f"{estimate:.1f}"))
        # Upstream ran 5 workers over the groups by default.
        rows.append(("upstream: same, with its 5 workers", f"{estimate / 5:.1f}"))
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")


if __name__ == "__main__":
    main()
