"""What only the PostGIS backend has: tables generated from geo/store/schema.py, geometry
columns with GiST indexes, schema versions and in-place migration, MVCC readers, a killed
writer, and copies between backends that lose nothing. The shared store behaviour runs on both
backends in test_store.py."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest
from test_store import ARTICLES, open_store

from geo import paths
from geo.errors import StoreError
from geo.store import migrations, postgis
from geo.store.schema import LAYERS, SCHEMA_VERSION


def columns(url: str, table: str) -> dict[str, str]:
    with psycopg.connect(url) as connection:
        return dict(connection.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = %s", (table,)).fetchall())


def test_tables_are_generated_from_the_layer_declarations(postgis_url: str) -> None:
    open_store(postgis_url).close()
    for layer in LAYERS.values():
        have = columns(postgis_url, layer.name)
        for name, kind in layer.columns:
            assert name in have, f"{layer.name}.{name} missing"
            expected = postgis.pg_type(kind).split()[0]
            assert have[name].startswith(expected.split("(")[0]), (name, have[name], kind)
    with psycopg.connect(postgis_url) as connection:
        geometry = dict(connection.execute(
            "SELECT f_table_name, type || ':' || srid FROM geometry_columns").fetchall())
        gist = {r[0] for r in connection.execute(
            "SELECT tablename FROM pg_indexes WHERE indexdef LIKE '%USING gist%'")}
        version = connection.execute(
            "SELECT value FROM store_meta WHERE key = 'schema_version'").fetchone()[0]
    assert geometry == {"mentions": "GEOMETRY:4326", "incidents": "POINT:4326"}
    assert gist == {"mentions", "incidents"}
    assert int(version) == SCHEMA_VERSION


def test_pg_types_map_every_geopackage_type_and_refuse_unknown_ones() -> None:
    assert postgis.pg_type("TEXT NOT NULL UNIQUE") == "text NOT NULL UNIQUE"
    assert postgis.pg_type("INTEGER") == "bigint"
    assert postgis.pg_type("REAL") == "double precision"
    assert postgis.pg_type("DATE") == "text"  # ISO text, as in the GeoPackage
    with pytest.raises(StoreError, match="no PostgreSQL type"):
        postgis.pg_type("WIBBLE")


def test_a_column_declared_later_is_added_by_migrate(postgis_url: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    with open_store(postgis_url) as s:
        s.ingest(ARTICLES)
    articles = LAYERS["articles"]
    monkeypatch.setitem(LAYERS, "articles", replace(
        articles, columns=[*articles.columns, ("word_count", "INTEGER")]))
    for module in (postgis, migrations):
        monkeypatch.setattr(module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    assert postgis.schema_version(postgis_url) == SCHEMA_VERSION
    with open_store(postgis_url) as s:  # opening migrates, in one transaction
        assert len(s.articles()) == 4 and "word_count" in s.articles().columns
    assert columns(postgis_url, "articles")["word_count"] == "bigint"
    assert postgis.schema_version(postgis_url) == SCHEMA_VERSION + 1
    # a newer store than the program is refused, not damaged
    monkeypatch.setattr(postgis, "SCHEMA_VERSION", SCHEMA_VERSION)
    with pytest.raises(StoreError, match="newer than this program"):
        open_store(postgis_url)


def test_geo_store_migrate_reports_the_versions(postgis_url: str, tmp_path: Path) -> None:
    from geo.cli import main

    for location in (postgis_url, str(tmp_path / "m.gpkg")):
        assert main(["store", "migrate", "--store", location]) == 0
        with open_store(location) as s:
            assert s.article_count() == 0


def test_readers_never_wait_for_a_writer(postgis_url: str) -> None:
    with open_store(postgis_url) as writer:
        writer.ingest(ARTICLES)
        with writer.backend.transaction():
            writer.backend.execute("DELETE FROM mentions")
            writer.backend.execute("DELETE FROM incidents")
            started = time.monotonic()
            with open_store(postgis_url) as reader:  # another connection: the last commit
                reader.backend.execute("SET statement_timeout = '5s'")
                assert len(reader.incidents()) == 4 and len(reader.mentions()) == 4
            assert time.monotonic() - started < 5
        assert len(writer.incidents()) == 0  # committed now


def test_a_bad_url_is_a_clear_error() -> None:
    with pytest.raises(StoreError, match="cannot connect"):
        open_store("postgresql://nobody:secret@127.0.0.1:1/none")
    try:
        open_store("postgresql://nobody:secret@127.0.0.1:1/none")
    except StoreError as exc:
        assert "secret" not in str(exc)  # no password in messages


def test_copy_geopackage_to_postgis_and_back_loses_nothing(tmp_path: Path, postgis_url: str,
                                                           capsys: pytest.CaptureFixture) -> None:
    from geo.cli import main
    from geo.store.copy import summarize

    source = tmp_path / "source.gpkg"
    with open_store(source) as s:
        s.ingest(ARTICLES)
        start = ARTICLES[2].text.index("Borderton")
        s.add_correction("a3", start, start + 9, 101, note="wrong town")
    back = tmp_path / "back.gpkg"
    assert main(["store", "copy", str(source), postgis_url]) == 0
    assert main(["store", "copy", postgis_url, str(back)]) == 0
    out = capsys.readouterr().out
    assert out.count("identical") == 2 and "MISMATCH" not in out
    sums = []
    for location in (source, postgis_url, back):
        with open_store(location) as s:
            sums.append(summarize(s.backend))
            assert s.stats()["corrections"] == 1
    assert sums[0] == sums[1] == sums[2]
    rows = {k: v.rows for k, v in sums[0].items()}
    assert {k: rows[k] for k in ("articles", "mentions", "incidents", "corrections",
                                 "article_incidents")} == \
        {"articles": 4, "mentions": 4, "incidents": 4, "corrections": 1, "article_incidents": 4}
    assert rows["event_keys"] > 0
    # the copy is a working store: filters, corrections and exports behave the same
    with open_store(back) as s, open_store(source) as original:
        assert s.incidents().equals(original.incidents())
    # into a store that holds data: refused, nothing written
    assert main(["store", "copy", str(source), postgis_url]) == 2
    assert "not empty" in capsys.readouterr().err


def test_checksums_see_a_changed_value(tmp_path: Path) -> None:
    from geo.store.copy import summarize

    with open_store(tmp_path / "a.gpkg") as s:
        s.ingest(ARTICLES)
        before = summarize(s.backend)
        s.connection.execute("UPDATE incidents SET lat = lat + 1e-9 WHERE article_id = 'a1'")
        after = summarize(s.backend)
    assert before["incidents"].rows == after["incidents"].rows
    assert before["incidents"].checksum != after["incidents"].checksum
    assert before["articles"] == after["articles"]


def sample_corpus(path: Path, n: int) -> Path:
    texts = []
    for f in sorted((paths.ROOT / "data" / "sample").glob("2024-*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if row.get("text") and len(row.get("published") or "") == 10:
                texts.append((row["text"], row["published"]))
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            text, published = texts[i % len(texts)]
            out.write(json.dumps({"id": f"k{i}", "published": published,
                                  "text": f"{text}\n\n(Report {i}.)"}) + "\n")
    return path


@pytest.mark.slow
def test_a_killed_writer_leaves_each_article_fully_in_or_out(
        tmp_path: Path, postgis_url: str, real_gazetteer_dir: Path) -> None:
    n = 300
    source = sample_corpus(tmp_path / "many.jsonl", n)
    command = [sys.executable, "-m", "geo", "ingest", str(source), "--store", postgis_url,
               "--batch-size", "10", "--quiet"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def count(table: str) -> int:
        try:
            with psycopg.connect(postgis_url) as connection:
                return connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        except psycopg.Error:
            return 0  # not created yet

    deadline = time.monotonic() + 300
    while count("articles") < 40 and process.poll() is None:
        assert time.monotonic() < deadline, "ingest made no progress"
        time.sleep(0.05)
    assert process.poll() is None, "ingest finished before it could be killed: enlarge corpus"
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    with open_store(postgis_url) as s:
        articles, incidents, mentions = s.articles(), s.incidents(), s.mentions()
        links = s.backend.read_frame("SELECT article_id, incident_id FROM article_incidents")
    assert 40 <= len(articles) < n
    assert sorted(set(links["article_id"])) == sorted(articles["article_id"])
    assert set(incidents["incident_id"]) == set(links["incident_id"])
    assert set(mentions["article_id"]) <= set(articles["article_id"])
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=True)
    assert f"stored {n - len(articles)}, already present {len(articles)}, rejected 0" \
        in done.stdout
    assert count("article_incidents") >= n and 0 < count("incidents") <= n
