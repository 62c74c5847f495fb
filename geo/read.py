"""Read articles from files, folders and feeds into records, with a reason for every reject.

Formats: the seed format (first line `date YYYY-MM-DD`, then the text), plain `.txt` (unknown
date unless a default date is given), JSONL and CSV with fields id,title,url,source,published,text
(only `text` required), RSS/Atom via feedparser (a file, or a URL when the caller allows it),
and folders (recursive). Every input record ends up either as an `ArticleRecord` or a `Reject`,
whatever is inside it: errors are caught per record, never per file, so the good records around
a bad one survive.

Limits are checked before any conversion and files are streamed: a JSONL line or CSV row is read
at most `MAX_RECORD_BYTES` at a time, a text file larger than that is rejected unread, and a text
is measured (`MAX_TEXT_CHARS`) before its HTML is converted or a headline is taken.
"""

from __future__ import annotations

import csv
import hashlib
import html
import json
import re
import unicodedata
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import BinaryIO

from geo.errors import InputError

# Longer than any news article by far; beyond this a "text" is a dump, not an article.
MAX_TEXT_CHARS = 5_000_000
# One raw record (JSONL line, CSV row, text or feed file) is refused beyond this many bytes
# before being decoded or parsed: 5 M characters fit even as 4-byte UTF-8 plus JSON quoting.
MAX_RECORD_BYTES = 4 * MAX_TEXT_CHARS + 1_000_000
# A publication date later than today + this many days is rejected (clock skew and time zones
# allow a day or two; a report from 2099 is a typo or a broken feed). `--future-days` changes it.
FUTURE_DAYS = 2
CSV_DELIMITERS = ",;\t|"
SURROGATES = re.compile("[\ud800-\udfff]")
HEADLINE_MIN_WORDS = 6  # a title this long tells something ("Empty" does not)
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
    language: str | None = None  # ISO 639-1; the parser detects it (geo.nlp.language) when None
    notes: list[str] = field(default_factory=list)  # non-fatal problems (encoding, html)

    def __post_init__(self) -> None:
        if not self.article_id:
            # stable id from the content, so re-reading the same file gives the same id
            self.article_id = "sha-" + self.content_hash[:16]

    @property
    def content_hash(self) -> str:
        # a headline-only record (empty text) is its title: two of them are not one content
        return content_hash(self.text if self.text.strip() else f"title: {self.title or ''}")

    @property
    def published_date(self) -> date | None:
        return date.fromisoformat(self.published[:10]) if self.published else None


@dataclass
class Reject:
    """A record (or whole file) that could not be read, and why."""

    source: str
    reason: str
    record_id: str | None = None

    def __post_init__(self) -> None:
        # ids, reasons and paths can carry lone surrogates (JSON "\ud800", undecodable file
        # names): replace them so a reject can always be written and printed
        self.source = without_surrogates(str(self.source))[0]
        self.reason = without_surrogates(str(self.reason))[0]
        if self.record_id is not None:
            self.record_id = without_surrogates(str(self.record_id))[0]

    def to_dict(self) -> dict[str, str | None]:
        return {"source": self.source, "record_id": self.record_id, "reason": self.reason}


@dataclass
class ReadResult:
    records: list[ArticleRecord] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)

    @property
    def n_read(self) -> int:
        return len(self.records) + len(self.rejects)


class ReadError(InputError):
    """A clear, user-facing reason why a record was rejected."""


class _TooLong(Exception):
    """A physical line longer than MAX_RECORD_BYTES (raised inside the CSV line feed)."""


def without_surrogates(value: str) -> tuple[str, int]:
    """Lone UTF-16 surrogates (valid in JSON and Python strings, not in UTF-8) -> U+FFFD."""
    cleaned, count = SURROGATES.subn("\ufffd", value)
    return cleaned, count


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
            f"published {raw[:80]!r} is not ISO 8601 (expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)"
        ) from None
    if parsed.tzinfo is not None:
        try:
            parsed = parsed.astimezone(UTC)
        except OverflowError:  # 0001-01-01T00:00+01:00 is before year 1 in UTC
            raise ReadError(f"published {raw!r} is out of range in UTC") from None
        return parsed.strftime("%Y-%m-%dT%H:%M:%SZ")
    return parsed.isoformat()


