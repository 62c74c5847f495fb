"""Reading the store: layers under the one `Filters` type (geo.filters), and statistics.

SQL narrows the rows first (`prefilter`, portable SQL over any StoreBackend); the exact meaning
of a filter is `geo.filters.apply_filters`, applied last, so every backend and the app agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

import geopandas as gpd
import pandas as pd
import shapely

from geo.filters import TEXT_COLUMNS, Filters, apply_filters, matching_articles, mentions_of
from geo.store.backend import BULK_IDS, StoreBackend, chunks, marks

CRS = "EPSG:4326"


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def day_expression(axis: str) -> str:
    """The stored calendar day (YYYY-MM-DD text) of incidents `t` on a time axis."""
    return ("substr(t.published, 1, 10)" if axis == "published" else
            "coalesce(substr(t.event_date, 1, 10), substr(t.published, 1, 10))")


def prefilter(filters: Filters | None, article_id: str | None = None,
              margin_days: int = 1) -> tuple[str, list]:
    """SQL WHERE over incidents `t` that keeps at least every row `apply_filters` keeps
    (exact for codes, categories, precisions, kinds and confidence; `margin_days` of margin on
    dates for time zones, 0 for the stored calendar day; free text is left to `apply_filters`)."""
    clauses: list[str] = []
    params: list = []
    if article_id is not None:
        clauses.append("t.incident_id IN (SELECT incident_id FROM article_incidents "
                       "WHERE article_id = ?)")
        params.append(article_id)
    if filters is not None:
        day = day_expression(filters.time_axis)
        if filters.start is not None:
            clauses.append(f"{day} >= ?")
            params.append((filters.start - timedelta(days=margin_days)).isoformat())
        if filters.end is not None:
            clauses.append(f"{day} <= ?")
            params.append((filters.end + timedelta(days=margin_days)).isoformat())
        if filters.countries:
            codes = [c.upper() for c in filters.countries]
            clauses.append(f"(t.adm0_iso3 IN ({marks(len(codes))}) OR "
                           f"t.country IN ({marks(len(codes))}))")
            params += codes + codes
        if filters.admin1:
            clauses.append(f"t.adm1_iso IN ({marks(len(filters.admin1))})")
            params += [a.upper() for a in filters.admin1]
        if filters.categories:
            clauses.append(f"t.category IN ({marks(len(filters.categories))})")
            params += list(filters.categories)
        if filters.narrows_precision():
            clauses.append(f"t.geo_precision IN ({marks(len(filters.geo_precision))})")
            params += [int(p) for p in filters.geo_precision]
        if filters.narrows_kinds():
            clauses.append(f"t.kind IN ({marks(len(filters.kinds))})")
            params += list(filters.kinds)
        if filters.min_confidence > 0:
            clauses.append("t.confidence >= ?")
            params.append(float(filters.min_confidence))
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def text_clause(query: str) -> tuple[str, list]:
    """SQL over incidents `t` for free text: the incident's text columns or its article's title
    and text contain `query` (what `geo.filters.apply_filters` keeps, exactly for ASCII text,
    where SQL's lower() agrees with Python's)."""
    pattern = _like_pattern(query.strip())
    like = "lower(coalesce({}, '')) LIKE lower(?) ESCAPE '\\'"
    own = [like.format(f"t.{column}") for column in TEXT_COLUMNS]
    article = (f"t.article_id IN (SELECT article_id FROM articles WHERE {like.format('text')} "
               f"OR {like.format('title')})")
    return "(" + " OR ".join([*own, article]) + ")", [pattern] * (len(own) + 2)


def matching_article_ids(backend: StoreBackend, query: str) -> set[str]:
    """Articles whose title or text contains `query`, as `geo.filters.matching_articles` says
    (in SQL when the query is ASCII, where SQL's lower() agrees with Python's)."""
    query = query.strip()
    if not query:
        return set()
    if query.isascii():
        pattern = _like_pattern(query)
        rows = backend.execute(
            "SELECT article_id FROM articles WHERE lower(text) LIKE lower(?) ESCAPE '\\' "
            "OR lower(coalesce(title, '')) LIKE lower(?) ESCAPE '\\'", (pattern, pattern))
        return {r[0] for r in rows.fetchall()}
    articles = backend.read_frame("SELECT article_id, title, text FROM articles")
    return matching_articles(articles, query)


def geo_frame(backend: StoreBackend, sql: str, params: list) -> gpd.GeoDataFrame:
    frame = backend.read_frame(sql, params)
    geometry = backend.decode_geometries(frame.pop("geom").tolist())
    return gpd.GeoDataFrame(frame.drop(columns="fid"), geometry=gpd.GeoSeries(
        geometry, index=frame.index, crs=CRS), crs=CRS)


def read_incidents(backend: StoreBackend, filters: Filters | None = None,
                   article_id: str | None = None) -> gpd.GeoDataFrame:
    """Incidents passing `filters` (exactly `geo.filters.apply_filters`), oldest first."""
    where, params = prefilter(filters, article_id)
    frame = geo_frame(backend, f"SELECT t.* FROM incidents t{where} ORDER BY t.fid", params)
    if filters is None:
        return frame
    hits = matching_article_ids(backend, filters.query) if filters.query.strip() else None
    return apply_filters(frame, filters, article_hits=hits)


def _mention_sql(backend: StoreBackend) -> str:
    """Mentions `t` with their article's dates, link and a context snippet."""
    g, ch = backend.dialect.greatest, backend.dialect.char
    return ("SELECT t.*, t.place_id AS gazetteer_id, a.published AS published, "
            "(SELECT x.event_date FROM article_incidents x WHERE x.article_id = t.article_id "
            "AND x.report_index = 0) AS event_date, a.url AS source_url, "
            f"trim(replace(replace(substr(a.text, {g}(1, t.start - 79), t.\"end\" - t.start + "
            f"160), {ch}(10), ' '), {ch}(13), ' ')) AS snippet FROM mentions t "
            "JOIN articles a ON a.article_id = t.article_id")


