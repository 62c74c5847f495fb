"""Case- and accent-folding that keeps offsets: fold() maps every character to exactly one."""

from __future__ import annotations

import re
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


# Punctuation news is full of (quotes, dashes) is folded by str.replace, one C pass each,
# before the run-by-run path; kept to characters that fold to themselves or to one ASCII
# non-letter, so lower-casing afterwards cannot change them.
_COMMON = "".join(ch for ch in "’‘“”—–…\u00a0«»£€°•·"
                  if (out := _TABLE[ord(ch)]) == ch or (out.isascii() and not out.isalpha()))
_COMMON_FOLDS = [(ch, _TABLE[ord(ch)]) for ch in _COMMON if _TABLE[ord(ch)] != ch]
_NON_ASCII = re.compile(r"[^\x00-\x7f" + _COMMON + "]+")  # the runs left to fold
_UNSTABLE: list[re.Pattern[str]] = []  # characters whose folded form str.lower() would change


def _unstable_chars() -> re.Pattern[str]:
    """'İ' folds to itself (its lower case is two characters); the astral planes are not
    checked: text with any of these takes the character-by-character path."""
    if not _UNSTABLE:
        odd = [c for c in range(0x80, 0x10000) if 0xD800 > c or c > 0xDFFF
               if (f := _TABLE[c]).lower() != f]
        _UNSTABLE.append(re.compile("[" + "".join(map(chr, odd)) + "\U00010000-\U0010ffff]"))
    return _UNSTABLE[0]


def _fold_run(m: re.Match[str]) -> str:
    return m.group().translate(_TABLE)


def fold(text: str) -> str:
    """Lower-case and strip accents, character by character (len(fold(t)) == len(t)).

    Fast path: non-ASCII runs through the table, then one str.lower() for the ASCII rest
    (the folded characters are already lower case, so it leaves them alone).
    """
    if not text.isascii():
        if _unstable_chars().search(text):
            return text.translate(_TABLE)
        for ch, out in _COMMON_FOLDS:
            if ch in text:
                text = text.replace(ch, out)
        text = _NON_ASCII.sub(_fold_run, text)
    text = text.lower()
    return text.replace("`", "'") if "`" in text else text


def normalize(name: str) -> str:
    """The key names are stored and looked up under: folded, whitespace collapsed."""
    return " ".join(fold(name).split())
