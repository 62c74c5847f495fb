"""The incident store on both backends (GeoPackage and PostGIS): layers, idempotence,
transactions, filters, corrections. Tests named *_geopackage run on the GeoPackage only."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from incident_fixtures import PLACES, boundaries, keyword_parser

from geo.filters import Filters, apply_filters
from geo.read import ArticleRecord, Reject
from geo.store import IncidentStore, StoreError

ARTICLES = [
    ArticleRecord("Gunmen killed four in Townville on Saturday, Aland police said.",
                  article_id="a1", title="Townville attack", url="https://example.org/1",
                  source="Wire", published="2024-01-22"),
    ArticleRecord("Floods hit South yesterday. Rescuers searched villages.", article_id="a2",
                  published="2024-03-05", source="Herald"),
    ArticleRecord("Protesters marched in Borderton on Friday.", article_id="a3",
                  published="2024-06-10T09:00:00Z"),
    ArticleRecord("Nothing located here at all.", article_id="a4", published="2024-06-11"),
]


def open_store(path: str | Path, **kwargs: object) -> IncidentStore:
    kwargs.setdefault("parser", keyword_parser)
    kwargs.setdefault("boundaries", boundaries())
    kwargs.setdefault("gazetteer_get", PLACES.get)
    return IncidentStore(path, **kwargs)


@pytest.fixture(params=["gpkg", "postgis"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str | Path:
    """A new, empty store location on each backend."""
    if request.param == "postgis":
        return request.getfixturevalue("postgis_url")
    return tmp_path / "store.gpkg"


@pytest.fixture
def location2(request: pytest.FixtureRequest, location: str | Path, tmp_path: Path,
              ) -> str | Path:
    """A second empty store on the same backend as `location`."""
    if isinstance(location, str):
        return request.getfixturevalue("postgis_url2")
    return tmp_path / "second.gpkg"


def refuse_incidents_of(s: IncidentStore, article_id: str) -> None:
    """A database trigger that makes writing one article's event reports fail."""
    if s.path is not None:
        s.connection.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON article_incidents WHEN NEW.article_id = "
            f"'{article_id}' BEGIN SELECT RAISE(ABORT, 'refused'); END")
        return
    s.connection.execute(
        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF NEW.article_id = '{article_id}' THEN RAISE EXCEPTION 'refused'; END IF; "
        "RETURN NEW; END $$")
    s.connection.execute("CREATE TRIGGER refuse BEFORE INSERT ON article_incidents FOR EACH ROW "
                         "EXECUTE FUNCTION refuse()")


@pytest.fixture
def store(location: str | Path) -> IncidentStore:
    s = open_store(location)
    report = s.ingest(ARTICLES)
    assert (report.read, report.stored, report.rejected) == (4, 4, 0)
    yield s
    s.close()


@pytest.fixture
def gpkg_store(tmp_path: Path) -> IncidentStore:
    s = open_store(tmp_path / "store.gpkg")
    s.ingest(ARTICLES)
    yield s
    s.close()


def test_layers_form_a_valid_geopackage(gpkg_store: IncidentStore) -> None:
    store = gpkg_store
    layers = dict(pyogrio.list_layers(store.path))
    assert layers == {"articles": None, "mentions": "Unknown", "incidents": "Point",
                      "corrections": None, "article_incidents": None, "event_keys": None,
                      "event_corrections": None}
    assert len(gpd.read_file(store.path, layer="articles")) == 4
    incidents = gpd.read_file(store.path, layer="incidents")
    assert incidents.crs.to_epsg() == 4326
    assert set(incidents["article_id"]) == {"a1", "a2", "a3", "a4"}
    mentions = gpd.read_file(store.path, layer="mentions")
    assert set(mentions.geom_type.dropna()) == {"Point", "Polygon"}
    # the R-tree index answers bbox queries (GDAL uses it)
    in_bland = gpd.read_file(store.path, layer="mentions", bbox=(12, 1, 18, 9))
    assert list(in_bland["name"]) == ["Borderton"]
    connection = sqlite3.connect(store.path)
    assert connection.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_incident_fields(store: IncidentStore) -> None:
    incidents = store.incidents().set_index("article_id")
    a1 = incidents.loc["a1"]
    assert (a1["name"], a1["geo_precision"], a1["adm1_iso"], a1["adm2_name"]) == \
        ("Townville", 1, "AA-N", "Upper County")
    assert (a1["event_date"], a1["time_precision"]) == ("2024-01-20", 1)
    assert a1["source_url"] == "https://example.org/1" and a1["reason"]
    assert (a1.geometry.x, a1.geometry.y) == (3.0, 9.0)
    a2 = incidents.loc["a2"]
    assert (a2["name"], a2["level"], a2["geo_precision"], a2["event_date"]) == \
        ("South", "admin1", 3, "2024-03-04")
    a4 = incidents.loc["a4"]
    assert a4.geometry is None and pd.isna(a4["name"]) and "no resolved place" in a4["reason"]