def read_mentions(backend: StoreBackend, filters: Filters | None = None,
                  article_id: str | None = None) -> gpd.GeoDataFrame:
    """Mentions with their article's dates, source and a context snippet. With `filters`: the
    mentions of the filtered incidents' articles, of the chosen kinds (`geo.filters.mentions_of`)."""
    sql = _mention_sql(backend)
    if filters is None:
        where, params = ("", []) if article_id is None else (" WHERE t.article_id = ?",
                                                            [article_id])
        return geo_frame(backend, f"{sql}{where} ORDER BY t.fid", params)
    incidents = read_incidents(backend, filters, article_id)
    return mentions_of(incidents, read_article_mentions(backend, incidents["article_id"]), filters)


def read_article_mentions(backend: StoreBackend, article_ids: Iterable[str]) -> gpd.GeoDataFrame:
    """Every mention of the given articles, with what `read_mentions` adds to them."""
    sql = _mention_sql(backend)
    parts = [geo_frame(backend, f"{sql} WHERE t.article_id IN ({marks(len(chunk))}) "
                    "ORDER BY t.fid", list(chunk))
             for chunk in chunks(sorted(set(article_ids)), BULK_IDS)]
    if not parts:
        return geo_frame(backend, f"{sql} WHERE 1 = 0", [])
    frame = pd.concat(parts) if len(parts) > 1 else parts[0]
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=CRS)


def read_table(backend: StoreBackend, table: str) -> pd.DataFrame:
    return backend.read_frame(f"SELECT * FROM {table} ORDER BY fid")


