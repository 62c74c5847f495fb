"""Read articles from files, folders and feeds into records, with a reason for every reject.

Formats: the seed format (first line `date YYYY-MM-DD`, then the text), plain `.txt` (unknown
date unless a default date is given), JSONL and CSV with fields id,title,url,source,published,text
(only `text` required), RSS/Atom via feedparser (a file, or a URL when the caller allows it),
and folders (recursive). Every input record ends up either as an `ArticleRecord` or a `Reject`.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path

# Longer than any news article by far; beyond this a "text" is a dump, not an article.
MAX_TEXT_CHARS = 5_000_000
TEXT_SUFFIXES = {".txt", ".text"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
CSV_SUFFIXES = {".csv"}
FEED_SUFFIXES = {".rss", ".atom", ".xml"}
SEED_HEADER = re.compile(r"\A\s*date\s+(\d{4}-\d{2}-\d{2})\b[ \t]*\r?\n?")
HTML_HINT = re.compile(r"<\s*(p|div|br|html|body|span|a|b|i|em|strong|li|ul|h[1-6]|article|section|img|table)\b[^>]*>", re.I)


@dataclass
class ArticleRecord:
    """One article ready for the pipeline."""

    text: str
    article_id: str = ""
    title: str | None = None
    url: str | None = None
    source: str | None = None
    published: str | None = None  # ISO 8601 (date or datetime) or None when unknown
    source_path: str | None = None
    notes: list[str] = field(default_factory=list)  # non-fatal problems (encoding, html)

    def __post_init__(self) -> None:
        if not self.article_id:
            # stable id from the content, so re-reading the same file gives the same id
            self.article_id = "sha-" + self.content_hash[:16]

    @property
    def content_hash(self) -> str:
        return content_hash(self.text)

    @property
    def published_date(self) -> date | None:
        return date.fromisoformat(self.published[:10]) if self.published else None


@dataclass
class Reject:
    """A record (or whole file) that could not be read, and why."""

    source: str
    reason: str
    record_id: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {"source": self.source, "record_id": self.record_id, "reason": self.reason}


@dataclass
class ReadResult:
    records: list[ArticleRecord] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)

    @property
    def n_read(self) -> int:
        return len(self.records) + len(self.rejects)


class ReadError(ValueError):
    """A clear, user-facing reason why a record was rejected."""


def content_hash(text: str) -> str:
    """Hash of the normalised text: the same article from two feeds is the same content."""
    normalised = " ".join(unicodedata.normalize("NFC", text).split())
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def parse_published(value: object) -> str | None:
    """Normalise an ISO 8601 date/datetime; None for empty; ReadError for anything else."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise ReadError(f"published {value!r} is not an ISO 8601 string")
    raw = value.strip()
    try:
        if len(raw) == 10:
            return date.fromisoformat(raw).isoformat()
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        raise ReadError(
            f"published {raw!r} is not ISO 8601 (expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)"
        ) from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC)
        return parsed.strftime("%Y-%m-%dT%H:%M:%SZ")
    return parsed.isoformat()


