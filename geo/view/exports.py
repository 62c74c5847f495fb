"""Downloads of exactly what the analyst is looking at: layer frames, bytes and file names.

The app filters in memory (time axis, precision set, free text...), which the store's SQL
filters cannot all express, so the frames are cut here and serialised by `geo.export`'s writers
(RFC 7946 GeoJSON, CSV, GeoPackage) with metadata that records the app's filter.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import geopandas as gpd
import pandas as pd

from geo.filters import Filters, mentions_of
from geo.view.filters import to_query_params

LAYERS: dict[str, str] = {"incidents": "Incidents", "mentions": "Mentions", "adm1-counts": "Admin-1 counts"}
FORMATS: dict[str, tuple[str, str]] = {
    "geojson": ("geojson", "application/geo+json"),
    "csv": ("csv", "text/csv"),
    "gpkg": ("gpkg", "application/geopackage+sqlite3"),
}


def export_filename(layer: str, filters: Filters, fmt: str, bounds: tuple[date, date] | None = None) -> str:
    """e.g. incidents_MEX_MX-SIN_q-flood_2024-03-01_2024-03-20.geojson.

    The name carries the filter (countries, admin-1 units, category, search, dates: the filter's
    range or the data's), so downloads of different views never overwrite each other.
    """
    start = filters.start or (bounds[0] if bounds else None)
    end = filters.end or (bounds[1] if bounds else None)
    span = f"{start.isoformat()}_{end.isoformat()}" if start and end else "all-dates"
    parts = [_slug(layer.lower())]
    for codes in (filters.countries, filters.admin1, getattr(filters, "categories", ()) or ()):
        if codes:
            shown = "+".join(_slug(str(c)) for c in list(codes)[:MAX_CODES_IN_NAME])
            parts.append(shown + (f"+{len(codes) - MAX_CODES_IN_NAME}more" if len(codes) > MAX_CODES_IN_NAME else ""))
    if filters.query.strip():
        parts.append("q-" + _slug(filters.query.strip().lower())[:30].strip("-"))
    parts.append(span)
    return "_".join(p for p in parts if p) + f".{FORMATS[fmt][0]}"


MAX_CODES_IN_NAME = 3


def _slug(text: str) -> str:
    """File-name safe: letters, digits, dots, + and -; anything else becomes -."""
    return re.sub(r"[^A-Za-z0-9.+-]+", "-", text).strip("-")


def layer_frame(
    layer: str,
    incidents: gpd.GeoDataFrame,
    mentions: gpd.GeoDataFrame,
    filters: Filters,
    adm1_boundaries: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """The rows of `layer` that belong to the filtered incidents (columns as `geo export`)."""
    if layer == "incidents":
        frame = incidents
    elif layer == "mentions":
        # the mentions of the shown incidents' articles, of the kinds the analyst chose
        frame = mentions_of(incidents, mentions, filters)
    elif layer == "adm1-counts":
        frame = adm1_counts(incidents, adm1_boundaries)
    else:
        raise ValueError(f"unknown layer {layer!r}; expected one of {', '.join(LAYERS)}")
    frame = frame.drop(columns=[c for c in ("geometry_wkt",) if c in frame.columns])
    if "event_date" in frame.columns:
        frame = frame.assign(event_date=frame["event_date"].map(_iso_day))
        frame = frame.assign(time=frame["event_date"].map(lambda d: f"{d}T00:00:00Z" if d else None))
    return frame


def _iso_day(value: object) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    day = pd.to_datetime(value, errors="coerce")
    return None if pd.isna(day) else day.date().isoformat()


def adm1_counts(incidents: gpd.GeoDataFrame, adm1_boundaries: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    """Incidents per admin-1 unit with first/last event date (geo.export.count_units)."""
    from geo.export import count_units

    return count_units(incidents, "adm1-counts", adm1_boundaries)


ID_COLUMNS = {"incidents": "incident_id", "mentions": "mention_id", "adm1-counts": "adm1_iso"}


def to_bytes(frame: gpd.GeoDataFrame, fmt: str, layer: str = "incidents", filters: Filters | None = None) -> bytes:
    """Serialise with geo.export's writers; the metadata records the app's filter (as URL params)."""
    from geo import export

    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    meta = {
        "layer": layer, "format": fmt,
        "filter": {"app": to_query_params(filters or Filters())},
        "feature_count": len(frame),
        "exported_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "crs": "EPSG:4326 (WGS 84 longitude/latitude)",
        "gazetteer": export.gazetteer_versions(),
        "generator": "geo-incident-mapper app",
    }
    writer = {"geojson": export.to_geojson, "csv": export.to_csv, "gpkg": export.to_gpkg}[fmt]
    return writer(frame, ID_COLUMNS.get(layer, frame.columns[0]), meta)