def stats(backend: StoreBackend) -> dict:
    def one(sql: str) -> object:
        return backend.execute(sql).fetchone()[0]

    def grouped(sql: str) -> dict:
        return {str(k): v for k, v in backend.execute(sql).fetchall()}

    first, last = backend.execute("SELECT min(event_date), max(event_date) FROM incidents"
                                  ).fetchone()
    return {
        "store": backend.location,
        "articles": one("SELECT count(*) FROM articles"),
        "mentions": one("SELECT count(*) FROM mentions"),
        "incidents": one("SELECT count(*) FROM incidents"),
        "located_incidents": one("SELECT count(*) FROM incidents WHERE geom IS NOT NULL"),
        "corrections": one("SELECT count(*) FROM corrections"),
        "event_corrections": one("SELECT count(*) FROM event_corrections WHERE active = 1"),
        "event_date_range": [first, last],
        "incidents_by_country": grouped(
            "SELECT coalesce(adm0_iso3, 'unknown'), count(*) c FROM incidents "
            "GROUP BY 1 ORDER BY c DESC, 1"),
        "incidents_by_geo_precision": grouped(
            "SELECT coalesce(CAST(geo_precision AS TEXT), 'none'), count(*) FROM incidents "
            "GROUP BY 1"),
        "incidents_by_time_precision": grouped(
            "SELECT coalesce(CAST(time_precision AS TEXT), 'none'), count(*) FROM incidents "
            "GROUP BY 1"),
        "mentions_by_kind": grouped("SELECT kind, count(*) FROM mentions GROUP BY 1"),
    }


SOURCE_COLUMNS = ("incident_id", "article_id", "report_index", "role", "reason", "similarity",
                  "sentence", "place_name", "event_date", "time_precision", "date_evidence",
                  "category", "title", "source", "url", "published")


def read_incident_sources(backend: StoreBackend, incident_ids: list[str]) -> pd.DataFrame:
    """Every report of the given incidents with its article (outlet, title, link, published
    date), why it joined (reason, similarity) and its event sentence; first reported first."""
    link = ", ".join(f"l.{c}" for c in SOURCE_COLUMNS[:12])
    parts = [backend.read_frame(
        f"SELECT {link}, a.title, a.source, a.url, a.published FROM article_incidents l "
        "JOIN articles a ON a.article_id = l.article_id "
        f"WHERE l.incident_id IN ({marks(len(chunk))})", list(chunk))
        for chunk in chunks(sorted(set(incident_ids)))]
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=SOURCE_COLUMNS)
    frame = frame.sort_values(["incident_id", "published", "article_id", "report_index"],
                              na_position="last", kind="stable")
    return frame.reset_index(drop=True)


ARTICLE_INCIDENT_SQL = (
    "SELECT a.article_id, l.incident_id, l.role, l.reason, l.similarity, a.title, a.source, "
    "a.url, a.published, l.event_date, l.time_precision, l.place_name, l.country, l.admin1, "
    "l.category, i.source_count, i.lat, i.lon FROM articles a "
    "LEFT JOIN article_incidents l ON l.article_id = a.article_id "
    "LEFT JOIN incidents i ON i.incident_id = l.incident_id "
    "ORDER BY a.fid, l.report_index")


def read_article_incidents(backend: StoreBackend,
                           filters: Filters | None = None) -> gpd.GeoDataFrame:
    """Every article with each incident it reports (several incidents: several rows; none:
    one row with no incident), at its incident's point. With `filters`: only the rows of the
    incidents passing them."""
    frame = backend.read_frame(ARTICLE_INCIDENT_SQL)
    if filters is not None and filters != Filters.everything():
        keep = set(read_incidents(backend, filters)["incident_id"])
        frame = frame[frame["incident_id"].isin(keep)].reset_index(drop=True)
    lon, lat = frame.pop("lon"), frame.pop("lat")
    geometry = [None if pd.isna(x) or pd.isna(y) else shapely.Point(x, y)
                for x, y in zip(lon, lat, strict=True)]
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry, index=frame.index, crs=CRS),
                            crs=CRS)
