"""The store's layers, declared once: column lists (name, GeoPackage type), geometry types,
indexes and the schema version. Every backend creates its tables from these declarations, so a
column added here reaches the GeoPackage and any other backend alike. The app codes against them.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    ("language", "TEXT"),  # ISO 639-1 code of the article's language, when detected
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

# one row per real-world event; `article_id` is the report whose place and date stand for it
INCIDENT_COLUMNS: list[tuple[str, str]] = [
    ("incident_id", "TEXT NOT NULL UNIQUE"),
    ("article_id", "TEXT REFERENCES articles(article_id)"),
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
    ("category", "TEXT"),
    ("category_evidence", "TEXT"),
    ("source_count", "INTEGER"),
    ("first_reported", "TEXT"),
    ("article_ids", "TEXT"),  # JSON list
    ("sources", "TEXT"),  # JSON list of {article_id, title, source, url, published}
    ("merge_confidence", "REAL"),
    ("component", "TEXT"),  # the block of linked reports it was clustered in
    ("analyst", "TEXT"),  # what analysts set on this incident (event corrections), if anything
]

# one row per event report of an article (an article can report several events): the link to
# its incident, why it joined, and what merging compares (place, date, category, text vector)
ARTICLE_INCIDENT_COLUMNS: list[tuple[str, str]] = [
    ("article_id", "TEXT NOT NULL REFERENCES articles(article_id)"),
    ("incident_id", "TEXT"),
    ("role", "TEXT"),
    ("reason", "TEXT"),
    ("similarity", "REAL"),
    ("report_index", "INTEGER NOT NULL"),
    ("component", "TEXT"),
    ("mention_id", "TEXT"),
    ("place_name", "TEXT"),
    ("country", "TEXT"),
    ("admin1", "TEXT"),
    ("admin2", "TEXT"),
    ("lat", "REAL"),
    ("lon", "REAL"),
    ("geo_precision", "INTEGER"),
    ("event_date", "DATE"),
    ("time_precision", "INTEGER"),
    ("date_evidence", "TEXT"),
    ("date_stated", "INTEGER"),
    ("published", "TEXT"),
    ("category", "TEXT"),
    ("category_evidence", "TEXT"),
    ("sentence", "TEXT"),
    ("years", "TEXT"),  # JSON list
    ("vector", "TEXT"),  # JSON {word: weight}
]

# candidate index for merging: each report under its place and words, with its day
EVENT_KEY_COLUMNS: list[tuple[str, str]] = [
    ("key", "TEXT NOT NULL"),
    ("day", "INTEGER"),  # ordinal of the event date; NULL when undated
    ("article_id", "TEXT NOT NULL"),
    ("report_index", "INTEGER NOT NULL"),
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

# analyst corrections of incidents (geo/store/event_corrections.py), keyed by event reports
# (article_id + report_index) and mention spans, never by incident ids, which a rebuild changes
EVENT_CORRECTION_COLUMNS: list[tuple[str, str]] = [
    ("kind", "TEXT NOT NULL"),  # split | merge | place | category
    ("article_id", "TEXT NOT NULL"),
    ("report_index", "INTEGER"),  # NULL (split only): every report of the article
    ("other_article_id", "TEXT"),  # merge: the report of the other incident
    ("other_report_index", "INTEGER"),
    ("start", "INTEGER"),  # place: the span of the mention that is the event's place
    ("end", "INTEGER"),
    ("surface", "TEXT"),
    ("category", "TEXT"),  # category: the analyst's category
    ("note", "TEXT"),
    ("created_at", "DATETIME"),
    ("active", "INTEGER"),  # 1; 0 once undone (kept as history)
    ("undone_at", "DATETIME"),
]


@dataclass(frozen=True)
class Layer:
    """One table of the store. `geometry` is the GeoPackage geometry type, None for attributes."""

    name: str
    columns: list[tuple[str, str]]
    description: str
    geometry: str | None = None
    indexes: tuple[tuple[str, str], ...] = ()  # (index name, column list)

    @property
    def column_names(self) -> list[str]:
        return [name for name, _ in self.columns]


LAYERS: dict[str, Layer] = {layer.name: layer for layer in (
    Layer("articles", ARTICLE_COLUMNS, "articles as read (text, source, publication date)"),
    Layer("mentions", MENTION_COLUMNS,
          "place mentions with admin join (points, or simplified polygons)", "GEOMETRY",
          (("mentions_article", "article_id"),)),
    Layer("incidents", INCIDENT_COLUMNS,
          "one incident per real-world event: place, date, category and its sources", "POINT",
          (("incidents_date", "event_date"), ("incidents_component", "component"),
           ("incidents_adm1_date", "adm1_iso, event_date"),  # the map's admin-1 + dates filter
           # covers the app's counts over a whole store (units and their dates, days, totals,
           # the most reported first; kind: the default filter's): they read this narrow
           # index, not the wide rows
           ("incidents_overview", "adm0_iso3, adm0_name, adm1_iso, adm1_name, published, "
            "event_date, source_count, kind"))),
    Layer("article_incidents", ARTICLE_INCIDENT_COLUMNS,
          "event reports of articles and the incident each joined, with why",
          indexes=(("article_incidents_article", "article_id"),
                   ("article_incidents_incident", "incident_id"),
                   ("article_incidents_component", "component"))),
    Layer("event_keys", EVENT_KEY_COLUMNS, "candidate index for merging event reports",
          indexes=(("event_keys_key_day", "key, day"), ("event_keys_article", "article_id"))),
    Layer("corrections", CORRECTION_COLUMNS, "analyst corrections, applied on every ingest",
          indexes=(("corrections_hash", "content_hash"),)),
    Layer("event_corrections", EVENT_CORRECTION_COLUMNS,
          "analyst corrections of incidents (split, merge, place, category), reapplied on "
          "every merge, reprocess and rebuild",
          indexes=(("event_corrections_article", "article_id"),
                   ("event_corrections_other", "other_article_id"))),
)}

# Version of the layer declarations above. Bump it with every change to them and add the step
# that upgrades a store of the previous version to geo/store/migrations.py. (A new index alone
# needs no bump: a store that lacks a declared index gets it when opened.)
SCHEMA_VERSION = 4


def columns_sql(columns: list[tuple[str, str]]) -> str:
    return ", ".join(f'"{name}" {kind}' for name, kind in columns)
