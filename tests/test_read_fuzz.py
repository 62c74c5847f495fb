"""Property test: arbitrary JSON values and strings through every reader give 0 tracebacks.

Each example writes one folder with a JSONL file, a well-formed and a broken CSV, seed and
plain .txt files, an RSS and an Atom feed, all built from generated values, and reads the
folder. Many records per example keep it fast: >= 10,000 generated records per reader."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections import Counter
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.read import MAX_TEXT_CHARS, ArticleRecord, Reject, read_paths

FIELDS = ("id", "title", "url", "source", "published", "text")
# surrogates included: JSON can carry them, UTF-8 cannot
ANY_CHAR = st.characters(exclude_categories=())
STRINGS = st.text(ANY_CHAR, max_size=40) | st.sampled_from(
    ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "2099-01-01", "<p>x</p>",
     "=HYPERLINK(\"x\")", '"', '"a\n', "\r", "\x00", "\u2028", "date 2024-01-01"])
SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | STRINGS
JSON_VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(STRINGS, inner, max_size=4), max_leaves=12)
N_EXAMPLES = 100


def records_for(values: list, strings: list[str]) -> list[dict | object]:
    """~110 records from 10 values and 10 strings: each value in each field, each string as
    text, id and date, and the raw values themselves (not objects)."""
    out: list[dict | object] = list(values)
    for field in FIELDS:
        out += [{"text": "Rain in Texas.", field: v} for v in values]
    for s in strings:
        out += [{"text": s}, {"id": s, "text": s}, {"published": s, "text": "Snow."},
                {"title": s, "url": s, "source": s, "text": "Wind in " + s}]
    return out


def cell(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def write_folder(folder: Path, values: list, strings: list[str]) -> Counter:
    """All formats from one set of generated values; returns records written per reader."""
    written: Counter = Counter()
    records = records_for(values, strings)
    lines = [json.dumps(r) for r in records] + [s.replace("\n", " ") for s in strings]
    (folder / "a.jsonl").write_bytes("\n".join(lines).encode("utf-8", "surrogatepass"))
    written["jsonl"] += len(lines)
    written["jsonl_nonblank"] += sum(1 for line in lines if line.strip())

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(FIELDS)
    objects = [r for r in records if isinstance(r, dict)]
    for r in objects:
        writer.writerow([cell(r.get(f, "")) for f in FIELDS])
    (folder / "b.csv").write_bytes(buffer.getvalue().encode("utf-8", "surrogatepass"))
    broken = "\n".join(",".join(cell(r.get(f, "")) for f in FIELDS) for r in objects)
    (folder / "c.csv").write_bytes(("id,title,url,source,published,text\n" + broken)
                                   .encode("utf-8", "surrogatepass"))
    written["csv"] += 2 * len(objects)

    texts = strings + [cell(v) for v in values]
    for i, text in enumerate(texts * 5):
        body = f"date 2024-0{1 + i % 9}-1{i % 10}\n{text}" if i % 2 else text
        (folder / f"t{i:03d}.txt").write_bytes(body.encode("utf-8", "surrogatepass"))
    written["txt"] += len(texts) * 5

    items = "".join(f"<item><title>{escape(cell(r.get('title', '')))}</title>"
                    f"<guid>{escape(cell(r.get('id', '')))}</guid>"
                    f"<pubDate>{escape(cell(r.get('published', '')))}</pubDate>"
                    f"<description>{escape(cell(r.get('text', '')))}</description></item>"
                    for r in objects[::2])
    (folder / "d.rss").write_bytes(f'<?xml version="1.0"?><rss version="2.0"><channel>'
                                   f"<title>F</title>{items}</channel></rss>"
                                   .encode("utf-8", "surrogatepass"))
    entries = "".join(f"<entry><title>{escape(cell(r.get('title', '')))}</title>"
                      f"<id>{escape(cell(r.get('id', '')))}</id>"
                      f"<updated>{escape(cell(r.get('published', '')))}</updated>"
                      f"<content type=\"html\">{cell(r.get('text', ''))}</content></entry>"
                      for r in objects[1::2])  # content deliberately unescaped
    (folder / "e.atom").write_bytes(f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/'
                                    f'Atom"><title>A</title>{entries}</feed>'
                                    .encode("utf-8", "surrogatepass"))
    written["feed"] += len(objects)
    return written


def reader_of(source: str) -> str:
    suffix = source.split(":")[0].split("#")[0].rsplit(".", 1)[-1]
    return {"rss": "feed", "atom": "feed"}.get(suffix, suffix)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # feedparser's own
def test_every_reader_survives_arbitrary_values() -> None:
    written: Counter = Counter()
    seen: Counter = Counter()

    @settings(max_examples=N_EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(values=st.lists(JSON_VALUES, min_size=10, max_size=10),
           strings=st.lists(STRINGS, min_size=10, max_size=10))
    def check(values: list, strings: list[str]) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            written.update(write_folder(folder, values, strings))
            result = read_paths([folder], future_days=None)  # must not raise
        for record in result.records:
            assert isinstance(record, ArticleRecord)
            assert record.text.strip() and len(record.text) <= MAX_TEXT_CHARS
            for value in (record.text, record.article_id, record.title or "", record.url or "",
                          record.source or "", record.source_path or "", *record.notes):
                value.encode("utf-8")  # storable and printable
            seen[reader_of(record.source_path or "")] += 1
        for reject in result.rejects:
            assert isinstance(reject, Reject) and reject.reason
            json.dumps(reject.to_dict(), ensure_ascii=False).encode("utf-8")
            seen[reader_of(reject.source)] += 1

    check()
    for reader in ("jsonl", "csv", "txt", "feed"):
        assert written[reader] >= 10_000, (reader, written)
        assert seen[reader] > 0, (reader, seen)
    # a well-formed file gives one item per line or row (or more, never fewer)
    assert seen["jsonl"] == written["jsonl_nonblank"] and seen["txt"] == written["txt"]
