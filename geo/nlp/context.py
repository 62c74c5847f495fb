"""Looking at the words around a span in the original text, in bounded windows (so every
check costs O(1) and a whole document stays linear)."""

from __future__ import annotations

import re

WINDOW = 60
_WORD_INNER = frozenset(".'’&-_")
_WORD_AFTER = re.compile(r"([ \t]*)([\w][\w.'’&-]*)")  # matched at a position: no ^
_ABBREVIATION = re.compile(r"(?:[A-Z]\.)+|[A-Z][a-z]{0,3}\.")  # "U.S.", "Gov.": no sentence end
_OPENERS = "\"'“‘([{«—-–*•"
_BLANKS_OPENERS = " \t" + _OPENERS


def word_before(text: str, pos: int) -> tuple[str, int, str] | None:
    """(word, start, gap) of the word ending just before pos on the same line, or None.

    A word starts on a letter and continues with letters, digits and . ' ’ & - _
    (a backwards scan: a `$`-anchored regex search would retry every position).
    """
    lo = max(0, pos - WINDOW)
    j = pos
    while j > lo and text[j - 1] in " \t":
        j -= 1
    # the common case at once: a word of letters and digits after a blank ("in Paris")
    sp = text.rfind(" ", lo, j)
    if sp >= 0 and (word := text[sp + 1:j]).isalnum() and word[0].isalpha():
        return word, sp + 1, text[j:pos]
    k = j
    while k > lo and (text[k - 1].isalnum() or text[k - 1] in _WORD_INNER):
        k -= 1
    while k < j and not text[k].isalpha():
        k += 1
    if k == j:
        return None
    return text[k:j], k, text[j:pos]


def word_after(text: str, pos: int) -> tuple[str, int, str] | None:
    """(word, start, gap) of the word starting just after pos on the same line, or None."""
    m = _WORD_AFTER.match(text, pos, pos + WINDOW)  # no copy of the window
    if not m:
        return None
    return m.group(2), m.start(2), m.group(1)


def strip_possessive(word: str) -> str:
    if not word.endswith(("s", "'", "’")):  # most words: no suffix can apply
        return word
    for suffix in ("'s", "’s", "'", "’"):
        if word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def is_sentence_start(text: str, pos: int) -> bool:
    """True when pos begins a sentence, a line, or follows a colon/bullet."""
    if pos >= 2 and text[pos - 1] == " ":
        ch = text[pos - 2]
        if ch.isalnum():
            return False  # the common case: a word, one blank, then pos
        # the next most common: "...said. The" (the stop below, reached without the walk)
        if ch in ".!?" and pos >= 6 and (last4 := text[pos - 6:pos - 2]).isalpha() and last4.islower():
            return True
    i = pos - 1
    lo = pos - WINDOW if pos > WINDOW else 0  # (max() costs more than the test)
    while i >= lo and text[i] in _BLANKS_OPENERS:
        i -= 1
    if i < 0:
        return True
    if i < lo:  # a long run of blanks: treat as a new block
        return True
    ch = text[i]
    if ch in "\n\r:|":
        return True
    if ch in ".!?":
        # "U.S. officials" or "Gov. Perry" do not end a sentence; four lower-case letters
        # before the stop ("...said. ") make neither form of abbreviation
        if i >= 4 and (last4 := text[i - 4:i]).isalpha() and last4.islower():
            return True
        before = word_before(text, i + 1)
        if before and _ABBREVIATION.fullmatch(before[0]):
            return False
        return True
    return False


def is_capitalised(word: str) -> bool:
    return bool(word) and word[0].isupper()


def comma_follower(text: str, end: int) -> int | None:
    """Start of the word after ', ' right behind a span ("Culiacán, Sinaloa"), else None."""
    if text[end:end + 2] == ", " and end + 2 < len(text) and text[end + 2].isalpha():
        return end + 2
    if text[end:end + 1] == "," and end + 1 < len(text) and text[end + 1].isupper():
        return end + 1
    return None


def line_is_shouting(text: str, start: int, end: int) -> bool:
    """True when the text around a span is in capitals (a headline), so case says nothing."""
    lo, hi = max(0, start - 30), min(len(text), end + 30)
    letters = [c for c in text[lo:start] + text[end:hi] if c.isalpha()]
    return len(letters) >= 8 and sum(c.isupper() for c in letters) > 0.8 * len(letters)
