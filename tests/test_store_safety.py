"""Crash safety and concurrency of the GeoPackage store: creation killed at any moment,
half-created stores repaired, racing ingests, one-snapshot reads, schema upgrades."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import sqlite3
import time
from pathlib import Path

import pytest
from incident_fixtures import PLACES, boundaries, keyword_parser

from geo.errors import GeoError, StoreError
from geo.read import ArticleRecord
from geo.store import IncidentStore
from geo.store.schema import SCHEMA_VERSION

ARTICLES = [
    ArticleRecord("Gunmen killed four in Townville on Saturday, Aland police said.",
                  article_id="a1", published="2024-01-22"),
    ArticleRecord("Floods hit South yesterday. Rescuers searched villages.", article_id="a2",
                  published="2024-03-05"),
    ArticleRecord("Protesters marched in Borderton on Friday.", article_id="a3",
                  published="2024-06-10"),
]


def open_store(path: Path, **kwargs: object) -> IncidentStore:
    kwargs.setdefault("parser", keyword_parser)
    kwargs.setdefault("boundaries", boundaries())
    kwargs.setdefault("gazetteer_get", PLACES.get)
    return IncidentStore(path, **kwargs)


def _create(path: str) -> None:
    IncidentStore(path).close()


def test_store_error_is_a_geo_error() -> None:
    assert issubclass(StoreError, GeoError) and issubclass(StoreError, RuntimeError)


def test_killed_while_creating_a_store_never_leaves_a_refused_file(tmp_path: Path) -> None:
    """Kill the creating process 0-12 ms after the file appears, 30 times: every file left
    behind opens (and is a complete store) on the next try."""
    context = multiprocessing.get_context("fork")
    rng = random.Random(7)
    killed_mid_way = 0
    for trial in range(30):
        path = tmp_path / f"s{trial}.gpkg"
        child = context.Process(target=_create, args=(str(path),))
        child.start()
        deadline = time.monotonic() + 30
        while not path.exists() and child.is_alive():
            assert time.monotonic() < deadline
            time.sleep(0.0002)
        time.sleep(rng.uniform(0, 0.012))
        if child.is_alive():
            os.kill(child.pid, signal.SIGKILL)
            killed_mid_way += 1
        child.join()
        with open_store(path) as store:  # never "not a GeoPackage store"
            assert store.article_count() == 0
            assert store.ingest(ARTICLES[:1]).stored == 1
    assert killed_mid_way >= 10  # the kills really landed during creation


def test_a_half_created_store_is_repaired(tmp_path: Path) -> None:
    """What an older version left when killed mid-creation: some schema tables, no
    gpkg_contents, no data. It is completed on open, not refused."""
    path = tmp_path / "half.gpkg"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id "
                       "INTEGER PRIMARY KEY, organization TEXT NOT NULL, organization_coordsys_id"
                       " INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT)")
    connection.execute("CREATE TABLE articles (fid INTEGER PRIMARY KEY AUTOINCREMENT, "
                       "article_id TEXT NOT NULL UNIQUE, content_hash TEXT NOT NULL UNIQUE)")
    connection.commit()
    connection.close()
    with open_store(path) as store:
        assert store.ingest(ARTICLES).stored == 3
        assert len(store.incidents()) == 3
    # a file holding data of its own that is not ours is still refused
    other = tmp_path / "other.sqlite"
    connection = sqlite3.connect(other)
    connection.execute("CREATE TABLE articles (x)")
    connection.execute("INSERT INTO articles VALUES (1)")
    connection.commit()
    connection.close()
    with pytest.raises(StoreError, match="not a GeoPackage"):
        open_store(other)


def test_racing_ingests_count_the_loser_as_already_present(tmp_path: Path) -> None:
    """Both ingests decide the articles are new; the other one stores them first (here: while
    this one parses). The loser must say "already present", not "rejected"."""
    path = tmp_path / "race.gpkg"
    other = open_store(path)
    raced = []

    def parser_racing_the_other_ingest(text: str, published: object) -> list:
        if not raced:
            raced.append(other.ingest(ARTICLES))
        return keyword_parser(text, published)

    with open_store(path, parser=parser_racing_the_other_ingest) as store:
        report = store.ingest(ARTICLES)
    assert raced[0].stored == 3
    assert (report.stored, report.already_present, report.rejected) == (0, 3, 0)
    # an id taken meanwhile by other content is still a reject
    clash = [ArticleRecord("Different words about Townville.", article_id="late")]

    def parser_storing_other_content(text: str, published: object) -> list:
        other.ingest([ArticleRecord("Other content, same id, in Aland.", article_id="late")])
        return keyword_parser(text, published)

    with open_store(path, parser=parser_storing_other_content) as store:
        report = store.ingest(clash)
    assert (report.stored, report.already_present, report.rejected) == (0, 0, 1)
    assert "already in the store" in report.rejects[0].reason
    other.close()


def test_read_all_is_one_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "snap.gpkg"
    with open_store(path) as writer:
        writer.ingest(ARTICLES[:2])
    reader = open_store(path)
    read_mentions = reader.mentions

    def mentions_after_a_concurrent_ingest(**filters: object):  # noqa: ANN202
        with open_store(path) as w:  # another connection commits between the reads
            assert w.ingest(ARTICLES[2:]).stored == 1
        return read_mentions(**filters)

    reader.mentions = mentions_after_a_concurrent_ingest  # type: ignore[method-assign]
    incidents, mentions, articles = reader.read_all()
    assert sorted(incidents["article_id"]) == sorted(articles["article_id"]) == ["a1", "a2"]
    assert set(mentions["article_id"]) <= {"a1", "a2"}
    assert len(reader.incidents()) == 3  # after the snapshot, the new article is there
    reader.close()


def test_a_store_from_the_previous_schema_is_upgraded_in_place(tmp_path: Path) -> None:
    """Version 1 stores (before versions were recorded) lack the articles.language column and
    the version table: they open, are upgraded, and keep their data."""
    path = tmp_path / "v1.gpkg"
    with open_store(path) as store:
        store.ingest(ARTICLES)
    connection = sqlite3.connect(path)
    connection.execute("ALTER TABLE articles DROP COLUMN language")
    connection.execute("DROP TABLE store_meta")
    connection.commit()
    connection.close()
    with open_store(path) as store:
        columns = {r[1] for r in store.connection.execute("PRAGMA table_info(articles)")}
        assert "language" in columns
        version = store.connection.execute(
            "SELECT value FROM store_meta WHERE key = 'schema_version'").fetchone()[0]
        assert int(version) == SCHEMA_VERSION
        assert len(store.incidents()) == 3 and store.article_count() == 3
        assert store.ingest([ArticleRecord("Rain in Aland.", article_id="new")]).stored == 1


def test_a_store_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.gpkg"
    open_store(path).close()
    connection = sqlite3.connect(path)
    connection.execute("UPDATE store_meta SET value = ? WHERE key = 'schema_version'",
                       (str(SCHEMA_VERSION + 1),))
    connection.commit()
    connection.close()
    with pytest.raises(StoreError, match="newer"):
        open_store(path)


def test_each_article_stores_its_language(tmp_path: Path) -> None:
    spanish = ArticleRecord("Hombres armados atacaron un bar en Townville el sábado por la noche, "
                            "informó la policía de Aland. Los vecinos dijeron que escucharon "
                            "disparos durante varios minutos.", article_id="es1",
                            published="2024-01-22")
    given = ArticleRecord("Des manifestants ont défilé à Borderton.", article_id="fr1",
                          language="fr")
    with open_store(tmp_path / "lang.gpkg") as store:
        store.ingest([ARTICLES[0], spanish, given])
        languages = dict(zip(store.articles()["article_id"], store.articles()["language"],
                             strict=True))
    assert languages == {"a1": "en", "es1": "es", "fr1": "fr"}


def test_the_real_parser_reports_the_language(real_gazetteer_dir: Path, tmp_path: Path) -> None:
    with IncidentStore(tmp_path / "real.gpkg") as store:
        store.ingest([ArticleRecord("Hombres armados atacaron un convoy cerca de Culiacán, "
                                    "Sinaloa, el sábado, informó la Fiscalía del estado.",
                                    article_id="es", published="2024-01-22"),
                      ArticleRecord("Gunmen attacked a convoy near Culiacan, Sinaloa, on "
                                    "Saturday, the state prosecutor said.", article_id="en",
                                    published="2024-01-22")])
        articles = store.articles().set_index("article_id")
        incidents = store.incidents()
    assert articles.loc["es", "language"] == "es" and articles.loc["en", "language"] == "en"
    # the two reports tell one event: one incident in Sinaloa with both as sources
    assert list(incidents["adm1_iso"]) == ["MX-SIN"]
    assert list(incidents["source_count"]) == [2]
