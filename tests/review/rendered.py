"""Markdown rendered as GitHub does (CommonMark, with tables and raw HTML), read back as
a tree: which text sits inside which elements."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

from markdown_it import MarkdownIt

# Elements that never hold children (no end tag).
_VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "wbr"})


def render(markdown: str) -> str:
    return str(MarkdownIt("commonmark").enable("table").render(markdown))


@dataclass
class Rendered:
    """Every text run with the elements around it, every element opened, every comment."""

    texts: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)

    def text(self) -> str:
        return "".join(t for t, _ in self.texts)

    def outside_code(self) -> str:
        """The text a reader sees as prose or markup (not inside code or pre)."""
        return "".join(t for t, around in self.texts if not {"code", "pre"} & set(around))


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.found = Rendered()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.tags.append(tag)
        if tag not in _VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.open:
            while self.open.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        self.found.texts.append((data, tuple(self.open)))

    def handle_comment(self, data: str) -> None:
        self.found.comments.append(data)


def read(markdown: str) -> Rendered:
    reader = _Reader()
    reader.feed(render(markdown))
    reader.close()
    return reader.found