def check_not_future(published: str | None, latest: date | None) -> None:
    """ReadError when a publication date lies after `latest` (today + the tolerance)."""
    if published and latest is not None and date.fromisoformat(published[:10]) > latest:
        raise ReadError(f"published {published} is in the future (after {latest.isoformat()}; "
                        "change the tolerance with --future-days)")


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
    # the limit comes before any conversion: a 50 MB text is refused without being copied
    if len(text) > MAX_TEXT_CHARS:
        raise ReadError(f"text is {len(text):,} characters (limit {MAX_TEXT_CHARS:,}): not an article")
    notes = list(notes or [])
    text, surrogates = without_surrogates(text)
    if looks_like_html(text):
        text = html_to_text(text)
        notes.append("HTML body converted to text")
    if "\ufffd" in text and not any("UTF-8" in n for n in notes):
        notes.append("text contains U+FFFD replacement characters")
    title = fields.get("title")
    if not text.strip() and isinstance(title, str) and \
            len(title.split()) >= HEADLINE_MIN_WORDS:
        text = title.strip()  # a record that is only a headline reports what it says
        notes.append("no text: the headline is the text")
    if not text.strip():
        raise ReadError("empty 'text'")
    # "date" is what the evaluation corpora call it
    published = parse_published(fields.get("published") or fields.get("date")) or default_date
    record_id = fields.get("id")
    if record_id is not None and (isinstance(record_id, bool)
                                  or not isinstance(record_id, str | int)):
        raise ReadError(f"'id' must be a string or number, got {type(record_id).__name__}")

    def opt(name: str) -> str | None:
        nonlocal surrogates
        value = fields.get(name)
        if value is None:
            return None
        if not isinstance(value, str | int | float):
            raise ReadError(f"'{name}' must be a string, got {type(value).__name__}")
        cleaned, count = without_surrogates(str(value).strip())
        surrogates += count
        return cleaned or None

    article_id = opt("id") or ""
    title, url, source = opt("title"), opt("url"), opt("source")
    if surrogates:
        notes.append(f"{surrogates} lone UTF-16 surrogate(s) replaced by U+FFFD")
    return ArticleRecord(
        text=text,
        article_id=article_id,
        title=title or headline(text) or None,  # the app lists articles by title
        url=url,
        source=source,
        published=published,
        source_path=without_surrogates(source_path)[0],
        notes=notes,
    )


Item = ArticleRecord | Reject
# What a record may raise besides ReadError (odd values deep in a JSON object, dates out of
# range...): the record is rejected with the error's text, the reading goes on.
RECORD_ERRORS = (ValueError, TypeError, OverflowError, RecursionError, UnicodeError)


def record_or_reject(fields: dict, where: str, notes: list[str] | None = None,
                     default_date: str | None = None) -> Item:
    """make_record, with every failure of this one record turned into a Reject."""
    try:
        return make_record(fields, where, notes, default_date)
    except ReadError as exc:
        return Reject(where, str(exc), _id_of(fields))
    except RECORD_ERRORS as exc:
        return Reject(where, f"unreadable record ({type(exc).__name__}: {str(exc)[:200]})",
                      _id_of(fields))


def headline(text: str, limit: int = 120) -> str:
    """A title for texts without one: the first line, cut at a word boundary."""
    head = text[:10_000]  # never split a whole 5 MB text into lines for its first one
    first = next((" ".join(line.split()) for line in head.splitlines() if line.strip()), "")
    if len(first) <= limit:
        return first
    cut = first[:limit].rsplit(" ", 1)[0]
    return cut + "…"


def read_text_file(path: Path, default_date: str | None = None) -> Iterator[Item]:
    """The seed format (`date YYYY-MM-DD` header) or plain text with an unknown/default date."""
    size = path.stat().st_size
    if size > MAX_RECORD_BYTES:
        yield Reject(str(path), f"file is {size:,} bytes (limit {MAX_RECORD_BYTES:,}): "
                     "not an article")
        return
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
    yield record_or_reject({"text": text, "published": published, "title": path.stem
                            if not text.strip() else None}, str(path), notes)


def bounded_lines(stream: BinaryIO, limit: int | None = None) -> Iterator[tuple[int, bytes | None]]:
    """(line number, raw line) split on b"\n" only; None for a line longer than the limit, which
    is skipped in 1 MB steps without ever being held whole in memory."""
    limit = limit or MAX_RECORD_BYTES
    line_no = 0
    while raw := stream.readline(limit + 1):
        line_no += 1
        if len(raw) > limit and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):
                raw = stream.readline(1 << 20)
            yield line_no, None
        else:
            yield line_no, raw


def iter_json_lines(stream: BinaryIO, name: str) -> Iterator[tuple[str, dict | None, str, list[str]]]:
    """The one JSONL reader: (where, object or None, why not, notes) per non-blank line.

    Records are split on "\n" only: U+2028, U+0085 and friends are valid inside JSON strings
    (str.splitlines() would cut records there)."""
    for line_no, raw in bounded_lines(stream):
        where = f"{name}:{line_no}"
        if raw is None:
            yield where, None, f"line longer than {MAX_RECORD_BYTES:,} bytes: not an article", []
            continue
        line, notes = decode_bytes(raw)
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield where, None, f"invalid JSON: {exc.msg} at column {exc.colno}", notes
            continue
        except (ValueError, RecursionError) as exc:  # 4,300+ digit numbers, deep nesting
            why = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)[:120]
            yield where, None, f"invalid JSON: {why}", notes
            continue
        if not isinstance(value, dict):
            yield where, None, f"expected a JSON object, got {type(value).__name__}", notes
            continue
        yield where, value, "", notes