def test_same_content_twice_is_a_no_op(store: IncidentStore) -> None:
    before = store.stats()
    again = [ArticleRecord(ARTICLES[0].text, article_id="other-id", published="2024-01-22"),
             ArticleRecord(ARTICLES[1].text + "  ", article_id="a2")]  # whitespace only
    report = store.ingest(again)
    assert (report.read, report.stored, report.already_present) == (2, 0, 2)
    assert store.stats() == before


def test_reused_id_with_other_text_is_rejected(store: IncidentStore) -> None:
    report = store.ingest([ArticleRecord("Completely different text.", article_id="a1")])
    assert report.rejected == 1 and "already in the store" in report.rejects[0].reason


def test_read_rejects_are_counted_not_lost(location: str | Path) -> None:
    with open_store(location) as s:
        report = s.ingest([Reject("f.jsonl:3", "missing 'text' field"), ARTICLES[0]])
    assert (report.read, report.stored, report.rejected) == (2, 1, 1)


def test_a_failing_article_is_rejected_alone(location: str | Path) -> None:
    def flaky(text: str, published: object) -> list:
        if "Borderton" in text:
            raise RuntimeError("boom")
        return keyword_parser(text, published)

    with open_store(location, parser=flaky) as s:
        report = s.ingest(ARTICLES)
        assert (report.stored, report.rejected) == (3, 1)
        assert "geoparser failed: RuntimeError: boom" in report.rejects[0].reason
        assert set(s.articles()["article_id"]) == {"a1", "a2", "a4"}
        # every stored article has its incident; nothing half-written
        assert set(s.incidents()["article_id"]) == {"a1", "a2", "a4"}


def test_a_write_error_rolls_back_only_that_article(location: str | Path) -> None:
    with open_store(location) as s:
        refuse_incidents_of(s, "a3")
        report = s.ingest(ARTICLES)
        assert (report.stored, report.rejected) == (3, 1)
        assert "refused" in report.rejects[0].reason
        assert "a3" not in set(s.articles()["article_id"])
        assert "a3" not in set(s.mentions()["article_id"])


def test_filters(store: IncidentStore) -> None:
    def ids(**fields: object) -> list[str]:
        return sorted(store.incidents(replace(Filters.everything(), **fields))["article_id"])

    assert ids(start=date(2024, 3, 1)) == ["a2", "a3", "a4"]
    assert ids(start=date(2024, 3, 1), end=date(2024, 6, 9)) == ["a2", "a3"]
    assert ids(start=date(2024, 6, 10), time_axis="published") == ["a3", "a4"]
    assert ids(countries=("BBB",)) == ["a3"]
    assert ids(countries=("AA",)) == ["a1", "a2"]
    assert ids(admin1=("AA-S",)) == ["a2"]
    assert ids(geo_precision=(1,)) == ["a1", "a3"]
    assert ids(query="floods") == ["a2"]
    assert ids(query="FLOODS") == ["a2"]
    assert ids(query="100%") == []  # typed wildcards match literally
    assert ids(min_confidence=0.95) == []
    mentions = store.mentions(replace(Filters.everything(), kinds=("toponym",),
                                      countries=("AAA",)))
    assert set(mentions["name"]) == {"Townville", "Aland", "South"}
    assert set(mentions["event_date"]) == {"2024-01-20", "2024-03-04"}
    assert all(name in snippet for name, snippet in zip(mentions["surface"], mentions["snippet"],
                                                        strict=True))
    with pytest.raises(TypeError):
        store.incidents(contry="AAA")


def test_store_filters_are_exactly_the_apps(store: IncidentStore) -> None:
    """The store narrows in SQL, but keeps exactly the rows geo.filters.apply_filters keeps."""
    everything = store.incidents()
    articles = store.articles()
    for fields in ({"start": date(2024, 1, 21)}, {"end": date(2024, 3, 4)},
                   {"query": "police"}, {"countries": ("AAA",), "geo_precision": (1, 3)},
                   {"kinds": ("toponym",)}, {"min_confidence": 0.5, "time_axis": "published",
                                             "start": date(2024, 3, 5)}):
        filters = replace(Filters.everything(), **fields)
        expected = apply_filters(everything, filters, articles)
        assert list(store.incidents(filters)["incident_id"]) == \
            list(expected["incident_id"]), fields


