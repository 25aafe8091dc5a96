"""The PR summary in Markdown: counts, dangerous changes first, a picture, then every
change with its values in collapsible sections, and validation's warnings.

GitHub renders it in a comment (``diff`` blocks coloured, the Mermaid picture
drawn); comments hold at most 65,536 characters, so the details stop at
``LIMIT`` and point to ``plan-diff.json``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from infra.core.problems import Problem
from infra.planner.allowances import ALLOW_FILE, Allowance
from infra.planner.dangers import Danger
from infra.planner.diff import PlanDiff
from infra.planner.pictures import Picture, mermaid
from infra.planner.report import change_lines, counts_text

LIMIT = 60_000


@dataclass(frozen=True)
class SummaryInput:
    base: str  # the base commit
    diffs: Sequence[PlanDiff]
    dangers: Sequence[Danger]
    picture: Picture | None  # None when nothing changed
    problems: Sequence[Problem] = ()  # validation's warnings (errors stop the plan)
    unused: Sequence[Allowance] = ()


def markdown(summary: SummaryInput) -> str:
    parts = [f"## Offline plan against `{summary.base[:12]}`\n", _counts(summary.diffs)]
    parts += _dangers(summary.dangers, summary.unused)
    if summary.picture is not None and summary.picture.clusters:
        parts.append(f"### Changed components\n\n```mermaid\n{mermaid(summary.picture)}```\n")
    budget = LIMIT - sum(len(p) for p in parts)
    parts += _details(summary.diffs, budget)
    parts += _problems(summary.problems)
    return "\n".join(parts)


def _counts(diffs: Sequence[PlanDiff]) -> str:
    rows = [
        "| stack | create | update | replace | delete | |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for diff in diffs:
        counts = diff.counts()
        note = counts_text(diff) if diff.empty else ""
        cells = " | ".join(str(counts[k]) for k in ("create", "update", "replace", "delete"))
        rows.append(f"| `{diff.stack}` | {cells} | {note} |")
    return "\n".join(rows) + "\n"


def _dangers(dangers: Sequence[Danger], unused: Sequence[Allowance]) -> list[str]:
    if not dangers and not unused:
        return []
    lines = ["### Dangerous changes\n"]
    for danger in sorted(dangers, key=lambda d: (not d.refused, d.allowed_by is not None)):
        icon, note = _badge(danger)
        lines.append(f"- {icon} `{danger.stack}`: `{danger.name}`: {danger.message}{note}")
    refused = sum(1 for d in dangers if d.refused)
    if refused:
        lines.append(
            f"\n`plan --strict` refuses {refused} change(s). A change meant to happen is "
            f"allowed by an entry in `{ALLOW_FILE}` in this PR (stack, resource, change, reason)."
        )
    for allowance in unused:
        lines.append(
            f"- :grey_question: `{allowance.place}` allows `{allowance.change}` of "
            f"`{allowance.resource}` in `{allowance.stack}`, which this change does not make: "
            "remove it once applied"
        )
    return ["\n".join(lines) + "\n"]


def _badge(danger: Danger) -> tuple[str, str]:
    """The icon in front of a dangerous change, and what follows it."""
    if danger.allowed_by is not None:
        allowed = danger.allowed_by
        return ":white_check_mark:", f" (allowed by `{allowed.place}`: {allowed.reason})"
    if danger.fails:
        return ":x:", " (**refused** by the strict check)"
    return ":warning:", ""


def _details(diffs: Sequence[PlanDiff], budget: int) -> list[str]:
    """Per stack, a collapsible section per component with its changes and values."""
    parts: list[str] = []
    left = [d for d in diffs if not d.empty]
    skipped = 0
    for diff in left:
        sections = [f"### `{diff.stack}`: {counts_text(diff)}\n"]
        for component, lines in _by_component(diff):
            changes = sum(1 for line in lines if not line.startswith(" "))
            body = "\n".join(lines)
            sections.append(
                f"<details><summary><code>{component}</code>: {changes} change(s)</summary>\n\n"
                f"```diff\n{body}\n```\n</details>\n"
            )
        text = "\n".join(sections)
        if len(text) > budget:
            skipped += 1
            continue
        budget -= len(text)
        parts.append(text)
    if skipped:
        parts.append(
            f"_{skipped} stack(s) left out to fit a comment: every change and value is in "
            "`plan-diff.json`._\n"
        )
    return parts


def _by_component(diff: PlanDiff) -> Iterable[tuple[str, list[str]]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for line in change_lines(diff):
        grouped[line.component].append(line.text)
    return sorted(grouped.items())


def _problems(problems: Sequence[Problem]) -> list[str]:
    if not problems:
        return []
    lines = "\n".join(f"- `{p.format()}`" for p in problems)
    return [f"### Validation\n\n{lines}\n"]
