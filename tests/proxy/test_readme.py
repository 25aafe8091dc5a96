"""The proxy's reference page documents every setting; the approver's, the cut-over order."""

from __future__ import annotations

import re

import pytest

from infra.proxy.model import DEPLOY_KEYS, LIVE_NAME_KEYS, PII_SINK_KEYS, SETTINGS_KEYS
from tests.conftest import REPO

DOCS = REPO / "docs"
SECTION = (DOCS / "reference" / "proxy.md").read_text(encoding="utf-8")
ADOPTION = (DOCS / "approver" / "adoption.md").read_text(encoding="utf-8")
DESIGN = (DOCS / "design.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "key", sorted({*SETTINGS_KEYS, *LIVE_NAME_KEYS, *PII_SINK_KEYS, *DEPLOY_KEYS})
)
def test_every_setting_is_documented(key: str) -> None:
    written = re.search(rf"^\s+(#\s*)?{key}:|# .*\b{key}: ", SECTION, re.M)
    assert f"`{key}`" in SECTION or written, key


def test_the_cut_over_order_is_authorization_certificate_then_addresses() -> None:
    steps = ADOPTION[ADOPTION.index("## DNS cut-over") :]
    first = steps.index("dnsAuthorizationRecords")
    active = steps.index("state: ACTIVE")
    records = steps.index("AAAA record")
    assert first < active < records


def test_the_stacks_table_names_the_proxy_component() -> None:
    table = DESIGN[DESIGN.index("## The stacks") : DESIGN.index("## Fidelity to upstream")]
    for stack in ("registry-sandbox", "registry-prod"):
        row = next(line for line in table.splitlines() if line.startswith(f"| `{stack}`"))
        assert "`registry-proxy`" in row
