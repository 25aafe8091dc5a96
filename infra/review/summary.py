"""The PR summary in Markdown, as files that each fit a GitHub comment.

Page one (``summary.md``) names the base and the head commit, then holds the
counts, one list of every danger (guard-rail violations, deletions,
replacements, removed protection, public grants, groups opened: each finding
once, many alike as one line with a count and the names), a picture, and as
many details as fit, most severe first. The rest of the details go to
``summary-2.md``, ``summary-3.md``...: each page is at most ``LIMIT``
characters, as GitHub allows in a comment. Identical changes in several
components are one entry with a count, so a change to 92 projects stays short.

Every value from declarations and plans is escaped for where it lands
(``escape.py``): code blocks are fenced longer than any backtick run they
hold, names in HTML are entities, cells and list items are code spans, so
no value ends a block, hides a change or forges a line.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from infra.core.problems import Problem
from infra.declarations.allowances import ALLOW_FILE
from infra.planner.diff import PlanDiff
from infra.planner.labels import type_name
from infra.review.dangers import Danger
from infra.review.escape import cell, code, fence, html
from infra.review.pictures import Picture, mermaid
from infra.review.report import PRIORITY, Entry, counts_text, entries

# GitHub refuses a comment longer than this many characters.
LIMIT = 65_536
# Room kept on each page for its heading and its closing line.
RESERVE = 600
# Longest details block; a longer one is cut into parts.
BLOCK = 24_000
# Names listed on a collapsed line before "and N more".
NAMES = 12
# Pages at most; what does not fit is in plan-diff.json.
PAGES = 20


@dataclass(frozen=True)
class Finding:
    """A guard-rail verdict, as the summary lists it beside the plan's dangers."""

    stack: str
    urn: str
    name: str
    policy: str
    message: str


@dataclass(frozen=True)
class SummaryInput:
    base: str  # the base commit
    diffs: Sequence[PlanDiff]
    dangers: Sequence[Danger]
    picture: Picture | None  # None when nothing changed
    problems: Sequence[Problem] = ()  # validation's warnings (errors stop the plan)
    head: str = ""  # the head commit, "" when unknown
    head_dirty: bool = False  # the work tree differs from the head commit
    guardrails: Sequence[Finding] | None = None  # None: not checked
    guardrail_policies: int = 0
    guardrail_resources: int = 0
    access: Sequence[str] = ()  # "who gains what" (infra.access.section), already Markdown


def pages(summary: SummaryInput) -> list[str]:
    """The summary as Markdown pages, each at most ``LIMIT`` characters."""
    first = [_heading(summary), _counts(summary.diffs)]
    first += _guardrails_line(summary)
    blocks = _danger_blocks(summary)
    if summary.access:  # who gains what: right after the dangers
        blocks.append("\n".join(summary.access) + "\n")
    if summary.picture is not None and summary.picture.clusters:
        blocks.append("### Changed components\n\n" + fence(mermaid(summary.picture), "mermaid"))
    blocks += _problems(summary.problems)
    # the room the pages have for details, kept a little short of full pages
    room = int(PAGES * (LIMIT - RESERVE) * 0.9) - sum(len(b) + 1 for b in [*first, *blocks])
    blocks += _details(summary.diffs, room)
    packed = _pack("\n".join(first), blocks)
    total = len(packed)
    shown = packed[:PAGES]
    texts = []
    for number, page in enumerate(shown, start=1):
        head = "" if number == 1 else f"{_heading(summary, number, total)}"
        foot = _footer(number, total)
        texts.append("\n".join([p for p in (head, *page) if p]) + foot)
    return texts


def markdown(summary: SummaryInput) -> str:
    """Every page, one after the other (for a terminal or a file that is not posted)."""
    return "\n".join(pages(summary))


def page_name(number: int) -> str:
    return "summary.md" if number == 1 else f"summary-{number}.md"


def _heading(summary: SummaryInput, number: int = 1, total: int = 1) -> str:
    head = f"`{summary.head[:12]}`" if summary.head else "the work tree"
    if summary.head and summary.head_dirty:
        head += " with uncommitted changes"
    page = f" (page {number} of {total})" if number > 1 else ""
    return f"## Offline plan of {head} against base `{summary.base[:12]}`{page}\n"


def _footer(number: int, total: int) -> str:
    if total == 1:
        return ""
    if number < min(total, PAGES):
        return f"\n_Continued in `{page_name(number + 1)}` (page {number + 1} of {total})._\n"
    if total > PAGES:
        return f"\n_{total - PAGES} more page(s) left out: every change is in `plan-diff.json`._\n"
    return ""


def _pack(first: str, blocks: list[str]) -> list[list[str]]:
    """Blocks in order onto pages of at most ``LIMIT - RESERVE`` characters."""
    room = LIMIT - RESERVE
    pages_: list[list[str]] = [[first]]
    used = len(first)
    for block in blocks:
        size = len(block) + 1
        if used + size > room and used > 0:
            pages_.append([])
            used = 0
        pages_[-1].append(block)
        used += size
    return pages_


