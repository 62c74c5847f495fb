"""What a reader needs from a large store without reading every row: counts, days and units in
SQL, and at most a given number of incident rows (portable SQL over any StoreBackend).

Dates here are the stored calendar days (the first ten characters of the ISO text); free text
is matched in SQL (exact for ASCII, where SQL's lower() agrees with Python's). The exact meaning
of a filter stays `geo.filters.apply_filters`: the rows returned pass through it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import geopandas as gpd
import pandas as pd

from geo.filters import Filters, apply_filters
from geo.store.backend import BULK_IDS, StoreBackend, chunks, marks
from geo.store.query import day_expression, geo_frame, matching_article_ids, prefilter, text_clause
from geo.store.schema import LAYERS


@dataclass(frozen=True)
class Headline:
    """The numbers over every incident passing a filter."""

    incidents: int
    articles: int  # reports of those incidents (geo.counts: source_count, at least 1)
    countries: int


def where(filters: Filters, text: bool = True, margin_days: int = 0) -> tuple[str, list]:
    """SQL WHERE over incidents `t` for a filter: dates by stored day (with `margin_days`),
    free text in SQL."""
    sql, params = prefilter(filters, margin_days=margin_days)
    if text and filters.query.strip():
        clause, more = text_clause(filters.query)
        sql = f"{sql} AND {clause}" if sql else f" WHERE {clause}"
        params = params + more
    return sql, params


def _weight(backend: StoreBackend) -> str:
    return f"{backend.dialect.greatest}(coalesce(t.source_count, 1), 1)"


def count(backend: StoreBackend, filters: Filters, text: bool = True) -> int:
    """Incidents passing `filters` (with `text=False`: at least those, free text not applied)."""
    sql, params = where(filters, text)
    return int(backend.execute(f"SELECT count(*) FROM incidents t{sql}", params).fetchone()[0])


def headline(backend: StoreBackend, filters: Filters) -> Headline:
    sql, params = where(filters)
    n, articles, countries = backend.execute(
        f"SELECT count(*), coalesce(sum({_weight(backend)}), 0), count(DISTINCT t.adm0_iso3) "
        f"FROM incidents t{sql}", params).fetchone()
    return Headline(int(n), int(articles), int(countries))


def daily_counts(backend: StoreBackend, filters: Filters) -> pd.DataFrame:
    """Incidents and articles per stored day on the filter's time axis, ignoring its dates:
    columns day (datetime), incidents, articles; days without incidents are absent."""
    day = day_expression(filters.time_axis)
    sql, params = where(replace(filters, start=None, end=None))
    sql = f"{sql} AND {day} IS NOT NULL" if sql else f" WHERE {day} IS NOT NULL"
    frame = backend.read_frame(
        f"SELECT {day} AS day, count(*) AS incidents, sum({_weight(backend)}) AS articles "
        f"FROM incidents t{sql} GROUP BY {day} ORDER BY {day}", params)
    frame["day"] = pd.to_datetime(frame["day"], errors="coerce", format="%Y-%m-%d")
    frame = frame.dropna(subset=["day"])
    return frame.astype({"incidents": "int64", "articles": "int64"}).reset_index(drop=True)


UNIT_COLUMNS = ["adm0_iso3", "adm0_name", "adm1_iso", "adm1_name"]


def unit_spans(backend: StoreBackend) -> pd.DataFrame:
    """Every admin unit with incidents, twice: at its first and at its last date on each time
    axis (columns UNIT_COLUMNS + published, event_date). Enough for the choices of a filter
    (units, date bounds) without reading the incidents."""
    columns = ", ".join(f"t.{c}" for c in UNIT_COLUMNS)
    event = "coalesce(t.event_date, t.published)"
    frame = backend.read_frame(
        f"SELECT {columns}, min(t.published) AS first_published, max(t.published) AS "
        f"last_published, min({event}) AS first_event, max({event}) AS last_event "
        f"FROM incidents t GROUP BY {columns}")
    first = frame[UNIT_COLUMNS].assign(published=frame["first_published"],
                                       event_date=frame["first_event"])
    last = frame[UNIT_COLUMNS].assign(published=frame["last_published"],
                                      event_date=frame["last_event"])
    return pd.concat([first, last], ignore_index=True)


def top_incidents(backend: StoreBackend, filters: Filters, limit: int) -> gpd.GeoDataFrame:
    """At most `limit` incidents passing `filters`: the most reported, then the latest (in
    store order)."""
    sql, params = where(filters, margin_days=1)  # a superset; apply_filters is exact
    query = filters.query.strip()
    day = day_expression(filters.time_axis)
    # the sort runs over (fid, weight, day) alone, then the chosen rows are read whole
    chosen = (f"SELECT t.fid FROM incidents t{sql} ORDER BY {_weight(backend)} DESC, {day} DESC, "
              "t.fid LIMIT ?")
    frame = geo_frame(backend, f"SELECT t.* FROM incidents t WHERE t.fid IN ({chosen}) "
                      "ORDER BY t.fid", [*params, int(limit)])
    hits = matching_article_ids(backend, query) if query else None
    return apply_filters(frame, filters, article_hits=hits)


def incidents_by_id(backend: StoreBackend, incident_ids: list[str]) -> gpd.GeoDataFrame:
    parts = [geo_frame(backend, f"SELECT t.* FROM incidents t WHERE t.incident_id IN "
                    f"({marks(len(chunk))}) ORDER BY t.fid", list(chunk))
             for chunk in chunks(sorted(set(incident_ids)))]
    if not parts:
        return geo_frame(backend, "SELECT t.* FROM incidents t WHERE 1 = 0", [])
    return gpd.GeoDataFrame(pd.concat(parts), geometry="geometry", crs="EPSG:4326")


def articles_by_id(backend: StoreBackend, article_ids: list[str], text: bool = True) -> pd.DataFrame:
    """The articles of `article_ids`; `text=False` leaves their text out (the capped view's
    20,000 articles: the text is read for the one article an analyst corrects)."""
    columns = "*" if text else ", ".join(
        f'"{c}"' for c in ("fid", *LAYERS["articles"].column_names) if c != "text")
    parts = [backend.read_frame(f"SELECT {columns} FROM articles WHERE article_id IN "
                                f"({marks(len(chunk))}) ORDER BY fid", list(chunk))
             for chunk in chunks(sorted(set(article_ids)), BULK_IDS)]
    return (pd.concat(parts, ignore_index=True) if parts else
            backend.read_frame(f"SELECT {columns} FROM articles WHERE 1 = 0"))


def article_text(backend: StoreBackend, article_id: str) -> str | None:
    row = backend.execute("SELECT text FROM articles WHERE article_id = ?", (article_id,)).fetchone()
    return None if row is None else row[0]
