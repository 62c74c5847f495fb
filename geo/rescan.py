"""Many regexes over one text in one scan, with exactly `pattern.finditer`'s matches.

Python's `re` tries a pattern at every position of the text; a dozen patterns of word
alternatives (event categories, date expressions) cost a dozen passes of that, about a
millisecond per kilobyte. `PatternSet` first finds, in one pass, the positions where any of
its patterns could start (a lookahead over their union: a superset of every pattern's match
starts), then tries each pattern only there. Each pattern's matches are the same as its own
`finditer`: at each candidate, in text order, from the end of its previous match.

The patterns must match words: open on `\b` before a word character and never match the empty
string, so a match never starts right after a word character (the scan skips those positions).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

_NAMED_GROUP = re.compile(r"\(\?P<\w+>")


class PatternSet:
    """Word patterns (see the module docstring), scanned together."""

    def __init__(self, patterns: Sequence[re.Pattern[str]]) -> None:
        self.patterns = list(patterns)
        for pattern in self.patterns:
            if not pattern.pattern.startswith(r"\b"):
                raise ValueError(f"not a word pattern (must open on \\b): {pattern.pattern!r}")
        # group names made plain (they repeat across patterns); case folded for all, which
        # only widens the candidates of a case-sensitive pattern; its own match decides
        union = "|".join(f"(?:{_NAMED_GROUP.sub('(?:', p.pattern)})" for p in self.patterns)
        self._starts = re.compile(rf"(?<!\w)(?=(?:{union}))", re.IGNORECASE)

    def starts(self, text: str) -> list[int]:
        """Every position where at least one pattern matches."""
        return [m.start() for m in self._starts.finditer(text)]

    def finditer(self, index: int, text: str, starts: list[int]) -> Iterator[re.Match[str]]:
        """What `self.patterns[index].finditer(text)` yields, given `starts(text)`."""
        pattern, end = self.patterns[index], 0
        for start in starts:
            if start < end:
                continue
            match = pattern.match(text, start)
            if match is not None:
                end = match.end()
                yield match
