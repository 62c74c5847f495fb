"""Pre-fill a store with N synthetic incidents fast (bulk inserts, no parsing), for measuring
how the cost of merging a new batch grows with the store (bench_ingest.py --prefill).

The incidents are copies of the event reports of the sample articles (data/sample): the same
places, index keys and text vectors, each copy under its own article id, with its event and
publication dates shifted by a random number of days within about three years of the
original, so a new batch of sample copies finds many candidates in its date windows. Each copy
is an incident of its own with one article (a short stand-in text).
"""

from __future__ import annotations

import json
import random
import tempfile
from datetime import date, timedelta
from pathlib import Path

from geo.read import ArticleRecord
from geo.store import IncidentStore
from geo.store.schema import ARTICLE_INCIDENT_COLUMNS

SPREAD_DAYS = 1100
CHUNK = 20_000


def template_reports(records: list[ArticleRecord]) -> list[tuple[dict, list[tuple[str, int]]]]:
    """(article_incidents row, [(key, day)]) of every event report of `records`."""
    columns = [c for c, _ in ARTICLE_INCIDENT_COLUMNS]
    with tempfile.TemporaryDirectory() as tmp, \
            IncidentStore(Path(tmp) / "templates.gpkg", merge=False) as store:
        store.ingest(records)
        rows = store.backend.execute(
            f"SELECT {', '.join(columns)} FROM article_incidents ORDER BY article_id, "
            "report_index").fetchall()
        keys: dict[tuple[str, int], list[tuple[str, int]]] = {}
        for key, day, article_id, index in store.backend.execute(
                "SELECT key, day, article_id, report_index FROM event_keys").fetchall():
            keys.setdefault((article_id, int(index)), []).append((key, day))
    out = []
    for row in rows:
        row = dict(zip(columns, row, strict=True))
        out.append((row, keys.get((row["article_id"], int(row["report_index"])), [])))
    return out


def _shift(value: str | None, days: int) -> str | None:
    return (date.fromisoformat(str(value)[:10]) + timedelta(days=days)).isoformat() \
        if value else None


def prefill(store: IncidentStore, n: int, templates: list, seed: int = 0) -> None:
    """Insert n synthetic articles, each with one report that is an incident of its own."""
    rng = random.Random(seed)
    backend = store.backend
    for start in range(0, n, CHUNK):
        articles, links, keys, incidents = [], [], [], []
        for i in range(start, min(n, start + CHUNK)):
            row, row_keys = templates[i % len(templates)]
            shift = rng.randint(-SPREAD_DAYS, SPREAD_DAYS)
            article_id, incident = f"fill-{i:07d}", f"inc:fill-{i:07d}"
            published = _shift(row["published"], shift)
            articles.append({"article_id": article_id, "content_hash": f"fill{i}",
                             "title": "synthetic", "published": published,
                             "text": f"synthetic report {i}", "source": "prefill"})
            links.append({**row, "article_id": article_id, "report_index": 0,
                          "incident_id": incident, "component": "blk:" + incident[4:],
                          "mention_id": None, "reason": "first report: no other report of "
                          "this event", "similarity": 1.0,
                          "event_date": _shift(row["event_date"], shift),
                          "published": published})
            keys += [{"key": key, "day": day + shift if day is not None else None,
                      "article_id": article_id, "report_index": 0} for key, day in row_keys]
            incidents.append({
                "incident_id": incident, "article_id": article_id, "title": "synthetic",
                "published": published, "event_date": links[-1]["event_date"],
                "time_precision": row["time_precision"], "country": row["country"],
                "adm1_iso": row["admin1"], "lat": row["lat"], "lon": row["lon"],
                "category": row["category"], "source_count": 1, "first_reported": published,
                "article_ids": json.dumps([article_id]), "merge_confidence": 0.5,
                "component": "blk:" + incident[4:], "geom": None})
        with backend.transaction():
            for table, rows in (("articles", articles), ("article_incidents", links),
                                ("event_keys", keys), ("incidents", incidents)):
                backend.insert_rows(table, rows)