def test_stats(store: IncidentStore) -> None:
    stats = store.stats()
    assert (stats["articles"], stats["incidents"], stats["located_incidents"]) == (4, 4, 3)
    assert stats["incidents_by_country"] == {"AAA": 2, "BBB": 1, "unknown": 1}
    assert stats["event_date_range"] == ["2024-01-20", "2024-06-11"]


def test_correction_reresolves_rejoins_and_updates_the_incident(store: IncidentStore) -> None:
    text = ARTICLES[2].text
    start = text.index("Borderton")
    # the analyst says this "Borderton" is really Lakeside (AA-S)
    store.add_correction("a3", start, start + 9, 101, note="wrong town")
    incident = store.incidents(article_id="a3").iloc[0]
    assert (incident["gazetteer_id"], incident["adm1_iso"], incident["confidence"]) == \
        (101, "AA-S", 1.0)
    mention = store.mentions(article_id="a3").iloc[0]
    assert (mention["place_id"], mention["adm0_iso3"]) == (101, "AAA")
    assert "analyst correction: wrong town" in mention["evidence"]
    corrections = store.corrections()
    assert list(corrections["surface"]) == ["Borderton"]
    with pytest.raises(StoreError):
        store.add_correction("nope", 0, 1, 101)
    with pytest.raises(StoreError):
        store.add_correction("a3", 0, 1, 999_999)


def test_correction_to_not_a_place_and_to_an_unparsed_span(store: IncidentStore) -> None:
    text = ARTICLES[0].text
    store.add_correction("a1", text.index("Townville"), text.index("Townville") + 9, None)
    assert store.incidents(article_id="a1").iloc[0]["name"] == "Aland"
    # a span the parser did not find at all becomes a mention
    store.add_correction("a1", text.index("police"), text.index("police") + 6, 102)
    names = set(store.mentions(article_id="a1")["name"])
    assert names == {"Aland", "Borderton"}


def test_corrections_survive_reprocessing_and_rebuilt_gazetteer(location: str | Path) -> None:
    path = location
    with open_store(path) as s:
        s.ingest(ARTICLES)
        start = ARTICLES[2].text.index("Borderton")
        s.add_correction("a3", start, start + 9, 101)
    # a "rebuilt gazetteer" that lost id 101: the stored snapshot keeps the correction alive
    with open_store(path, gazetteer_get=lambda i: None if i == 101 else PLACES.get(i)) as s:
        assert s.reprocess_all() == 4
        assert s.incidents(article_id="a3").iloc[0]["gazetteer_id"] == 101
        assert s.incidents(article_id="a1").iloc[0]["name"] == "Townville"


def test_corrections_apply_on_later_ingest_of_the_same_content(location: str | Path) -> None:
    path = location
    with open_store(path) as s:
        s.ingest(ARTICLES[2:3])
        start = ARTICLES[2].text.index("Borderton")
        s.add_correction("a3", start, start + 9, 101)
        # the article is removed (e.g. a cleaned store) but its correction is kept...
        for table in ("mentions", "incidents", "event_keys", "article_incidents", "articles"):
            s.connection.execute(f"DELETE FROM {table}")
        # ...and is applied when the same text comes in again, under another id
        s.ingest([ArticleRecord(ARTICLES[2].text, article_id="again", published="2024-06-10")])
        assert s.incidents(article_id="again").iloc[0]["gazetteer_id"] == 101


def test_reader_sees_committed_data_while_a_writer_holds_a_transaction_geopackage(
        gpkg_store: IncidentStore) -> None:
    store = gpkg_store
    store.connection.execute("BEGIN IMMEDIATE")
    store.connection.execute("DELETE FROM incidents")
    try:
        reader = gpd.read_file(store.path, layer="incidents")  # GDAL, another connection
        assert len(reader) == 4
    finally:
        store.connection.execute("ROLLBACK")


def test_not_a_geopackage_is_refused_geopackage(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE t (x)")
    with pytest.raises(StoreError, match="not a GeoPackage"):
        open_store(other)
    junk = tmp_path / "junk.gpkg"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError):
        open_store(junk)
    with pytest.raises(StoreError, match="folder"):
        open_store(tmp_path)


