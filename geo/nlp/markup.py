"""Make untrusted input safe to scan without moving any character offsets."""

from __future__ import annotations

import re

# Tags, comments and the bodies of script/style blocks: none of it is prose.
_HTML_BLOCKS = re.compile(r"<(script|style)\b[^>]{0,2000}>.{0,200000}?</\1\s*>", re.IGNORECASE | re.DOTALL)
_HTML_TAG = re.compile(r"<!--.{0,200000}?-->|</?[A-Za-z][^<>]{0,2000}>", re.DOTALL)
_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9A-Fa-f]{1,6}|[A-Za-z]{2,10});")
# Web addresses and @handles: "pic.twitter.com" or "@ReutersPolitics" are not places.
# (bounded repetitions keep every pattern linear on hostile input)
_URL = re.compile(
    r"(?:https?://|www\.)\S{1,2000}|\b[\w.-]{1,100}\.(?:com|org|net|gov|edu|co|ly)\b(?:/\S{0,2000})?|@\w{1,50}"
)


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


def mask_markup(text: str) -> str:
    """Replace HTML tags, entities, URLs and handles by spaces (same length as the input)."""
    if "<" in text:
        text = _HTML_BLOCKS.sub(_blank, text)
        text = _HTML_TAG.sub(_blank, text)
    if "&" in text:
        text = _ENTITY.sub(_blank, text)
    if "/" in text or "@" in text or "www" in text:
        text = _URL.sub(_blank, text)
    # control characters (binary garbage) become spaces too
    return text.translate(_CONTROL)


_CONTROL = {c: " " for c in range(32) if chr(c) not in "\n\t"} | {0x7F: " ", 0xFFFD: " "}
