"""Regular expressions with RE2's semantics, as upstream's Go reconciler had them.

``restrictions.yaml`` regexes were Go ``regexp`` patterns: RE2 syntax,
matched in time linear in the address, whatever the pattern. Python's
``re`` backtracks (a pattern like ``(a+)+$`` can take minutes) and accepts
what RE2 refuses (backreferences, lookaround), so patterns are compiled
with RE2 itself (the ``google-re2`` package) and a pattern RE2 refuses is
an error where it is written.

``RegexSet`` matches one address against many patterns in one pass, so
finding which rules allow an address costs one match, not one per rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import re2  # type: ignore[import-untyped]


class BadRegex(ValueError):
    """RE2 refuses the pattern; the message says why, as RE2 does."""


def _options() -> Any:
    options = re2.Options()
    options.log_errors = False  # the error is reported as a problem, not on stderr
    return options


class Regex:
    """One compiled pattern; ``search`` finds a match anywhere, as Go's MatchString."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        try:
            self._compiled = re2.compile(pattern, options=_options())
        except re2.error as error:
            raise BadRegex(_reason(error)) from None

    def search(self, text: str) -> bool:
        return self._compiled.search(text) is not None


class RegexSet:
    """Many compiled patterns; ``matching`` gives the indexes of those found in a text."""

    def __init__(self, patterns: Sequence[Regex]) -> None:
        self._patterns = tuple(patterns)
        self._set: Any = None
        if not self._patterns:
            return
        compiled = re2.Set.SearchSet(options=_options())
        try:
            for regex in self._patterns:
                compiled.Add(regex.pattern)
            compiled.Compile()
        except re2.error:
            return  # over RE2's memory budget for one set: match pattern by pattern
        self._set = compiled

    def matching(self, text: str) -> frozenset[int]:
        if self._set is None:
            return frozenset(i for i, regex in enumerate(self._patterns) if regex.search(text))
        return frozenset(self._set.Match(text) or ())


def _reason(error: BaseException) -> str:
    raw = error.args[0] if error.args else error
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return text.strip() or "RE2 refuses it"
