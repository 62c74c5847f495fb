"""Readers: every input record becomes a record or a reject with a reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geo import paths
from geo.read import (
    ArticleRecord,
    ReadError,
    html_to_text,
    iter_records,
    parse_published,
    read_paths,
)


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_seed_format_header_is_the_publication_date(tmp_path: Path) -> None:
    f = write(tmp_path / "a.txt", "  date 2024-03-05\nGunmen attacked a bus in Lagos.\n")
    result = read_paths([f])
    assert not result.rejects
    record = result.records[0]
    assert record.published == "2024-03-05"
    assert record.text.startswith("Gunmen attacked")
    assert "date 2024" not in record.text
    assert record.title == "Gunmen attacked a bus in Lagos."


def test_seed_header_on_the_same_line_as_the_text(tmp_path: Path) -> None:
    f = write(tmp_path / "a.txt", " date 2024-01-22 12 suspected cartel members were killed.")
    record = read_paths([f]).records[0]
    assert record.published == "2024-01-22"
    assert record.text == "12 suspected cartel members were killed."


def test_real_seed_article(seed_article: tuple[str, dict]) -> None:
    raw, expected = seed_article
    seed_file = paths.shared_dir() / "seeds" / expected["file"]
    record = read_paths([seed_file]).records[0]
    assert record.published == expected["published"]
    # the body is the raw file after the header, untouched
    assert raw.endswith(record.text)
    assert "Sonora" in record.text


def test_plain_text_has_unknown_date_unless_given(tmp_path: Path) -> None:
    f = write(tmp_path / "plain.txt", "Floods hit Dhaka on Monday.")
    assert read_paths([f]).records[0].published is None
    assert read_paths([f], default_date="2024-07-01").records[0].published == "2024-07-01"
    with pytest.raises(ReadError):
        read_paths([f], default_date="01/07/2024")


def test_jsonl_records_and_rejects(tmp_path: Path) -> None:
    lines = [
        {"id": "a1", "title": "T", "url": "http://x/1", "source": "S",
         "published": "2024-05-01T10:00:00+02:00", "text": "Clashes in Goma."},
        {"id": "a2", "published": "May 5th", "text": "Something in Kano."},
        {"id": "a3", "title": "no text"},
        {"id": "a4", "text": "   "},
        "not an object",
        {"text": "Only text is required."},
    ]
    body = "\n".join(json.dumps(x) for x in lines) + "\n{broken json\n\n"
    result = read_paths([write(tmp_path / "in.jsonl", body)])
    assert result.n_read == 7
    assert [r.article_id for r in result.records][0] == "a1"
    assert result.records[0].published == "2024-05-01T08:00:00Z"  # normalised to UTC
    assert result.records[1].article_id.startswith("sha-")  # stable id from the content
    reasons = {r.record_id or r.source.rsplit(":", 1)[1]: r.reason for r in result.rejects}
    assert "not ISO 8601" in reasons["a2"]
    assert "missing 'text'" in reasons["a3"]
    assert "empty" in reasons["a4"]
    assert "expected a JSON object" in reasons["5"]
    assert "invalid JSON" in reasons["7"]


def test_csv_with_quoted_multiline_text(tmp_path: Path) -> None:
    body = ('id,title,url,source,published,text\n'
            'c1,Title,http://u,Src,2024-02-02,"Line one in Kabul.\nLine two, with comma."\n'
            'c2,,,,2024-13-01,Bad date\n'
            'c3,,,,,\n')
    result = read_paths([write(tmp_path / "in.csv", body)])
    assert [r.article_id for r in result.records] == ["c1"]
    assert result.records[0].text == "Line one in Kabul.\nLine two, with comma."
    assert {r.record_id for r in result.rejects} == {"c2", "c3"}


def test_csv_without_text_column_is_rejected_as_a_whole(tmp_path: Path) -> None:
    result = read_paths([write(tmp_path / "in.csv", "id,body\n1,hello\n")])
    assert not result.records
    assert "no 'text' column" in result.rejects[0].reason


def test_invalid_utf8_is_replaced_and_noted(tmp_path: Path) -> None:
    f = write(tmp_path / "bad.txt", b"date 2024-01-01\nCaf\xe9 bombing in Paris \xff.")
    result = read_paths([f])
    record = result.records[0]
    assert "\ufffd" in record.text and "Paris" in record.text
    assert any("invalid UTF-8" in n for n in record.notes)


def test_html_body_becomes_text() -> None:
    markup = ("<html><head><style>p{}</style><script>alert(1)</script></head><body>"
              "<p>Shelling in <b>Kharkiv</b> &amp; nearby.</p><p>Two killed.</p></body></html>")
    text = html_to_text(markup)
    assert "alert" not in text and "<" not in text
    assert "Shelling in Kharkiv & nearby." in text
    assert text.splitlines()[-1] == "Two killed."


def test_html_in_jsonl_is_stripped_and_noted(tmp_path: Path) -> None:
    f = write(tmp_path / "h.jsonl", json.dumps({"text": "<p>Protest in <i>Lima</i></p>"}) + "\n")
    record = read_paths([f]).records[0]
    assert record.text == "Protest in Lima"
    assert "HTML body converted to text" in record.notes


RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>
<item><guid>r1</guid><title>Quake</title><link>http://w/1</link>
<pubDate>Tue, 09 Jan 2024 08:00:00 GMT</pubDate><description>&lt;p&gt;A quake hit Nepal.&lt;/p&gt;</description></item>
<item><guid>r2</guid><title>Empty</title><description></description></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
<title>Atom wire</title><entry><id>urn:a1</id><title>Fire</title><link href="http://a/1"/>
<updated>2024-02-03T12:00:00Z</updated><content type="html">&lt;p&gt;Fire in Quito.&lt;/p&gt;</content></entry></feed>"""


