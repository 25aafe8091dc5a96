"""Text from declarations and plans, escaped for each place it lands.

A group description may hold any text (a line of backticks, ``</details>``,
an HTML comment, a terminal escape sequence); it must stay text wherever it
is shown, and never end the block it is in or forge a line after it:

- ``one_line``: the terminal and every one-line value: control, format and
  separator characters (newlines, ESC, bidirectional overrides) shown
  escaped, the whole value then quoted, so what is printed is unambiguous;
- ``fence``: a Markdown code block whose fence is longer than any run of
  backticks inside it;
- ``code``: an inline code span, delimited the same way;
- ``html``: text inside HTML (``<summary>``, ``<code>``);
- ``cell``: a table cell (also the pipe);
- ``mermaid``: a Mermaid label: every character Mermaid or Markdown reads
  (quotes, brackets, ``%%`` directives, backticks) as an entity.
"""

from __future__ import annotations

import json
import re
import unicodedata

_BACKTICKS = re.compile(r"`+")
# Unicode categories never printed as themselves: controls, format characters
# (bidirectional overrides, zero-width), line and paragraph separators,
# unassigned and private-use code points, surrogates.
_HIDDEN = frozenset({"Cc", "Cf", "Zl", "Zp", "Co", "Cn", "Cs"})


def needs_quotes(text: str) -> bool:
    return any(unicodedata.category(c) in _HIDDEN for c in text)


def one_line(text: str) -> str:
    """``text`` as it is, or, when it holds a character that is not printed as
    itself, as a JSON string (quoted, those characters as ``\\n``, ``\\u001b``...)."""
    if not needs_quotes(text):
        return text
    quoted = json.dumps(text, ensure_ascii=False)
    return "".join(_escaped(c) if unicodedata.category(c) in _HIDDEN else c for c in quoted)


def _escaped(character: str) -> str:
    point = ord(character)
    return f"\\u{point:04x}" if point <= 0xFFFF else f"\\U{point:08x}"


def longest_backticks(text: str) -> int:
    return max((len(m) for m in _BACKTICKS.findall(text)), default=0)


def fence(body: str, info: str = "") -> str:
    """A fenced code block holding ``body`` verbatim (every line), closed whatever it holds."""
    marks = "`" * max(3, longest_backticks(body) + 1)
    end = "" if body.endswith("\n") or not body else "\n"
    return f"{marks}{info}\n{body}{end}{marks}\n"


def code(text: str) -> str:
    """An inline code span showing ``text`` (on one line) literally."""
    text = one_line(text)
    marks = "`" * (longest_backticks(text) + 1)
    padded = f" {text} " if text.startswith("`") or text.endswith("`") or not text.strip() else text
    return f"{marks}{padded}{marks}"


def cell(text: str) -> str:
    """A code span for a GitHub table cell: pipes escaped (GFM splits cells on them first)."""
    return code(text).replace("|", "\\|")


def html(text: str) -> str:
    """Text inside HTML elements, on one line."""
    text = one_line(text)
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return escaped.replace('"', "&quot;")


# What a Mermaid label may not hold literally: its own quotes and markup, `%%`
# directives, Markdown-string backticks, brackets that open shapes, `;` that ends
# a statement, `#` that starts an entity, `|` that delimits an edge label.
_MERMAID = frozenset('"&<>`%{}[]()|;#\\:=')


def mermaid(text: str) -> str:
    """A Mermaid label body (inside ``"..."``): every special character as an entity,
    lines of a multi-line label as ``<br/>``."""
    lines = [one_line(line) for line in text.split("\n")]
    return "<br/>".join(
        "".join(f"#{ord(c)};" if c in _MERMAID else c for c in line) for line in lines
    )
