"""Reading the store: layers with the shared filters, and summary statistics.

Pure SQL building (`where_clause`) plus thin readers over a StoreBackend, so every backend
filters the same way.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo.store.backend import StoreBackend

CRS = "EPSG:4326"
FILTER_NAMES = frozenset({"date_from", "date_to", "countries", "adm1", "min_precision",
                          "max_geo_precision", "kinds", "min_confidence", "text", "article_id"})


def _as_list(value: object) -> list | None:
    if value is None or value == "" or value == []:
        return None
    return [value] if isinstance(value, str | int | float) else list(value)


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def where_clause(table: str, filters: dict) -> tuple[str, list]:
    """SQL WHERE for the shared filters; unknown filter names are an error, not ignored."""
    unknown = set(filters) - FILTER_NAMES
    if unknown:
        raise TypeError(f"unknown filter(s): {', '.join(sorted(unknown))}")
    date_column = "t.event_date" if table == "incidents" else "i.event_date"
    clauses: list[str] = []
    params: list = []
    if filters.get("date_from"):
        clauses.append(f"{date_column} >= ?")
        params.append(str(filters["date_from"])[:10])
    if filters.get("date_to"):
        clauses.append(f"{date_column} <= ?")
        params.append(str(filters["date_to"])[:10])
    if countries := _as_list(filters.get("countries")):
        codes = [str(c).upper() for c in countries]
        marks = ",".join("?" * len(codes))
        clauses.append(f"(t.adm0_iso3 IN ({marks}) OR t.country IN ({marks}))")
        params += codes + codes
    if adm1 := _as_list(filters.get("adm1")):
        clauses.append(f"t.adm1_iso IN ({','.join('?' * len(adm1))})")
        params += [str(a).upper() for a in adm1]
    precision = filters.get("max_geo_precision") or filters.get("min_precision")
    if precision:
        clauses.append("t.geo_precision <= ?")
        params.append(int(precision))
    if kinds := _as_list(filters.get("kinds")):
        clauses.append(f"t.kind IN ({','.join('?' * len(kinds))})")
        params += kinds
    if filters.get("min_confidence") is not None:
        clauses.append("t.confidence >= ?")
        params.append(float(filters["min_confidence"]))
    if filters.get("article_id"):
        clauses.append("t.article_id = ?")
        params.append(filters["article_id"])
    if filters.get("text"):
        # LIKE with an escaped pattern: portable, and '%' or '_' typed by a user match literally
        clauses.append("(lower(a.text) LIKE lower(?) ESCAPE '\\' OR "
                       "lower(coalesce(a.title, '')) LIKE lower(?) ESCAPE '\\')")
        params += [_like_pattern(str(filters["text"]))] * 2
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def layer_sql(backend: StoreBackend, table: str, filters: dict) -> tuple[str, list]:
    where, params = where_clause(table, filters)
    extra, join = "", ""
    if table == "mentions":  # the article's event date, source and a context snippet
        g, ch = backend.dialect.greatest, backend.dialect.char
        extra = (", t.place_id AS gazetteer_id, i.published AS published, "
                 "i.event_date AS event_date, i.source_url AS source_url, "
                 f"trim(replace(replace(substr(a.text, {g}(1, t.start - 79), t.\"end\" - "
                 f"t.start + 160), {ch}(10), ' '), {ch}(13), ' ')) AS snippet")
        join = " LEFT JOIN incidents i ON i.article_id = t.article_id"
    if table == "mentions" or filters.get("text"):
        join += " JOIN articles a ON a.article_id = t.article_id"
    return f"SELECT t.*{extra} FROM {table} t{join}{where} ORDER BY t.fid", params


def read_layer(backend: StoreBackend, table: str, filters: dict) -> gpd.GeoDataFrame:
    """A feature layer (incidents or mentions) as a GeoDataFrame in EPSG:4326."""
    sql, params = layer_sql(backend, table, filters)
    frame = backend.read_frame(sql, params)
    geometry = backend.decode_geometries(frame.pop("geom").tolist())
    return gpd.GeoDataFrame(frame.drop(columns="fid"), geometry=gpd.GeoSeries(
        geometry, index=frame.index, crs=CRS), crs=CRS)


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