def test_rss_and_atom_feeds(tmp_path: Path) -> None:
    result = read_paths([write(tmp_path / "w.rss", RSS), write(tmp_path / "a.atom", ATOM)])
    by_id = {r.article_id: r for r in result.records}
    assert by_id["r1"].text == "A quake hit Nepal."
    assert by_id["r1"].published == "2024-01-09T08:00:00Z"
    assert by_id["r1"].source == "Wire"
    assert by_id["urn:a1"].text == "Fire in Quito." and by_id["urn:a1"].url == "http://a/1"
    assert [r.record_id for r in result.rejects] == ["r2"]


def test_urls_are_not_fetched_unless_asked() -> None:
    result = read_paths(["https://example.org/feed.xml"])
    assert not result.records
    assert "fetching is off" in result.rejects[0].reason


def test_folders_recursive_with_unsupported_files_reported(tmp_path: Path) -> None:
    write(tmp_path / "d" / "one.txt", "date 2024-01-01\nA.")
    write(tmp_path / "d" / "sub" / "two.jsonl", json.dumps({"id": "x", "text": "B."}) + "\n")
    write(tmp_path / "d" / "sub" / "image.png", b"\x89PNG")
    write(tmp_path / "d" / ".hidden" / "three.txt", "C.")
    result = read_paths([tmp_path / "d", tmp_path / "missing.txt"])
    assert sorted(r.text for r in result.records) == ["A.", "B."]
    reasons = [r.reason for r in result.rejects]
    assert any("unsupported file type .png" in r for r in reasons)
    assert any("no such file" in r for r in reasons)


def test_duplicate_ids_with_other_text_are_rejected_same_text_kept(tmp_path: Path) -> None:
    rows = [{"id": "d", "text": "first"}, {"id": "d", "text": "first"},
            {"id": "d", "text": "second"}]
    f = write(tmp_path / "dup.jsonl", "\n".join(json.dumps(r) for r in rows))
    items = list(iter_records([f]))
    kept = [i for i in items if isinstance(i, ArticleRecord)]
    rejected = [i for i in items if not isinstance(i, ArticleRecord)]
    assert len(kept) == 2  # the identical repeat is passed on: the store counts it as present
    assert len(rejected) == 1 and "duplicate id 'd'" in rejected[0].reason


def test_large_jsonl_file_streams(tmp_path: Path) -> None:
    """Tens of MB: 3,000 articles of ~10 kB each (~30 MB) read completely."""
    f = tmp_path / "big.jsonl"
    paragraph = "Police said the convoy was attacked near the border crossing. " * 160
    with f.open("w", encoding="utf-8") as out:
        for i in range(3000):
            out.write(json.dumps({"id": f"b{i}", "published": "2024-01-01",
                                  "text": f"{i} {paragraph}"}) + "\n")
    assert f.stat().st_size > 25_000_000
    result = read_paths([f])
    assert len(result.records) == 3000 and not result.rejects


def test_parse_published_forms() -> None:
    assert parse_published("2024-01-22") == "2024-01-22"
    assert parse_published("2024-01-22T10:00:00Z") == "2024-01-22T10:00:00Z"
    assert parse_published("2024-01-22T10:00:00") == "2024-01-22T10:00:00"
    assert parse_published("") is None
    for bad in ("22/01/2024", "2024-02-30", "yesterday", 20240122):
        with pytest.raises(ReadError):
            parse_published(bad)


def test_sample_corpus_reads_with_only_the_bad_records_rejected() -> None:
    sample = paths.ROOT / "data" / "sample"
    if not sample.is_dir() or not any(sample.glob("*.jsonl")):
        pytest.skip("data/sample/*.jsonl not written yet (another helper's task)")
    result = read_paths([sample])
    # the corpus ships deliberately bad records in bad-*.jsonl; everything else must read
    assert all("/bad-" in r.source and r.reason for r in result.rejects), result.rejects[:3]
    good = [r for r in result.records if "/bad-" not in (r.source_path or "")]
    assert len(good) >= 60
    assert all(r.published for r in good)
    assert len({r.article_id for r in result.records}) == len(result.records)


def test_bad_seed_header_and_oversized_text_are_rejected(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.txt", "date 2024-13-45\nSomething happened.")
    huge = write(tmp_path / "huge.txt", "date 2024-01-01\n" + "word " * 1_100_000)
    result = read_paths([bad, huge])
    assert not result.records
    reasons = sorted(r.reason for r in result.rejects)
    assert "bad date header" in reasons[0] and "not ISO 8601" in reasons[0]
    assert "not an article" in reasons[1]
