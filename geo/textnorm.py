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


def _latin1_table(blanks: str) -> bytes:
    """A bytes.translate table folding Latin-1 text (every Latin-1 character folds to one),
    with the characters of blanks as spaces."""
    folds = [" " if chr(code) in blanks else _fold_char(code) for code in range(256)]
    return "".join(folds).encode("latin-1")


_FOLD_LATIN1 = _latin1_table("")
_FOLD_LATIN1_BLANKS = _latin1_table("\n\r\t")
# control characters both tables keep: stand-ins for characters that fold beyond Latin-1
_SPARE = "".join(map(chr, [*range(1, 9), 0x0B, 0x0C, *range(0x0E, 0x20)]))


def fold(text: str) -> str:
    """Lower-case and strip accents, character by character (len(fold(t)) == len(t))."""
    if text.isascii():  # (a flag, not a scan) names and words, mostly
        text = text.lower()
        return text.replace("`", "'") if "`" in text else text
    try:
        latin = text.encode("latin-1")
    except UnicodeEncodeError:
        return _fold_replacing(text)
    return latin.translate(_FOLD_LATIN1).decode("latin-1")


def beyond_latin1(text: str) -> set[str]:
    """The distinct characters of text beyond Latin-1: none for most text (which then
    encodes as Latin-1 in one C pass), a few quotes and dashes for much news."""
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return {ch for ch in non_ascii(text) if ch > "\xff"}
    return set()


def fold_blanks(text: str, beyond: set[str] | None = None) -> str:
    """fold(text) with line breaks and tabs as spaces (what the matcher reads); beyond:
    beyond_latin1(text) when the caller has it.

    Through one bytes table, Latin-1 text in three C passes (str.lower() on text that is not
    ASCII takes the full Unicode case mapping for each character); the few characters beyond
    Latin-1 are replaced throughout the text first, each by its fold when that is a Latin-1
    character the table keeps, else by a spare control character put back as the fold after.
    """
    if beyond is None:
        beyond = beyond_latin1(text)
    table = _FOLD_LATIN1_BLANKS
    put_back: list[tuple[str, str]] = []
    latin1_text = text
    if beyond:
        spare = (ch for ch in _SPARE if ch not in text)
        for ch in beyond:
            out = _TABLE[ord(ch)]
            if out <= "\xff" and table[ord(out)] == ord(out):
                latin1_text = latin1_text.replace(ch, out)
                continue
            stand_in = next(spare, None)
            if stand_in is None:  # (text of control characters and more odd ones than spares)
                return _blanks_as_spaces(text.translate(_TABLE))
            latin1_text = latin1_text.replace(ch, stand_in)
            put_back.append((stand_in, " " if out in "\n\r\t" else out))
    folded = latin1_text.encode("latin-1").translate(table).decode("latin-1")
    for stand_in, out in put_back:
        folded = folded.replace(stand_in, out)
    return folded


def _blanks_as_spaces(text: str) -> str:
    for blank in "\n\r\t":
        if blank in text:
            text = text.replace(blank, " ")
    return text


def _fold_replacing(text: str) -> str:
    """fold for text beyond Latin-1: each distinct non-ASCII character is replaced throughout
    the text (news has a handful: quotes, dashes, a few accented letters), then one
    str.lower() for the ASCII rest (the folded characters are already lower case, so it
    leaves them alone)."""
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
