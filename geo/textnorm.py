"""Case- and accent-folding that keeps offsets: fold() maps every character to exactly one."""

from __future__ import annotations

import unicodedata

# Letters that NFD does not decompose but readers treat as their base letter.
_EXTRA = {"ø": "o", "ł": "l", "đ": "d", "ħ": "h", "ı": "i", "ŧ": "t",
          "’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'",
          "–": "-", "—": "-", "‐": "-", "‑": "-", "\u00a0": " "}


def _fold_char(code: int) -> str:
    """The one character a character folds to."""
    ch = chr(code)
    low = ch.lower()
    if len(low) != 1:  # e.g. 'İ'.lower() is two characters: keep length
        low = ch
    base = unicodedata.normalize("NFD", low)[0]
    return _EXTRA.get(base, base)


class _FoldTable(dict):
    """str.translate table filled lazily: one output character per input character."""

    def __missing__(self, code: int) -> str:
        out = self[code] = _fold_char(code)
        return out


_TABLE = _FoldTable()


_ASCII_BYTES = bytes(range(0x80))


def non_ascii(text: str) -> str:
    """The characters of text beyond ASCII, in order: its UTF-8 bytes without the ASCII ones
    are exactly their encodings (two C loops, where a regex tests every character slowly)."""
    return text.encode("utf-8", "surrogatepass").translate(None, _ASCII_BYTES).decode("utf-8", "surrogatepass")
_UNSTABLE: list[frozenset[str]] = []  # characters whose folded form str.lower() would change


def _unstable_set() -> frozenset[str]:
    """'İ' folds to itself (its lower case is two characters); the astral planes are not
    listed (fold checks them apart): text with any of these is folded character by character."""
    if not _UNSTABLE:
        # (worked out without filling the table: 63,000 entries there would be walked by
        # every full garbage collection, for the few hundred characters news uses)
        _UNSTABLE.append(frozenset(chr(c) for c in range(0x80, 0x10000) if 0xD800 > c or c > 0xDFFF
                                   if (f := _fold_char(c)).lower() != f))
    return _UNSTABLE[0]


def fold(text: str) -> str:
    """Lower-case and strip accents, character by character (len(fold(t)) == len(t)).

    Fast path: each distinct non-ASCII character is replaced throughout the text (news
    has a handful: quotes, dashes, a few accented letters), then one str.lower() for the
    ASCII rest (the folded characters are already lower case, so it leaves them alone).
    """
    if not text.isascii():
        odd = set(non_ascii(text))
        if not odd.isdisjoint(_unstable_set()) or max(odd) > "\uffff":
            return text.translate(_TABLE)
        table = _TABLE
        folds = [(ch, out) for ch in odd if (out := table[ord(ch)]) != ch]
        if any(not out.isascii() and table[ord(out)] != out for _, out in folds):
            return text.translate(_TABLE)  # a fold into a character that folds again: one pass
        for ch, out in folds:
            text = text.replace(ch, out)
    text = text.lower()
    return text.replace("`", "'") if "`" in text else text


def normalize(name: str) -> str:
    """The key names are stored and looked up under: folded, whitespace collapsed."""
    return " ".join(fold(name).split())
