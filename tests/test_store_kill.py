"""Kill a real `geo ingest` with SIGKILL mid-run: the store stays readable and consistent,
each article fully in or fully out, and a re-run completes the job."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import pytest

from geo import paths

N_ARTICLES = 300


def corpus(path: Path) -> Path:
    """Distinct articles made by varying the sample corpus (or a built-in text)."""
    texts = []
    for f in sorted((paths.ROOT / "data" / "sample").glob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if row.get("text") and len(row.get("published") or "") == 10 and \
                    row["published"][5:7] <= "12":
                texts.append((row["text"], row["published"]))
    if not texts:
        texts = [("Gunmen attacked a convoy near Culiacán, Sinaloa, on Saturday, police said.",
                  "2024-01-22")]
    with path.open("w", encoding="utf-8") as out:
        for i in range(N_ARTICLES):
            text, published = texts[i % len(texts)]
            out.write(json.dumps({"id": f"k{i}", "published": published,
                                  "text": f"{text}\n\n(Report {i}.)"}) + "\n")
    return path


def count(store: Path, table: str) -> int:
    try:
        connection = sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=1)
        try:
            return connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        finally:
            connection.close()
    except sqlite3.Error:
        return 0


@pytest.mark.slow
def test_sigkill_mid_ingest_leaves_a_consistent_store(tmp_path: Path,
                                                      real_gazetteer_dir: Path) -> None:
    pytest.importorskip("geo.parse", reason="geo.parse (the geoparser helper's) not there yet")
    source, store = corpus(tmp_path / "many.jsonl"), tmp_path / "s.gpkg"
    command = [sys.executable, "-m", "geo", "ingest", str(source), "--store", str(store),
               "--batch-size", "10", "--quiet"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env={**os.environ, "GEO_STORE": str(store)})
    deadline = time.monotonic() + 120
    while count(store, "articles") < 40 and process.poll() is None:
        assert time.monotonic() < deadline, "ingest made no progress"
        time.sleep(0.05)
    assert process.poll() is None, "ingest finished before it could be killed: enlarge corpus"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL

    # readable by GDAL (as QGIS/the app would) and internally consistent
    articles = gpd.read_file(store, layer="articles")
    incidents = gpd.read_file(store, layer="incidents")
    mentions = gpd.read_file(store, layer="mentions")
    assert 40 <= len(articles) < N_ARTICLES
    links = gpd.read_file(store, layer="article_incidents")
    assert sorted(set(links["article_id"])) == sorted(articles["article_id"])
    assert set(incidents["incident_id"]) == set(links["incident_id"])
    assert set(mentions["article_id"]) <= set(articles["article_id"])
    connection = sqlite3.connect(store)
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # the R-tree index matches the rows (no half-written index entries)
    rtree = connection.execute("SELECT count(*) FROM rtree_mentions_geom").fetchone()[0]
    with_geometry = connection.execute(
        "SELECT count(*) FROM mentions WHERE geom IS NOT NULL").fetchone()[0]
    assert rtree == with_geometry
    connection.close()

    # a re-run stores the rest and skips what is already in
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=True)
    assert f"read {N_ARTICLES}, stored {N_ARTICLES - len(articles)}, already present " \
        f"{len(articles)}, rejected 0" in done.stdout
    # copies of one report are one event: every article is linked, incidents are fewer
    connection = sqlite3.connect(store)
    linked = connection.execute("SELECT count(DISTINCT article_id) FROM article_incidents "
                                "WHERE incident_id IS NOT NULL").fetchone()[0]
    connection.close()
    assert linked == N_ARTICLES and 0 < count(store, "incidents") < N_ARTICLES