def read_jsonl(path: Path, default_date: str | None = None) -> Iterator[Item]:
    """Streams line by line so files of tens of MB do not need to fit twice in memory."""
    with path.open("rb") as stream:
        for where, fields, why, notes in iter_json_lines(stream, str(path)):
            if fields is None:
                yield Reject(where, why)
            else:
                yield record_or_reject(fields, where, notes, default_date)


def detect_delimiter(head: str) -> str:
    """The delimiter that makes the header name a 'text' column, among , ; tab |.

    The header decides: article prose in the rows is full of commas and semicolons. csv.Sniffer
    (on 2 kB: its regexes are slow on hostile input) only breaks a tie between delimiters that
    each give a 'text' column with other columns; a header of one column, or none that fits,
    means ','. `--delimiter` overrides all this."""
    first_line = head.split("\n", 1)[0].lstrip("\ufeff")
    fits = {}
    for delimiter in CSV_DELIMITERS:
        cells = [c.strip() for c in next(csv.reader([first_line], delimiter=delimiter), [])]
        if "text" in cells and len(cells) > 1:
            fits[delimiter] = cells
    if len(fits) == 1:
        return next(iter(fits))
    if fits:
        try:
            sniffed = csv.Sniffer().sniff(head[:2048], delimiters="".join(fits)).delimiter
        except csv.Error:
            sniffed = ""
        return sniffed if sniffed in fits else next(iter(fits))
    return ","


class _CsvLineFeed:
    """Decoded lines for csv.reader that remember the lines of the current row, so that a
    malformed row can be rejected and reading resumed on the line after its first one."""

    def __init__(self, lines: Iterator[tuple[int, bytes | None]]) -> None:
        self.lines = lines
        self.pending: deque[tuple[int, bytes | None]] = deque()
        self.row: list[tuple[int, bytes | None]] = []
        self.notes: list[str] = []

    def __iter__(self) -> _CsvLineFeed:
        return self

    def __next__(self) -> str:
        item = self.pending.popleft() if self.pending else next(self.lines)
        self.row.append(item)
        if item[1] is None:
            raise _TooLong
        text, notes = decode_bytes(item[1])
        self.notes += notes
        return text

    def take_row(self) -> tuple[int, list[str]]:
        first, notes = self.row[0][0], self.notes
        self.row, self.notes = [], []
        return first, notes

    def rewind_after_first(self) -> None:
        """Read again every line of the failed row but its first."""
        self.pending.extendleft(reversed(self.row[1:]))
        self.row, self.notes = [], []


def csv_rows(feed: _CsvLineFeed, delimiter: str) -> Iterator[tuple[int, list[str] | None, str, list[str]]]:
    """(first line number, cells or None, why not, notes); strict quoting, so a quote that is
    not closed where RFC 4180 says becomes a reject instead of swallowing the next rows."""
    while True:
        reader = csv.reader(feed, delimiter=delimiter, strict=True)
        try:
            for cells in reader:
                line_no, notes = feed.take_row()
                yield line_no, cells, "", notes
            return
        except _TooLong:
            why = f"row longer than {MAX_RECORD_BYTES:,} bytes"
        except csv.Error as exc:
            why = f"malformed CSV row ({exc}): a quoted field is not closed properly"
        if not feed.row:
            return
        line_no = feed.row[0][0]
        feed.rewind_after_first()
        yield line_no, None, why, []


def read_csv(path: Path, default_date: str | None = None,
             delimiter: str | None = None) -> Iterator[Item]:
    # article bodies exceed the 128 kB default; a longer field is a malformed row
    csv.field_size_limit(MAX_RECORD_BYTES)
    with path.open("rb") as stream:
        head = stream.read(16_384).decode("utf-8-sig", errors="replace")
        stream.seek(0)
        delimiter = delimiter or detect_delimiter(head)
        rows = csv_rows(_CsvLineFeed(bounded_lines(stream)), delimiter)
        first = next(rows, None)
        header = [c.strip() for c in first[1]] if first and first[1] is not None else []
        if header[:1]:
            header[0] = header[0].lstrip("\ufeff")
        if "text" not in header:
            yield Reject(str(path), f"CSV header has no 'text' column (columns: {header}, "
                         f"delimiter {delimiter!r}; give --delimiter if it is another one)")
            return
        for line_no, cells, why, notes in rows:
            where = f"{path}:{line_no}"
            if cells is None:
                yield Reject(where, why)
                continue
            if not any(c.strip() for c in cells):
                continue  # blank line
            fields = dict(zip(header, cells, strict=False))
            if len(cells) != len(header):
                yield Reject(where, f"row has {len(cells)} cells, the header has {len(header)}",
                             _id_of(fields))
                continue
            yield record_or_reject(fields, where, notes, default_date)