def _counts(diffs: Sequence[PlanDiff]) -> str:
    rows = [
        "| stack | create | update | replace | delete | |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for diff in diffs:
        counts = diff.counts()
        note = counts_text(diff) if diff.empty else ""
        cells = " | ".join(str(counts[k]) for k in ("create", "update", "replace", "delete"))
        rows.append(f"| {cell(diff.stack)} | {cells} | {note} |")
    return "\n".join(rows) + "\n"


def _guardrails_line(summary: SummaryInput) -> list[str]:
    if summary.guardrails is None:
        return []
    where = f"{summary.guardrail_resources} resources in {len(summary.diffs)} stack(s)"
    if not summary.guardrails:
        return [f"_Guard rails: all {summary.guardrail_policies} policies pass on {where}._\n"]
    return [f"_Guard rails: {len(summary.guardrails)} violation(s) on {where}, listed below._\n"]


# --- dangers, each once ------------------------------------------------------------


@dataclass
class _Line:
    """One line of the dangers list: a resource, or several alike (same stack, type,
    status and messages)."""

    stack: str
    icon: str
    kind: str  # the class name of the resources' type
    messages: tuple[str, ...]
    names: list[str] = field(default_factory=list)


def _danger_blocks(summary: SummaryInput) -> list[str]:
    by_resource: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    names: dict[tuple[str, str], str] = {}
    for danger in summary.dangers:
        key = (danger.stack, danger.urn)
        names[key] = danger.name
        by_resource[key].append((_status(danger), danger.message + _allowed(danger)))
    for finding in summary.guardrails or ():
        key = (finding.stack, finding.urn)
        names.setdefault(key, finding.name)
        by_resource[key].append(("refused", f"[{finding.policy}] {finding.message}"))
    if not by_resource:
        return []
    lines: dict[tuple[str, str, str, tuple[str, ...]], _Line] = {}
    for key, found in by_resource.items():
        stack, urn = key
        status = min((s for s, _ in found), key=_SEVERITY.__getitem__)
        messages = tuple(dict.fromkeys(m for _, m in found))
        kind = type_name(urn.rsplit("::", 2)[-2]) if urn.count("::") >= 2 else ""
        line = lines.setdefault((stack, status, kind, messages),
                                _Line(stack, status, kind, messages))  # fmt: skip
        line.names.append(names[key])
    ordered = sorted(lines.values(), key=lambda line: (_SEVERITY[line.icon], line.stack,
                                                       line.kind, line.messages))  # fmt: skip
    text = ["### Dangerous changes\n"]
    text += [_danger_line(line) for line in ordered]
    refused = sum(len(line.names) for line in ordered if line.icon == "refused")
    if refused:
        text.append(
            f"\n`plan --strict` and the guard rails refuse {refused} change(s). A change meant "
            f"to happen is allowed by an entry in `{ALLOW_FILE}` in this PR (stack, resource, "
            "change, reason)."
        )
    return _split("\n".join(text) + "\n")


_SEVERITY = {"refused": 0, "warning": 1, "allowed": 2}
_ICONS = {"refused": ":x:", "warning": ":warning:", "allowed": ":white_check_mark:"}


def _status(danger: Danger) -> str:
    if danger.allowed_by is not None:
        return "allowed"
    return "refused" if danger.fails else "warning"


def _allowed(danger: Danger) -> str:
    if danger.allowed_by is None:
        return ""
    return f" (allowed by {danger.allowed_by.place}: {danger.allowed_by.reason})"


def _danger_line(line: _Line) -> str:
    message = code("; ".join(line.messages))
    if len(line.names) == 1:
        return f"- {_ICONS[line.icon]} {code(line.stack)}: {code(line.names[0])}: {message}"
    names = sorted(line.names)
    listed = ", ".join(code(n) for n in names[:NAMES])
    more = f" and {len(names) - NAMES} more" if len(names) > NAMES else ""
    return (f"- {_ICONS[line.icon]} {code(line.stack)}: {len(names)} × {code(line.kind)}: "
            f"{message} ({listed}{more})")  # fmt: skip


def _split(text: str) -> list[str]:
    """A long list as several blocks, each at most ``BLOCK`` characters, cut between lines."""
    blocks: list[str] = []
    current: list[str] = []
    size = 0
    for line in text.splitlines(keepends=True):
        if current and size + len(line) > BLOCK:
            blocks.append("".join(current))
            current, size = [], 0
        current.append(line)
        size += len(line)
    if current:
        blocks.append("".join(current))
    return blocks


# --- details -----------------------------------------------------------------------


def _details(diffs: Sequence[PlanDiff], room: int) -> list[str]:
    """Per stack, a heading and a collapsible block per component (or per group of alike
    changes), most severe first. When they need more than ``room`` characters, each
    stack gets an equal share (a stack needing less leaves the rest to the others), so
    no stack loses every detail; what does not fit is named, and is in plan-diff.json."""
    per_stack: list[tuple[PlanDiff, list[str]]] = []
    for diff in diffs:
        if diff.empty:
            continue
        blocks: list[str] = []
        for title, _, lines in _sections(list(entries(diff))):
            blocks += _blocks(title, lines)
        per_stack.append((diff, blocks))
    shares = _shares([sum(len(b) + 1 for b in blocks) for _, blocks in per_stack], room)
    found: list[str] = []
    for (diff, blocks), share in zip(per_stack, shares, strict=True):
        found.append(f"### {code(diff.stack)}: {counts_text(diff)}\n")
        used, kept = 0, 0
        for block in blocks:
            if used + len(block) + 1 > share:
                break
            found.append(block)
            used += len(block) + 1
            kept += 1
        if kept < len(blocks):
            found.append(
                f"_{len(blocks) - kept} more section(s) of {code(diff.stack)} left out to keep "
                "the comments few: every change is in `plan-diff.json`._\n"
            )
    return found


def _shares(sizes: list[int], room: int) -> list[int]:
    """Room per stack: what each needs, the largest cut to an equal share of what is left."""
    shares = [0] * len(sizes)
    left = max(room, 0)
    order = sorted(range(len(sizes)), key=sizes.__getitem__)
    for position, index in enumerate(order):
        fair = left // (len(order) - position)
        shares[index] = min(sizes[index], fair)
        left -= shares[index]
    return shares


def _sections(found: list[Entry]) -> list[tuple[str, int, list[str]]]:
    """(summary title, priority, diff lines): changes alike (the same kind of change to
    the same type with the same values) as one entry with a count and the names, the
    rest per component; most severe first."""
    alike: dict[tuple[str, str, str, tuple[str, ...]], list[Entry]] = defaultdict(list)
    for entry in found:
        alike[(entry.mark, entry.kind, entry.note, entry.values)].append(entry)
    sections: list[tuple[str, int, list[str]]] = []
    per_component: dict[str, list[Entry]] = defaultdict(list)
    for (mark, kind, note, values), group in alike.items():
        if len(group) == 1:
            per_component[group[0].component].append(group[0])
            continue
        components = sorted({e.component for e in group})
        where = (f"<code>{html(components[0])}</code>" if len(components) == 1
                 else f"{len(components)} components")  # fmt: skip
        title = f"{len(group)} × <code>{html(kind)}</code> alike in {where}"
        names = sorted(e.name for e in group)
        lines = [f"{mark} {len(group)} × {kind}{note}", *("    " + v for v in values),
                 f"# the {len(group)} resources:", *(f"#   {n}" for n in names)]  # fmt: skip
        sections.append((title, PRIORITY[mark], lines))
    for name, own in per_component.items():
        own.sort(key=lambda e: PRIORITY[e.mark])
        rank = min(PRIORITY[e.mark] for e in own)
        title = f"<code>{html(name)}</code>: {len(own)} change(s)"
        sections.append((title, rank, [line for e in own for line in e.lines()]))
    sections.sort(key=lambda s: s[1])
    return sections


def _blocks(title: str, lines: list[str]) -> list[str]:
    """A collapsible block of diff lines; a long one cut into parts between lines."""
    parts: list[list[str]] = [[]]
    size = 0
    for whole in lines:
        line = whole
        if len(whole) > BLOCK // 2:
            line = whole[: BLOCK // 2] + f"… ({len(whole)} characters: see plan-diff.json)"
        if parts[-1] and size + len(line) + 1 > BLOCK:
            parts.append([])
            size = 0
        parts[-1].append(line)
        size += len(line) + 1
    shown = []
    for number, part in enumerate(parts, start=1):
        suffix = f" (part {number} of {len(parts)})" if len(parts) > 1 else ""
        shown.append(
            f"<details><summary>{title}{suffix}</summary>\n\n"
            + fence("\n".join(part), "diff")
            + "</details>\n"
        )
    return shown


def _problems(problems: Sequence[Problem]) -> list[str]:
    if not problems:
        return []
    lines = "\n".join(f"- {code(p.format())}" for p in problems)
    return _split(f"### Validation\n\n{lines}\n")


def findings(document: Mapping[str, Any]) -> tuple[list[Finding], int]:
    """The violations and the resource count of ``policy check --json``'s document."""
    found, resources = [], 0
    for stack in document.get("stacks") or []:
        resources += int(stack.get("resources") or 0)
        for verdict in stack.get("violations") or []:
            found.append(Finding(str(verdict["stack"]), str(verdict["urn"]), str(verdict["name"]),
                                 str(verdict["policy"]), str(verdict["message"])))  # fmt: skip
    return found, resources


def stacks_of(diffs: Iterable[PlanDiff]) -> set[str]:
    return {d.stack for d in diffs}
