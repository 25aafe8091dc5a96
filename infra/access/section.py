"""The access section a PR summary opens with, from the comparison `plan --base` made.

from infra.access.section import access_section

# compared: what compare() answered for `plan --base`; budget: characters left
lines = access_section(compared, limit=budget, production=frozenset({"registry-prod"}))
text = "\n".join(lines)  # Markdown, every value escaped; "" when access is unchanged
"""

from __future__ import annotations

from collections.abc import Sequence

from infra.access.plans import access_diff
from infra.access.render import markdown_lines
from infra.planner.compare import Compared


def access_section(
    compared: Sequence[Compared],
    limit: int | None = None,
    production: frozenset[str] = frozenset(),
) -> list[str]:
    """Markdown lines (heading, one item per collapsed change), at most ``limit``
    characters in all; none when effective access does not change. New public access
    and new access granted by the plans of the ``production`` stacks come first, marked
    :warning:."""
    return markdown_lines(access_diff(compared), limit, production)