def read_feed(source: str, default_date: str | None = None) -> Iterator[Item]:
    """RSS/Atom from a file path or a URL (fetching is the caller's explicit decision)."""
    import feedparser  # imported lazily: only feeds need it

    if not _is_url(source) and Path(source).stat().st_size > MAX_RECORD_BYTES:
        yield Reject(source, f"feed file larger than {MAX_RECORD_BYTES:,} bytes")
        return
    try:
        # no sanitising or URI rewriting: html_to_text keeps the text only (and drops scripts)
        parsed = feedparser.parse(source, sanitize_html=False, resolve_relative_uris=False)
    except RECORD_ERRORS as exc:
        yield Reject(source, f"unreadable feed ({type(exc).__name__}: {str(exc)[:200]})")
        return
    if not parsed.entries:
        why = f": {parsed.get('bozo_exception')}" if parsed.get("bozo") else ""
        yield Reject(source, f"no feed entries found{why}")
        return
    feed_title = parsed.feed.get("title")
    for index, entry in enumerate(parsed.entries):
        where = f"{source}#{index}"
        try:
            fields = _feed_fields(entry, feed_title)
        except RECORD_ERRORS as exc:
            yield Reject(where, f"unreadable entry ({type(exc).__name__}: {str(exc)[:200]})")
            continue
        yield record_or_reject(fields, where, [], default_date)


def _feed_fields(entry: dict, feed_title: str | None) -> dict:
    body = ""
    if entry.get("content"):
        body = entry["content"][0].get("value", "")
    body = body or entry.get("summary", "") or ""
    if len(body) > MAX_TEXT_CHARS:
        return {"text": body}  # make_record rejects it before converting it
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    published = (datetime(*stamp[:6], tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                 if stamp else None)
    return {"id": entry.get("id") or entry.get("link"), "title": entry.get("title"),
            "url": entry.get("link"), "source": feed_title, "published": published,
            "text": html_to_text(body) if body else body}


def _id_of(fields: dict) -> str | None:
    value = fields.get("id")
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        return None
    return str(value)[:200]


def _is_url(source: str) -> bool:
    return bool(re.match(r"^https?://", source, re.I))


def iter_source(source: str | Path, default_date: str | None = None,
                allow_urls: bool = False, delimiter: str | None = None) -> Iterator[Item]:
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
            yield from iter_source(child, default_date, allow_urls, delimiter)
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
            yield from read_csv(path, default_date, delimiter)
        elif suffix in FEED_SUFFIXES:
            yield from read_feed(str(path), default_date)
        else:
            yield Reject(source_str, f"unsupported file type {suffix or '(none)'}: "
                         "expected .txt, .jsonl, .csv, .rss/.atom/.xml or a folder")
    except OSError as exc:
        yield Reject(source_str, f"cannot read file: {exc.strerror or exc}")


def latest_published(future_days: int | None = FUTURE_DAYS, today: date | None = None) -> date | None:
    """The latest publication date accepted (None: no limit)."""
    if future_days is None:
        return None
    return (today or datetime.now(UTC).date()) + timedelta(days=future_days)


def iter_records(sources: Iterable[str | Path], default_date: str | None = None,
                 allow_urls: bool = False, *, delimiter: str | None = None,
                 future_days: int | None = FUTURE_DAYS, today: date | None = None) -> Iterator[Item]:
    """All sources in order; within the run, a repeated id with other content is a reject, and
    so is a publication date more than `future_days` after today."""
    latest = latest_published(future_days, today)
    if default_date is not None:
        default_date = parse_published(default_date)
        check_not_future(default_date, latest)
    seen: dict[str, str] = {}  # article_id -> content hash
    for source in sources:
        for item in iter_source(source, default_date, allow_urls, delimiter):
            if isinstance(item, ArticleRecord):
                try:
                    check_not_future(item.published, latest)
                except ReadError as exc:
                    yield Reject(item.source_path or str(source), str(exc), item.article_id)
                    continue
                previous = seen.get(item.article_id)
                if previous is not None and previous != item.content_hash:
                    yield Reject(item.source_path or str(source),
                                 f"duplicate id {item.article_id!r} with different text "
                                 "(the first one was kept)", item.article_id)
                    continue
                seen[item.article_id] = item.content_hash
            yield item


def read_paths(sources: Iterable[str | Path], default_date: str | None = None,
               allow_urls: bool = False, **options: object) -> ReadResult:
    result = ReadResult()
    for item in iter_records(sources, default_date, allow_urls, **options):
        (result.records if isinstance(item, ArticleRecord) else result.rejects).append(item)
    return result