def test_opening_does_not_wait_for_a_running_ingest_geopackage(
        gpkg_store: IncidentStore) -> None:
    store = gpkg_store
    import time

    store.connection.execute("BEGIN IMMEDIATE")  # as an ingest batch holds the write lock
    try:
        started = time.monotonic()
        with open_store(store.path) as reader:
            assert len(reader.incidents()) == 4
        assert time.monotonic() - started < 5
    finally:
        store.connection.execute("ROLLBACK")


def test_parallel_parsing_stores_the_same_as_serial(location: str | Path,
                                                  location2: str | Path) -> None:
    many = [ArticleRecord(f"{a.text} Report {i}.", article_id=f"{a.article_id}-{i}",
                          published=a.published) for i in range(30) for a in ARTICLES]
    # same content in the next batch, while the first is parsed but not yet written
    many.insert(7, ArticleRecord(many[0].text, article_id="dup-content"))
    with open_store(location) as serial, open_store(location2) as parallel:
        one = serial.ingest(many, batch_size=7)
        two = parallel.ingest(many, batch_size=7, workers=2)
        assert (two.read, two.stored, two.already_present, two.rejected) == \
            (one.read, one.stored, one.already_present, one.rejected) == (121, 120, 1, 0)
        columns = ["incident_id", "name", "event_date", "adm1_iso", "reason"]
        assert serial.incidents()[columns].equals(parallel.incidents()[columns])
        assert len(serial.mentions()) == len(parallel.mentions())


def test_both_backends_return_the_same_layers(tmp_path: Path, postgis_url: str) -> None:
    with open_store(tmp_path / "s.gpkg") as gpkg, open_store(postgis_url) as pg:
        for s in (gpkg, pg):
            s.ingest(ARTICLES)
            start = ARTICLES[2].text.index("Borderton")
            s.add_correction("a3", start, start + 9, 101, note="wrong town")
        for read in ("incidents", "mentions"):
            one, two = getattr(gpkg, read)(), getattr(pg, read)()
            pd.testing.assert_frame_equal(one, two, check_dtype=False)
            assert list(one.geometry.to_wkt()) == list(two.geometry.to_wkt())
        drop = ["fid", "ingested_at", "created_at"]
        for read in ("articles", "corrections"):
            one, two = getattr(gpkg, read)(), getattr(pg, read)()
            assert list(one.columns) == list(two.columns)
            pd.testing.assert_frame_equal(one.drop(columns=drop, errors="ignore"),
                                          two.drop(columns=drop, errors="ignore"),
                                          check_dtype=False)
        assert {k: v for k, v in gpkg.stats().items() if k != "store"} == \
            {k: v for k, v in pg.stats().items() if k != "store"}


def _stored_rows(s: IncidentStore) -> dict[str, list[tuple]]:
    """Every layer an ingest writes, as sorted rows without row ids and ingest times."""
    out = {}
    for table in ("articles", "mentions", "article_incidents", "event_keys", "incidents"):
        frame = s.backend.read_frame(f"SELECT * FROM {table}")
        frame = frame.drop(columns=[c for c in ("fid", "ingested_at") if c in frame])
        frame = frame.drop(columns=[c for c in frame if c in ("geom", "geometry")])
        out[table] = sorted(tuple(str(v) for v in row) for row in frame.itertuples(index=False))
    return out


def test_a_batch_is_written_in_a_few_statements_with_the_same_rows(
        location: str | Path, location2: str | Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch's rows go in one insert per table (not one per article), and they are the
    rows the one-article-at-a-time path writes."""
    from geo.store import ingest as ingest_module

    calls: list[str] = []
    with open_store(location) as batched:
        insert_rows = batched.backend.insert_rows
        monkeypatch.setattr(batched.backend, "insert_rows", lambda table, rows: (
            calls.append(table), insert_rows(table, rows))[1])
        report = batched.ingest(ARTICLES, batch_size=10)
        assert (report.stored, report.rejected) == (4, 0)
        assert sorted(calls) == ["article_incidents", "event_keys", "incidents", "mentions"]
        expected = _stored_rows(batched)

    def fail(*args: object) -> None:
        raise ValueError("batch refused")

    monkeypatch.setattr(ingest_module, "write_together", fail)
    with open_store(location2) as one_by_one:
        report = one_by_one.ingest(ARTICLES, batch_size=10)
        assert (report.stored, report.rejected) == (4, 0)
        assert _stored_rows(one_by_one) == expected
    assert all(expected[t] for t in ("mentions", "article_incidents", "incidents"))
