"""Case- and accent-folding that keeps offsets: fold() maps every character to exactly one."""

from __future__ import annotations

import unicodedata

# Letters that NFD does not decompose but readers treat as their base letter.
_EXTRA = {"ø": "o", "ł": "l", "đ": "d", "ħ": "h", "ı": "i", "ŧ": "t",
          "’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'",
          "–": "-", "—": "-", "‐": "-", "‑": "-", "\u00a0": " "}


class _FoldTable(dict):
    """str.translate table filled lazily: one output character per input character."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        low = ch.lower()
        if len(low) != 1:  # e.g. 'İ'.lower() is two characters: keep length
            low = ch
        base = unicodedata.normalize("NFD", low)[0]
        out = _EXTRA.get(base, base)
        self[code] = out
        return out


_TABLE = _FoldTable()


def fold(text: str) -> str:
    """Lower-case and strip accents, character by character (len(fold(t)) == len(t))."""
    return text.translate(_TABLE)


def normalize(name: str) -> str:
    """The key names are stored and looked up under: folded, whitespace collapsed."""
    return " ".join(fold(name).split())
