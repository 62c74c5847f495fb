"""Checks on the sample corpus in data/sample/ (the data `make run` ingests) and data/README.md.

Run as a script to print the count tables that data/README.md must contain:
    .venv/bin/python tests/test_sample_data.py
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
SAMPLE_DIR = DATA_DIR / "sample"
README = DATA_DIR / "README.md"
BAD_FILE = SAMPLE_DIR / "bad-records.jsonl"
REQUIRED_FIELDS = {"id", "title", "url", "source", "published", "text"}
GOOD_ID = re.compile(r"^sample-\d{4}$")
BAD_ID = re.compile(r"^sample-bad-\d{4}$")
QUARTER_FILE = re.compile(r"^2024-q([1-4])\.jsonl$")
MIN_WORDS, MAX_WORDS = 80, 300
# Country names (and a few common short forms) used to check how many countries the texts mention.
COUNTRY_NAMES = {
    "Mexico": "MX", "United States": "US", "U.S.": "US", "Colombia": "CO", "Brazil": "BR",
    "Nigeria": "NG", "Kenya": "KE", "Philippines": "PH", "India": "IN", "Ukraine": "UA",
    "France": "FR", "Haiti": "HT", "Peru": "PE", "Indonesia": "ID", "Turkey": "TR",
    "Spain": "ES", "Argentina": "AR", "Bolivia": "BO", "Costa Rica": "CR", "Australia": "AU",
}


class _TagStripper(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(text: str) -> str:
    """Text with HTML tags removed (HTML-bodied records are counted by their visible words)."""
    stripper = _TagStripper()
    stripper.feed(text)
    stripper.close()
    return " ".join(stripper.parts)


def read_jsonl(path: Path) -> list[dict]:
    """Every line must be one JSON object; blank lines are an error, not skipped."""
    records = []
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), f"{path.name} starts with a BOM"
    lines = raw.decode("utf-8").split("\n")
    if lines[-1] == "":
        lines.pop()  # the newline that ends the last record
    for lineno, line in enumerate(lines, 1):
        obj = json.loads(line)
        assert isinstance(obj, dict), f"{path.name}:{lineno} is not a JSON object"
        records.append(obj)
    return records


def good_files() -> list[Path]:
    return sorted(p for p in SAMPLE_DIR.glob("*.jsonl") if p != BAD_FILE)


def good_records() -> list[dict]:
    return [r for p in good_files() for r in read_jsonl(p)]


def readme_text() -> str:
    return README.read_text(encoding="utf-8")


def readme_section_rows(heading: str) -> list[list[str]]:
    """Table rows (cells, header and separator excluded) of the first table after `heading`."""
    text = readme_text()
    start = text.index(heading)
    rows: list[list[str]] = []
    in_table = False
    for line in text[start:].splitlines()[1:]:
        if line.startswith("|"):
            in_table = True
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not set("".join(cells)) <= set("-: "):
                rows.append(cells)
        elif in_table:
            break
    return rows[1:]  # drop the header row


def readme_index() -> dict[str, dict[str, str]]:
    """The record index: id -> published, country, title, traps."""
    return {
        row[0]: {"published": row[1], "country": row[2], "title": row[3], "traps": row[4]}
        for row in readme_section_rows("## Record index")
    }


def count_tables() -> tuple[Counter, Counter]:
    """(records per event country from the README index, records per month from the data)."""
    index = readme_index()
    per_country = Counter(index[r["id"]]["country"] for r in good_records())
    per_month = Counter(r["published"][:7] for r in good_records())
    return per_country, per_month


# --- format -----------------------------------------------------------------------------------


def test_files_parse_as_jsonl_objects() -> None:
    files = good_files()
    assert files, "no sample JSONL files"
    for path in [*files, BAD_FILE]:
        assert read_jsonl(path), f"{path.name} is empty"


def test_good_files_are_named_by_quarter_and_hold_that_quarter() -> None:
    for path in good_files():
        match = QUARTER_FILE.match(path.name)
        assert match, f"unexpected file name {path.name}"
        quarter = int(match.group(1))
        for rec in read_jsonl(path):
            month = date.fromisoformat(rec["published"]).month
            assert (month - 1) // 3 + 1 == quarter, f"{rec['id']} ({rec['published']}) in {path.name}"


def test_required_fields_present_and_typed() -> None:
    for rec in good_records():
        assert set(rec) == REQUIRED_FIELDS, rec.get("id")
        assert all(isinstance(rec[k], str) and rec[k].strip() for k in REQUIRED_FIELDS), rec["id"]
        assert GOOD_ID.match(rec["id"]), rec["id"]
        assert rec["url"] == f"https://example.org/sample/{rec['id']}"


def test_ids_unique_across_all_files() -> None:
    ids = [r["id"] for r in good_records()] + [r["id"] for r in read_jsonl(BAD_FILE)]
    duplicates = [i for i, n in Counter(ids).items() if n > 1]
    assert not duplicates


def test_at_least_60_good_records() -> None:
    assert len(good_records()) >= 60


def test_published_dates_are_iso_and_within_2024() -> None:
    for rec in good_records():
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", rec["published"]), rec["id"]
        published = date.fromisoformat(rec["published"])
        assert date(2024, 1, 1) <= published <= date(2024, 12, 31), rec["id"]


def test_dates_span_the_year() -> None:
    months = {r["published"][:7] for r in good_records()}
    assert months == {f"2024-{m:02d}" for m in range(1, 13)}


def test_word_counts_within_limits_except_the_tweet_like_record() -> None:
    index = readme_index()
    short = []
    for rec in good_records():
        words = len(plain_text(rec["text"]).split())
        assert words <= MAX_WORDS, (rec["id"], words)
        if words < MIN_WORDS:
            short.append(rec["id"])
    # Only records the README marks as tweet-like may be short, and there is exactly one.
    assert short == [i for i in index if "tweet-like" in index[i]["traps"]]
    assert len(short) == 1


def test_at_least_six_distinct_countries_mentioned() -> None:
    mentioned: set[str] = set()
    for rec in good_records():
        text = plain_text(rec["text"])
        for name, iso2 in COUNTRY_NAMES.items():
            if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text):
                mentioned.add(iso2)
    assert len(mentioned) >= 6, mentioned
    assert len({v["country"] for v in readme_index().values()}) >= 6


def test_trap_formats_present() -> None:
    texts = [r["text"] for r in good_records()]
    html = [t for t in texts if re.search(r"<\s*(p|div|html|article)\b[^>]*>", t, re.I)]
    assert len(html) >= 3
    assert any(re.search(r"(?<!\w)#\w+", t) and re.search(r"(?<!\w)@\w+", t) for t in texts)


# --- the deliberately bad records ----------------------------------------------------------------


def _is_valid_iso_date(value: object) -> bool:
    try:
        date.fromisoformat(str(value))
    except ValueError:
        return False
    return True


def test_bad_records_file_holds_exactly_the_two_bad_records() -> None:
    bad = read_jsonl(BAD_FILE)
    assert len(bad) == 2
    assert all(set(r) == REQUIRED_FIELDS and BAD_ID.match(r["id"]) for r in bad)
    malformed_date = [r for r in bad if not _is_valid_iso_date(r["published"])]
    empty_text = [r for r in bad if not r["text"].strip()]
    assert len(malformed_date) == 1 and malformed_date[0]["published"] == "2024-13-45"
    assert malformed_date[0]["text"].strip(), "the bad-date record must fail only on its date"
    assert len(empty_text) == 1 and _is_valid_iso_date(empty_text[0]["published"])
    assert malformed_date[0] is not empty_text[0]


def test_reader_keeps_good_records_and_rejects_exactly_the_bad_ones() -> None:
    """The real reader on the real folder (what `make run` ingests)."""
    read = pytest.importorskip("geo.read")
    if not hasattr(read, "read_paths"):
        pytest.skip("geo.read.read_paths is not available yet")
    result = read.read_paths([SAMPLE_DIR])
    assert sorted(r.article_id for r in result.records) == sorted(r["id"] for r in good_records())
    assert sorted(r.record_id for r in result.rejects) == sorted(r["id"] for r in read_jsonl(BAD_FILE))
    assert all(r.reason for r in result.rejects)


# --- README -----------------------------------------------------------------------------------


def test_readme_says_sample_data_and_licence() -> None:
    text = readme_text()
    assert "SAMPLE DATA" in text and "fictional" in text.lower()
    assert "CC0" in text
    assert "bad-records.jsonl" in text and "2024-13-45" in text


def test_readme_index_matches_data() -> None:
    index = readme_index()
    records = good_records()
    assert list(index) == [r["id"] for r in sorted(records, key=lambda r: r["id"])]
    for rec in records:
        row = index[rec["id"]]
        assert (row["published"], row["title"]) == (rec["published"], rec["title"]), rec["id"]
        assert re.fullmatch(r"[A-Z]{2}", row["country"]) and row["traps"], rec["id"]


def test_readme_counts_match_data() -> None:
    per_country, per_month = count_tables()
    readme_country = {row[0]: int(row[2]) for row in readme_section_rows("### Records per country")}
    readme_month = {row[0]: int(row[1]) for row in readme_section_rows("### Records per month")}
    assert readme_country == dict(per_country)
    assert readme_month == dict(per_month)
    readme_files = {row[0].strip("`"): int(row[1]) for row in readme_section_rows("## Files and format")}
    actual_files = {f"sample/{p.name}": len(read_jsonl(p)) for p in [*good_files(), BAD_FILE]}
    assert readme_files == actual_files


# --- Spanish articles through the real parser -----------------------------------------------------

# where the author put each Spanish article's event (admin-1), and the town when one is named
SPANISH_EVENTS = {
    "sample-0018": ("MX-GUA", "Celaya"),
    "sample-0076": ("MX-SIN", "Culiacán"),
    "sample-0077": ("MX-SON", None),  # Ciudad Obregón or its municipality, Cajeme
    "sample-0078": ("MX-SIN", "Los Mochis"),
}


def test_spanish_articles_give_the_right_incident_place(real_gazetteer_dir) -> None:
    from geo.incidents import choose_incident
    from geo.parse import default_parser

    index = readme_index()
    spanish = {r["id"]: r for r in good_records() if "all in Spanish" in index[r["id"]]["traps"]}
    assert set(spanish) == set(SPANISH_EVENTS)
    for rec_id, rec in spanish.items():
        doc = default_parser().run(rec["text"], rec["published"])
        assert doc.language == "es", rec_id
        choice = choose_incident(rec["text"], doc.mentions, date.fromisoformat(rec["published"]))
        assert choice.primary is not None, rec_id
        place = doc.mentions[choice.primary]
        admin1, town = SPANISH_EVENTS[rec_id]
        assert place.country == index[rec_id]["country"] and place.admin1_iso == admin1, (rec_id, place)
        assert place.precision in ("place", "admin2"), (rec_id, place)
        if town:
            assert place.name == town, (rec_id, place)
        # no Spanish article or common word survives as a place
        assert not {m.surface for m in doc.mentions} & {"Los", "Las", "El", "La", "Río", "Nacional"}, rec_id


if __name__ == "__main__":
    countries, months = count_tables()
    print(f"{sum(months.values())} good records\n\n| country | records |\n|---|---|")
    for code, n in sorted(countries.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"| {code} | {n} |")
    print("\n| month | records |\n|---|---|")
    for month in sorted(months):
        print(f"| {month} | {months[month]} |")