class _TextExtractor(HTMLParser):
    """HTML to plain text: drop script/style, block elements become line breaks."""

    BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "article",
             "section", "blockquote", "ul", "ol", "table", "header", "footer"}
    SKIP = {"script", "style", "noscript", "template"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self.SKIP:
            self.skip_depth += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip_depth:
            self.parts.append(data)


def looks_like_html(text: str) -> bool:
    return bool(HTML_HINT.search(text[:20000]))


def html_to_text(markup: str) -> str:
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    text = html.unescape("".join(parser.parts))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    # collapse runs of blank lines into paragraph breaks
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def decode_bytes(data: bytes) -> tuple[str, list[str]]:
    """UTF-8 (BOM tolerated); invalid bytes become U+FFFD and are noted, never dropped."""
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        text = data.decode("utf-8-sig", errors="replace")
        bad = text.count("\ufffd")
        return text, [f"invalid UTF-8 ({bad} bytes replaced by U+FFFD; first at byte {exc.start})"]


def make_record(fields: dict, source_path: str, notes: list[str] | None = None,
                default_date: str | None = None) -> ArticleRecord:
    """Validate one raw record (from any format); ReadError explains rejects."""
    text = fields.get("text")
    if text is None:
        raise ReadError("missing 'text' field")
    if not isinstance(text, str):
        raise ReadError(f"'text' must be a string, got {type(text).__name__}")
    notes = list(notes or [])
    if looks_like_html(text):
        text = html_to_text(text)
        notes.append("HTML body converted to text")
    if "\ufffd" in text and not any("UTF-8" in n for n in notes):
        notes.append("text contains U+FFFD replacement characters")
    if not text.strip():
        raise ReadError("empty 'text'")
    if len(text) > MAX_TEXT_CHARS:
        raise ReadError(f"text is {len(text):,} characters (limit {MAX_TEXT_CHARS:,}): not an article")
    published = parse_published(fields.get("published")) or default_date
    record_id = fields.get("id")
    if record_id is not None and not isinstance(record_id, str | int):
        raise ReadError(f"'id' must be a string or number, got {type(record_id).__name__}")

    def opt(name: str) -> str | None:
        value = fields.get(name)
        return str(value).strip() or None if value is not None else None

    return ArticleRecord(
        text=text,
        article_id=str(record_id).strip() if record_id not in (None, "") else "",
        title=opt("title") or headline(text) or None,  # the app lists articles by title
        url=opt("url"),
        source=opt("source"),
        published=published,
        source_path=source_path,
        notes=notes,
    )


Item = ArticleRecord | Reject


def headline(text: str, limit: int = 120) -> str:
    """A title for texts without one: the first line, cut at a word boundary."""
    first = next((" ".join(line.split()) for line in text.splitlines() if line.strip()), "")
    if len(first) <= limit:
        return first
    cut = first[:limit].rsplit(" ", 1)[0]
    return cut + "…"


def read_text_file(path: Path, default_date: str | None = None) -> Iterator[Item]:
    """The seed format (`date YYYY-MM-DD` header) or plain text with an unknown/default date."""
    text, notes = decode_bytes(path.read_bytes())
    header = SEED_HEADER.match(text)
    published = default_date
    if header:
        try:
            published = parse_published(header.group(1))
        except ReadError as exc:
            yield Reject(str(path), f"bad date header: {exc}")
            return
        text = text[header.end():]
    fields = {"text": text, "published": published, "title": headline(text) or path.stem}
    try:
        yield make_record(fields, str(path), notes)
    except ReadError as exc:
        yield Reject(str(path), str(exc))


def _split_lines(stream: io.BufferedReader) -> Iterator[tuple[int, str, list[str]]]:
    for line_no, raw in enumerate(stream, start=1):
        text, notes = decode_bytes(raw)
        yield line_no, text, notes


def read_jsonl(path: Path, default_date: str | None = None) -> Iterator[Item]:
    """Streams line by line so files of tens of MB do not need to fit twice in memory."""
    with path.open("rb") as stream:
        for line_no, line, notes in _split_lines(stream):
            if not line.strip():
                continue
            where = f"{path}:{line_no}"
            try:
                fields = json.loads(line)
            except json.JSONDecodeError as exc:
                yield Reject(where, f"invalid JSON: {exc.msg} at column {exc.colno}")
                continue
            if not isinstance(fields, dict):
                yield Reject(where, f"expected a JSON object, got {type(fields).__name__}")
                continue
            try:
                yield make_record(fields, where, notes, default_date)
            except ReadError as exc:
                yield Reject(where, str(exc), _id_of(fields))


def read_csv(path: Path, default_date: str | None = None) -> Iterator[Item]:
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # article bodies exceed the 128 kB default
    text, notes = decode_bytes(path.read_bytes())
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames or "text" not in [f.strip() for f in reader.fieldnames]:
        yield Reject(str(path), f"CSV header has no 'text' column (columns: {reader.fieldnames})")
        return
    for row in reader:
        where = f"{path}:{reader.line_num}"
        fields = {(k or "").strip(): v for k, v in row.items()}
        if None in row:  # more cells than header columns
            yield Reject(where, "row has more cells than the header", _id_of(fields))
            continue
        try:
            yield make_record(fields, where, notes, default_date)
        except ReadError as exc:
            yield Reject(where, str(exc), _id_of(fields))


def read_feed(source: str, default_date: str | None = None) -> Iterator[Item]:
    """RSS/Atom from a file path or a URL (fetching is the caller's explicit decision)."""
    import feedparser  # imported lazily: only feeds need it

    parsed = feedparser.parse(source)
    if not parsed.entries:
        why = f": {parsed.get('bozo_exception')}" if parsed.get("bozo") else ""
        yield Reject(source, f"no feed entries found{why}")
        return
    feed_title = parsed.feed.get("title")
    for index, entry in enumerate(parsed.entries):
        where = f"{source}#{index}"
        body = ""
        if entry.get("content"):
            body = entry["content"][0].get("value", "")
        body = body or entry.get("summary", "") or ""
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        published = (datetime(*stamp[:6], tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                     if stamp else None)
        fields = {"id": entry.get("id") or entry.get("link"), "title": entry.get("title"),
                  "url": entry.get("link"), "source": feed_title, "published": published,
                  "text": html_to_text(body) if body else body}
        try:
            yield make_record(fields, where, [], default_date)
        except ReadError as exc:
            yield Reject(where, str(exc), _id_of(fields))


def _id_of(fields: dict) -> str | None:
    value = fields.get("id")
    return str(value) if value not in (None, "") else None


def _is_url(source: str) -> bool:
    return bool(re.match(r"^https?://", source, re.I))


def iter_source(source: str | Path, default_date: str | None = None,
                allow_urls: bool = False) -> Iterator[Item]:
    """Records and rejects from one path (file or folder) or URL."""
    source_str = str(source)
    if _is_url(source_str):
        if not allow_urls:
            yield Reject(source_str, "URL given but fetching is off (pass --allow-urls to fetch feeds)")
        else:
            yield from read_feed(source_str, default_date)
        return
    path = Path(source)
    if path.is_dir():
        for child in sorted(p for p in path.rglob("*") if p.is_file()):
            if any(part.startswith(".") for part in child.relative_to(path).parts):
                continue  # hidden files (.DS_Store, editor swap files) are not articles
            yield from iter_source(child, default_date, allow_urls)
        return
    if not path.exists():
        yield Reject(source_str, "no such file or folder")
        return
    suffix = path.suffix.lower()
    try:
        if suffix in TEXT_SUFFIXES:
            yield from read_text_file(path, default_date)
        elif suffix in JSONL_SUFFIXES:
            yield from read_jsonl(path, default_date)
        elif suffix in CSV_SUFFIXES:
            yield from read_csv(path, default_date)
        elif suffix in FEED_SUFFIXES:
            yield from read_feed(str(path), default_date)
        else:
            yield Reject(source_str, f"unsupported file type {suffix or '(none)'}: "
                         "expected .txt, .jsonl, .csv, .rss/.atom/.xml or a folder")
    except OSError as exc:
        yield Reject(source_str, f"cannot read file: {exc.strerror or exc}")


def iter_records(sources: Iterable[str | Path], default_date: str | None = None,
                 allow_urls: bool = False) -> Iterator[Item]:
    """All sources in order; within the run, a repeated id with other content is a reject."""
    if default_date is not None:
        default_date = parse_published(default_date)
    seen: dict[str, str] = {}  # article_id -> content hash
    for source in sources:
        for item in iter_source(source, default_date, allow_urls):
            if isinstance(item, ArticleRecord):
                previous = seen.get(item.article_id)
                if previous is not None and previous != item.content_hash:
                    yield Reject(item.source_path or str(source),
                                 f"duplicate id {item.article_id!r} with different text "
                                 "(the first one was kept)", item.article_id)
                    continue
                seen[item.article_id] = item.content_hash
            yield item


def read_paths(sources: Iterable[str | Path], default_date: str | None = None,
               allow_urls: bool = False) -> ReadResult:
    result = ReadResult()
    for item in iter_records(sources, default_date, allow_urls):
        (result.records if isinstance(item, ArticleRecord) else result.rejects).append(item)
    return result
