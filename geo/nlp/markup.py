"""Make untrusted input safe to scan without moving any character offsets."""

from __future__ import annotations

import re

# Tags, comments and the bodies of script/style blocks: none of it is prose.
_BLOCK_OPEN = re.compile(r"<!--|<(script|style)\b", re.IGNORECASE)
_BLOCK_CLOSE = {
    "--": re.compile(r"-->"),
    "script": re.compile(r"</script\s*>", re.IGNORECASE),
    "style": re.compile(r"</style\s*>", re.IGNORECASE),
}
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>]{0,2000}>")
_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9A-Fa-f]{1,6}|[A-Za-z]{2,10});")
# Web addresses and @handles: "pic.twitter.com" or "@ReutersPolitics" are not places.
# (bounded repetitions keep every pattern linear on hostile input)
_URL = re.compile(
    r"(?:https?://|www\.)\S{1,2000}|\b[\w.-]{1,100}\.(?:com|org|net|gov|edu|co|ly)\b(?:/\S{0,2000})?|@\w{1,50}"
)
# _URL without its bare-domain alternative, which is tried at every word start: for a text
# without any of _DOMAIN_MARKS, where that alternative cannot match, it finds the same
_URL_NO_BARE_DOMAIN = re.compile(r"(?:https?://|www\.)\S{1,2000}|@\w{1,50}")


def to_text(data: str | bytes | None) -> str:
    """Text from str or bytes; invalid UTF-8 is replaced, never raised."""
    if data is None:
        return ""
    if isinstance(data, bytes | bytearray | memoryview):
        return bytes(data).decode("utf-8", errors="replace")
    return str(data)


def _blank(match: re.Match[str]) -> str:
    # keep newlines so sentence logic still sees line breaks; everything else becomes space
    return "".join("\n" if c == "\n" else " " for c in match.group(0))


def _blank_blocks(text: str) -> str:
    """Blank comments and script/style bodies in one left-to-right pass (linear: a block
    type whose closing tag is missing is not searched for again)."""
    parts: list[str] = []
    pos, done = 0, 0
    unclosed: set[str] = set()
    while True:
        m = _BLOCK_OPEN.search(text, pos)
        if m is None:
            break
        kind = (m.group(1) or "--").lower()
        if kind in unclosed:
            pos = m.end()
            continue
        close = _BLOCK_CLOSE[kind].search(text, m.end())
        if close is None:
            unclosed.add(kind)
            pos = m.end()
            continue
        parts.append(text[done:m.start()])
        parts.append(_blank_text(text[m.start():close.end()]))
        pos = done = close.end()
    if not parts:
        return text
    parts.append(text[done:])
    return "".join(parts)


def _blank_text(chunk: str) -> str:
    return "".join("\n" if c == "\n" else " " for c in chunk)


def mask_markup(text: str) -> str:
    """Replace HTML tags, entities, URLs and handles by spaces (same length as the input)."""
    if "<" in text:
        text = _blank_blocks(text)
        text = _HTML_TAG.sub(_blank, text)
    if "&" in text:
        text = _ENTITY.sub(_blank, text)
    if "/" in text or "@" in text or "www" in text:
        if any(mark in text for mark in _DOMAIN_MARKS):
            text = _blank_addresses(text, _URL, _ADDRESS_MARKS + _DOMAIN_MARKS)
        elif "@" in text or "http" in text or "www." in text:
            text = _blank_addresses(text, _URL_NO_BARE_DOMAIN, _ADDRESS_MARKS)
    # control characters (binary garbage) become spaces too
    return text.translate(_CONTROL) if _has_control(text) else text


# what _URL's bare-domain alternative needs in the text (its other two need "http", "www."
# or "@"): a text without any of them is searched without it, or not at all
_DOMAIN_MARKS = (".co", ".org", ".net", ".gov", ".edu", ".ly")
_ADDRESS_MARKS = ("http", "www.", "@")  # what the other two alternatives need


def _blank_addresses(text: str, pattern: re.Pattern[str], marks: tuple[str, ...]) -> str:
    """pattern.sub(_blank, text), searched only around the marks an address needs.

    No address holds a blank (each alternative matches only characters that are not
    whitespace), so the matches inside a stretch from just after a space to the next space
    are the matches the whole text has there: the regex, which tries three alternatives at
    every position, reads a few stretches instead of the whole text.
    """
    n = len(text)
    stretches: list[tuple[int, int]] = []
    for mark in marks:
        at = text.find(mark)
        while at >= 0:
            end = text.find(" ", at + len(mark))
            end = n if end < 0 else end
            stretches.append((text.rfind(" ", 0, at) + 1, end))
            at = text.find(mark, end)
    parts: list[str] = []
    done = 0
    for start, end in sorted(stretches):
        if end <= done:
            continue  # inside a stretch already read
        start = max(start, done)  # (overlapping stretches share a space-delimited bound)
        parts += (text[done:start], pattern.sub(_blank, text[start:end]))
        done = end
    parts.append(text[done:])
    return "".join(parts)


_CONTROL = {c: " " for c in range(32) if chr(c) not in "\n\t"} | {0x7F: " ", 0xFFFD: " "}
# every byte but the ASCII control characters of _CONTROL: what bytes.translate deletes to
# leave only those (in UTF-8 a byte below 0x80 is always an ASCII character)
_NOT_CONTROL_BYTES = bytes(b for b in range(256) if b > 0x7F or b not in _CONTROL)


def _has_control(text: str) -> bool:
    """Any character of _CONTROL in text (bytes.translate is a plain C loop; a regex
    character class is tested far more slowly at every position)."""
    if "\ufffd" in text:
        return True
    return bool(text.encode("utf-8", "surrogatepass").translate(None, _NOT_CONTROL_BYTES))
