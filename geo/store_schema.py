"""Column lists (name, GeoPackage type) of the store's layers. The app codes against these."""

from __future__ import annotations

ARTICLE_COLUMNS: list[tuple[str, str]] = [
    ("article_id", "TEXT NOT NULL UNIQUE"),
    ("content_hash", "TEXT NOT NULL UNIQUE"),
    ("title", "TEXT"),
    ("url", "TEXT"),
    ("source", "TEXT"),
    ("published", "TEXT"),  # ISO 8601 date or datetime as given
    ("text", "TEXT NOT NULL"),
    ("source_path", "TEXT"),
    ("notes", "TEXT"),  # non-fatal reading problems (encoding, HTML)
    ("ingested_at", "DATETIME"),
]

ADMIN_COLUMNS: list[tuple[str, str]] = [
    ("adm0_iso3", "TEXT"),
    ("adm0_name", "TEXT"),
    ("adm1_iso", "TEXT"),
    ("adm1_name", "TEXT"),
    ("adm2_code", "TEXT"),
    ("adm2_name", "TEXT"),
]

# every geo.types.Mention field, then ids, precision code and the admin join
MENTION_COLUMNS: list[tuple[str, str]] = [
    ("mention_id", "TEXT NOT NULL UNIQUE"),
    ("article_id", "TEXT NOT NULL REFERENCES articles(article_id)"),
    ("start", "INTEGER"),
    ("end", "INTEGER"),
    ("surface", "TEXT"),
    ("kind", "TEXT"),
    ("place_id", "INTEGER"),
    ("name", "TEXT"),
    ("level", "TEXT"),
    ("country", "TEXT"),
    ("country_iso3", "TEXT"),
    ("admin1_iso", "TEXT"),
    ("admin1_code", "TEXT"),
    ("admin2_code", "TEXT"),
    ("lat", "REAL"),
    ("lon", "REAL"),
    ("geometry_wkt", "TEXT"),
    ("modifier", "TEXT"),
    ("precision", "TEXT"),
    ("confidence", "REAL"),
    ("evidence", "TEXT"),
    ("geo_precision", "INTEGER"),
    *ADMIN_COLUMNS,
]

INCIDENT_COLUMNS: list[tuple[str, str]] = [
    ("incident_id", "TEXT NOT NULL UNIQUE"),
    ("article_id", "TEXT NOT NULL UNIQUE REFERENCES articles(article_id)"),
    ("title", "TEXT"),
    ("source", "TEXT"),
    ("source_url", "TEXT"),
    ("published", "TEXT"),
    ("event_date", "DATE"),
    ("time_precision", "INTEGER"),
    ("date_evidence", "TEXT"),
    ("mention_id", "TEXT"),  # the primary mention
    ("name", "TEXT"),
    ("surface", "TEXT"),
    ("kind", "TEXT"),
    ("level", "TEXT"),
    ("gazetteer_id", "INTEGER"),
    ("precision", "TEXT"),
    ("geo_precision", "INTEGER"),
    ("confidence", "REAL"),
    ("country", "TEXT"),
    *ADMIN_COLUMNS,
    ("lat", "REAL"),
    ("lon", "REAL"),
    ("reason", "TEXT"),
    ("snippet", "TEXT"),
]

CORRECTION_COLUMNS: list[tuple[str, str]] = [
    ("content_hash", "TEXT NOT NULL"),  # corrections follow the content, not the id
    ("article_id", "TEXT"),
    ("start", "INTEGER NOT NULL"),
    ("end", "INTEGER NOT NULL"),
    ("surface", "TEXT"),
    ("gazetteer_id", "INTEGER"),  # NULL: "this is not a place"
    ("note", "TEXT"),
    ("created_at", "DATETIME"),
    ("place_name", "TEXT"),
    ("place_json", "TEXT"),  # snapshot of the place, used if a rebuild drops the id
]


def columns_sql(columns: list[tuple[str, str]]) -> str:
    return ", ".join(f'"{name}" {kind}' for name, kind in columns)
