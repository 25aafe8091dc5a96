"""The access section a PR summary opens with, from the comparison `plan --base` made.

from infra.access.section import access_section

lines = access_section(compared, limit=budget)  # compared: compare(...)'s answers
text = "\n".join(lines)  # Markdown, every value escaped; "" when access is unchanged
"""

from __future__ import annotations

from collections.abc import Sequence

from infra.access.plans import access_diff
from infra.access.render import markdown_lines
from infra.planner.compare import Compared


def access_section(compared: Sequence[Compared], limit: int | None = None) -> list[str]:
    """Markdown lines (heading, one item per collapsed change, new public access first),
    at most ``limit`` characters in all; no line when effective access does not change."""
    return markdown_lines(access_diff(compared), limit)
