"""Downloads of exactly what the analyst is looking at: layer frames, bytes and file names.

The app filters in memory (time axis, precision set, free text...), which the store's SQL
filters cannot all express, so the frames are cut here and serialised with the same rules as
`geo export`: GeoJSON per RFC 7946 (WGS 84 lon/lat, no crs member, counter-clockwise outer
rings), CSV with lon/lat (or WKT for polygons), GeoPackage.
"""

from __future__ import annotations

import os
import re
import tempfile
from datetime import date

import geopandas as gpd
import pandas as pd
import shapely

from geo.view.filters import Filters
from geo.view.layers import admin_counts

LAYERS: dict[str, str] = {"incidents": "Incidents", "mentions": "Mentions", "adm1-counts": "Admin-1 counts"}
FORMATS: dict[str, tuple[str, str]] = {
    "geojson": ("geojson", "application/geo+json"),
    "csv": ("csv", "text/csv"),
    "gpkg": ("gpkg", "application/geopackage+sqlite3"),
}


def export_filename(layer: str, filters: Filters, fmt: str, bounds: tuple[date, date] | None = None) -> str:
    """e.g. incidents_2024-03-01_2024-03-20.geojson; the range is the filter's or the data's."""
    start = filters.start or (bounds[0] if bounds else None)
    end = filters.end or (bounds[1] if bounds else None)
    span = f"{start.isoformat()}_{end.isoformat()}" if start and end else "all-dates"
    safe_layer = re.sub(r"[^a-z0-9-]+", "-", layer.lower())
    return f"{safe_layer}_{span}.{FORMATS[fmt][0]}"


def layer_frame(
    layer: str,
    incidents: gpd.GeoDataFrame,
    mentions: gpd.GeoDataFrame,
    filters: Filters,
    adm1_boundaries: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """The rows of `layer` that belong to the filtered incidents."""
    if layer == "incidents":
        return incidents
    if layer == "mentions":
        if mentions.empty:
            return mentions
        keep = mentions["article_id"].isin(incidents["article_id"]) & mentions["kind"].isin(filters.kinds)
        return mentions[keep]
    if layer == "adm1-counts":
        counts = admin_counts(incidents, "adm1_iso", "adm1_name").rename(
            columns={"adm1_iso": "admin1_iso", "adm1_name": "name", "n": "incidents"})
        if adm1_boundaries is not None and not counts.empty:
            shapes = adm1_boundaries[["admin1_iso", "iso3", "geometry"]].drop_duplicates("admin1_iso")
            return gpd.GeoDataFrame(counts.merge(shapes, on="admin1_iso", how="left"),
                                    geometry="geometry", crs="EPSG:4326")
        return gpd.GeoDataFrame(counts, geometry=gpd.GeoSeries([None] * len(counts), crs="EPSG:4326"),
                                crs="EPSG:4326")
    raise ValueError(f"unknown layer {layer!r}; expected one of {', '.join(LAYERS)}")


def _plain(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Columns GDAL can write: datetimes and objects as ISO text."""
    out = frame.copy()
    for column in out.columns:
        if column == out.geometry.name:
            continue
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].astype(str)
        elif out[column].dtype == object:
            out[column] = out[column].map(lambda v: None if v is None or (isinstance(v, float) and v != v) else str(v))
    return out


def to_bytes(frame: gpd.GeoDataFrame, fmt: str, layer_name: str = "layer") -> bytes:
    if fmt == "csv":
        table = pd.DataFrame(frame.drop(columns=frame.geometry.name))
        geoms = frame.geometry.values
        is_point = shapely.get_type_id(geoms) == 0
        # points as lon/lat columns; areas as WKT, so spreadsheets and QGIS both read it
        table["lon"] = [x if p else None for x, p in zip(shapely.get_x(geoms), is_point, strict=True)]
        table["lat"] = [y if p else None for y, p in zip(shapely.get_y(geoms), is_point, strict=True)]
        table["wkt"] = [None if p or g is None else g.wkt for g, p in zip(geoms, is_point, strict=True)]
        return table.to_csv(index=False).encode("utf-8")
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    frame = _plain(frame.to_crs("EPSG:4326") if frame.crs and frame.crs.to_epsg() != 4326 else frame)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, f"{layer_name}.{FORMATS[fmt][0]}")
        if fmt == "geojson":
            frame.to_file(path, driver="GeoJSON", engine="pyogrio", layer_options={"RFC7946": "YES"})
        else:
            frame.to_file(path, driver="GPKG", engine="pyogrio", layer=layer_name.replace("-", "_"))
        with open(path, "rb") as fh:
            return fh.read()
