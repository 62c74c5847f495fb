"""Hostile and careless input: every record is a record or a reject, the good ones survive."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from geo import read
from geo.read import ArticleRecord, ReadError, Reject, iter_records, read_paths

GOOD = [{"id": "g1", "text": "Rain in Texas."}, {"id": "g2", "text": "Floods in Sonora."}]


def jsonl_around(path: Path, bad_line: str) -> Path:
    """A good record, the bad line, another good record."""
    path.write_text(json.dumps(GOOD[0]) + "\n" + bad_line + "\n" + json.dumps(GOOD[1]) + "\n",
                    encoding="utf-8")
    return path


@pytest.mark.parametrize("bad_line, reason", [
    ('{"id": "x", "text": "a", "n": ' + "1" * 5000 + "}", "4300 digits"),
    ('{"id": "x", "text": "a", "n": ' + "[" * 200_000 + "]" * 200_000 + "}", "nested too deeply"),
    (json.dumps({"id": "x", "text": "a", "published": "0001-01-01T00:00:00+01:00"}),
     "out of range"),
    (json.dumps({"id": "x", "text": "a", "title": {"nested": [1, 2]}}), "'title' must be"),
    (json.dumps({"id": True, "text": "a"}), "'id' must be"),
])
def test_crashing_records_become_rejects_and_neighbours_survive(tmp_path: Path, bad_line: str,
                                                                 reason: str) -> None:
    result = read_paths([jsonl_around(tmp_path / "a.jsonl", bad_line)])
    assert [r.article_id for r in result.records] == ["g1", "g2"]
    (reject,) = result.rejects
    assert reason in reject.reason and reject.source.endswith("a.jsonl:2")


def test_overflowing_date_in_csv_is_a_reject(tmp_path: Path) -> None:
    f = tmp_path / "a.csv"
    f.write_text("id,published,text\n1,2024-01-01,Rain in Texas.\n"
                 "2,0001-01-01T00:00:00+01:00,Floods.\n3,,Snow in Oslo.\n", encoding="utf-8")
    result = read_paths([f])
    assert [r.article_id for r in result.records] == ["1", "3"]
    assert result.rejects[0].record_id == "2" and "out of range" in result.rejects[0].reason


def test_lone_surrogates_are_replaced_and_noted(tmp_path: Path) -> None:
    f = jsonl_around(tmp_path / "a.jsonl",
                     '{"id": "s\\ud800", "title": "t\\udfff", "text": "Rain \\ud800 in Lagos."}')
    result = read_paths([f])
    record = result.records[1]
    assert record.text == "Rain \ufffd in Lagos." and record.article_id == "s\ufffd"
    assert record.title == "t\ufffd"
    assert any("surrogate" in n for n in record.notes)
    for value in (record.text, record.article_id, record.title, record.source_path):
        value.encode("utf-8")  # storable and printable


def test_reject_fields_never_hold_surrogates() -> None:
    reject = Reject("file\udcff.jsonl", "bad \ud800", "id\ud800")
    json.dumps(reject.to_dict(), ensure_ascii=False).encode("utf-8")


def test_future_publication_dates_are_rejected_with_a_tolerance(tmp_path: Path) -> None:
    f = tmp_path / "a.jsonl"
    rows = [{"id": "ok", "text": "a", "published": "2024-05-03"},
            {"id": "skew", "text": "b", "published": "2024-05-04T23:00:00Z"},
            {"id": "far", "text": "c", "published": "2099-01-01"}]
    f.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    items = list(iter_records([f], today=date(2024, 5, 3)))
    kept = [i.article_id for i in items if isinstance(i, ArticleRecord)]
    rejected = [i for i in items if isinstance(i, Reject)]
    assert kept == ["ok", "skew"]
    assert rejected[0].record_id == "far" and "in the future" in rejected[0].reason
    assert len([i for i in iter_records([f], today=date(2024, 5, 3), future_days=None)
                if isinstance(i, ArticleRecord)]) == 3
    with pytest.raises(ReadError, match="future"):
        list(iter_records([f], default_date="2099-01-01"))


def test_csv_unterminated_quote_rejects_that_row_only(tmp_path: Path) -> None:
    f = tmp_path / "a.csv"
    f.write_text('id,title,text\n1,A,"Unterminated text\n2,B,"Good text, quoted"\n'
                 '3,C,Plain text\n4,D,"Never closed\n5,E,Last row\n', encoding="utf-8")
    result = read_paths([f])
    assert [(r.article_id, r.text) for r in result.records] == [
        ("2", "Good text, quoted"), ("3", "Plain text"), ("5", "Last row")]
    assert [r.source.rsplit(":", 1)[1] for r in result.rejects] == ["2", "5"]
    assert all("malformed CSV row" in r.reason for r in result.rejects)


def test_csv_quoted_multiline_text_is_still_one_record(tmp_path: Path) -> None:
    f = tmp_path / "a.csv"
    f.write_text('id,text\n1,"First para.\n\nSecond ""quoted"" para."\n2,Next\n', encoding="utf-8")
    result = read_paths([f])
    assert not result.rejects
    assert result.records[0].text == 'First para.\n\nSecond "quoted" para.'


def test_csv_wrong_cell_count_is_a_reject(tmp_path: Path) -> None:
    f = tmp_path / "a.csv"
    f.write_text("id,title,text\n1,A,Rain.\n2,B\n3,C,Snow.,extra\n4,D,Sun.\n", encoding="utf-8")
    result = read_paths([f])
    assert [r.article_id for r in result.records] == ["1", "4"]
    assert [(r.record_id, r.reason) for r in result.rejects] == [
        ("2", "row has 2 cells, the header has 3"), ("3", "row has 4 cells, the header has 3")]


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_csv_dialect_is_detected(tmp_path: Path, delimiter: str) -> None:
    f = tmp_path / "a.csv"
    rows = [["id", "published", "text"], ["1", "2024-01-02", "Rain, wind; hail in Texas."],
            ["2", "2024-01-03", "Floods in Sonora, Mexico."]]
    f.write_text("\n".join(delimiter.join(f'"{c}"' if delimiter in c else c for c in row)
                           for row in rows) + "\n", encoding="utf-8")
    result = read_paths([f])
    assert not result.rejects
    assert [r.text for r in result.records] == [rows[1][2], rows[2][2]]


def test_csv_explicit_delimiter_wins(tmp_path: Path) -> None:
    f = tmp_path / "a.csv"
    f.write_text("id;text\n1;a,b\n", encoding="utf-8")
    assert read_paths([f], delimiter=";").records[0].text == "a,b"
    (reject,) = read_paths([f], delimiter=",").rejects
    assert "no 'text' column" in reject.reason


def test_size_is_checked_before_html_conversion(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(_: str) -> str:
        raise AssertionError("converted a text that is over the limit")

    monkeypatch.setattr(read, "MAX_TEXT_CHARS", 1000)
    monkeypatch.setattr(read, "html_to_text", boom)
    with pytest.raises(ReadError, match="limit 1,000"):
        read.make_record({"text": "<p>" + "x" * 2000 + "</p>"}, "mem")


def test_oversized_lines_and_files_are_rejected_unread(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(read, "MAX_RECORD_BYTES", 10_000)
    f = jsonl_around(tmp_path / "a.jsonl", json.dumps({"id": "big", "text": "x" * 50_000}))
    result = read_paths([f])
    assert [r.article_id for r in result.records] == ["g1", "g2"]
    assert "longer than 10,000 bytes" in result.rejects[0].reason
    big = tmp_path / "big.txt"
    big.write_text("y" * 20_000, encoding="utf-8")

    def no_read(*_: object) -> bytes:
        raise AssertionError("read a file that is over the limit")

    monkeypatch.setattr(Path, "read_bytes", no_read)
    (reject,) = read_paths([big]).rejects
    assert "bytes (limit 10,000)" in reject.reason
    c = tmp_path / "a.csv"
    c.write_text("id,text\n1,ok\n2," + "z" * 20_000 + "\n3,fine\n", encoding="utf-8")
    result = read_paths([c])
    assert [r.article_id for r in result.records] == ["1", "3"]
    assert "longer than 10,000 bytes" in result.rejects[0].reason


def test_jsonl_splits_on_newline_only(tmp_path: Path) -> None:
    f = tmp_path / "a.jsonl"
    texts = [f"Rain{ch}in Texas." for ch in ("\u0085", "\u2028", "\u2029", "\x0b", "\x1c")]
    f.write_text("".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in texts),
                 encoding="utf-8")
    result = read_paths([f])
    assert [r.text for r in result.records] == texts and not result.rejects


def test_the_header_decides_the_delimiter_before_any_sniffing(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    class NoSniffing:
        def sniff(self, *_: object, **__: object) -> None:
            raise AssertionError("csv.Sniffer is slow on hostile heads: the header decides")

    monkeypatch.setattr(read.csv, "Sniffer", NoSniffing)
    hostile = tmp_path / "a.csv"
    hostile.write_text("id;text\n1;" + ",'" * 8000 + "\n", encoding="utf-8")
    assert read_paths([hostile]).records[0].article_id == "1"
    single = tmp_path / "b.csv"
    single.write_text("text\nRain; wind and hail\nSnow; sleet\n", encoding="utf-8")
    assert [r.text for r in read_paths([single]).records] == ["Rain; wind and hail", "Snow; sleet"]
    assert read.detect_delimiter("\ufeffid\ttext\n") == "\t"
