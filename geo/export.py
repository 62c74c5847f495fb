"""Export store layers as GeoJSON (RFC 7946), GeoJSON text sequences (RFC 8142), GeoPackage,
CSV and KML, each with a record of the filter and the gazetteer/boundary versions used.

Article text is untrusted. KML: characters XML 1.0 forbids are dropped (one would make the whole
file unreadable) and descriptions are HTML-escaped before being XML-escaped, since KML clients
render them as HTML. CSV: a text cell starting with = + - @ tab or CR is prefixed with ' (OWASP
CSV injection), so a spreadsheet shows it instead of running it as a formula; numbers never are.

Where the metadata goes: GeoJSON has a top-level foreign member `metadata`; GeoPackage keeps it
in its standard metadata tables (`gpkg_metadata`, the layer's GDAL metadata: one layer only, so
readers open it without asking which); CSV, GeoJSON sequences and KML get a `<file>.meta.json` sidecar when
written to a file (`export_metadata()` gives the same dict, and `geo export` prints it to
stderr when the data goes to stdout). KML also carries it in the Document's ExtendedData.
"""

from __future__ import annotations

import html
import io
import json
import math
import re
import tempfile
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import mapping

from geo import paths
from geo.build import read_manifest
from geo.counts import unit_counts
from geo.errors import InputError
from geo.filters import Filters
from geo.store import IncidentStore

LAYERS = ("incidents", "articles", "mentions", "adm1-counts", "adm0-counts")
FORMATS = ("geojson", "geojsonl", "gpkg", "csv", "kml")
TEXT_FORMATS = {"geojson", "geojsonl", "csv", "kml"}
MEDIA_TYPES = {"geojson": "application/geo+json", "geojsonl": "application/geo+json-seq",
               "gpkg": "application/geopackage+sqlite3", "csv": "text/csv",
               "kml": "application/vnd.google-earth.kml+xml"}
EXTENSIONS = {"geojson": ".geojson", "geojsonl": ".geojsons", "gpkg": ".gpkg", "csv": ".csv",
              "kml": ".kml"}
ID_COLUMN = {"incidents": "incident_id", "articles": "article_id", "mentions": "mention_id", "adm1-counts": "adm1_iso",
             "adm0-counts": "adm0_iso3"}
DROP_COLUMNS = ["geometry_wkt"]  # the feature geometry already carries it
DECIMALS = 6
RS = b"\x1e"  # RFC 8142 record separator
# XML 1.0 Char: tab, LF, CR, U+0020-U+D7FF, U+E000-U+FFFD, U+10000-U+10FFFF
XML_FORBIDDEN = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ExportError(InputError):
    """A bad layer/format/filter, explained for the user."""


def gazetteer_versions() -> dict:
    """build_id and sources from the gazetteer manifest (empty if the gazetteer isn't built)."""
    manifest = read_manifest()
    if manifest is None:
        return {"build_id": None, "sources": [], "note": f"no manifest at {paths.manifest_path()}"}
    keep = ("key", "name", "package", "registry", "version", "sha256", "licence", "attribution")
    return {"build_id": manifest.get("build_id"), "built_at": manifest.get("built_at"),
            "sources": [{k: s.get(k) for k in keep if k in s} for s in manifest.get("sources", [])]}


def export_metadata(store: IncidentStore, layer: str, fmt: str, feature_count: int | None = None,
                    filters: Filters | None = None) -> dict:
    return {
        "layer": layer, "format": fmt,
        "filter": (filters or Filters.everything()).describe(),
        "feature_count": feature_count,
        "exported_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "store": store.location, "crs": "EPSG:4326 (WGS 84 longitude/latitude)",
        "gazetteer": gazetteer_versions(),
        "generator": "geo-incident-mapper",
    }


def layer_frame(store: IncidentStore, layer: str,
                filters: Filters | None = None) -> gpd.GeoDataFrame:
    """The rows of an export layer, with flat snake_case properties and a `time` column."""
    filters = filters or Filters.everything()
    if layer == "incidents":
        frame = store.incidents(filters)
    elif layer == "articles":
        frame = store.article_incidents(filters)
    elif layer == "mentions":
        frame = store.mentions(filters)
    elif layer in ("adm1-counts", "adm0-counts"):
        frame = count_layer(store, layer, filters)
    else:
        raise ExportError(f"unknown layer {layer!r}: choose from {', '.join(LAYERS)}")
    frame = frame.drop(columns=[c for c in DROP_COLUMNS if c in frame.columns])
    if "event_date" in frame.columns:
        frame["event_date"] = frame["event_date"].map(_iso_date)
        frame["time"] = frame["event_date"].map(lambda d: f"{d}T00:00:00Z" if d else None)
    return frame


def count_layer(store: IncidentStore, layer: str,
                filters: Filters | None = None) -> gpd.GeoDataFrame:
    """Admin-1 or country polygons with incident counts for the filter (choropleth-ready)."""
    incidents = store.incidents(filters or Filters.everything())
    b = store.boundaries
    return count_units(incidents, layer, b.counts1 if layer == "adm1-counts" else b.counts0)


def count_units(incidents: pd.DataFrame, layer: str,
                shapes: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    """Incidents and articles (geo.counts) per admin-1 unit ("adm1-counts") or country
    ("adm0-counts") with the first and last event date: every unit that has incidents is
    listed, on its (simplified) polygon when the boundaries have one, else with no geometry.
    The app's download and the map's choropleths use it too."""
    if layer == "adm1-counts":
        key, name_col, code_col, extra = "adm1_iso", "adm1_name", "admin1_iso", ["adm0_iso3"]
    elif layer == "adm0-counts":
        key, name_col, code_col, extra = "adm0_iso3", "adm0_name", "iso3", []
    else:
        raise ExportError(f"unknown count layer {layer!r}")
    frame = pd.DataFrame(incidents)
    counts = unit_counts(frame, key, name_col, tuple(extra))
    if len(counts) and "event_date" in frame:
        dates = frame.loc[frame[key].notna(), [key, "event_date"]].groupby(key)["event_date"]
        counts["first_event_date"] = counts[key].map(dates.min()).to_numpy()
        counts["last_event_date"] = counts[key].map(dates.max()).to_numpy()
    else:
        counts = counts.assign(first_event_date=None, last_event_date=None)
    geometry = [None] * len(counts)
    if shapes is not None and len(counts):
        polygons = shapes[shapes[code_col].notna()].drop_duplicates(code_col).set_index(code_col)
        geometry = list(counts[key].map(polygons["geometry"]))
    frame = gpd.GeoDataFrame(counts, geometry=gpd.GeoSeries(geometry, crs="EPSG:4326"),
                             crs="EPSG:4326")
    return frame.sort_values(key).reset_index(drop=True)


def export_layer(store: IncidentStore, layer: str, fmt: str,
                 filters: Filters | None = None) -> bytes:
    """The layer in the given format as bytes."""
    data, _ = export_with_metadata(store, layer, fmt, filters)
    return data


def export_with_metadata(store: IncidentStore, layer: str, fmt: str,
                         filters: Filters | None = None) -> tuple[bytes, dict]:
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}: choose from {', '.join(FORMATS)}")
    frame = layer_frame(store, layer, filters)
    meta = export_metadata(store, layer, fmt, len(frame), filters)
    writer = {"geojson": to_geojson, "geojsonl": to_geojsonseq, "gpkg": to_gpkg, "csv": to_csv,
              "kml": to_kml}[fmt]
    return writer(frame, ID_COLUMN[layer], meta), meta


# -- geometry and values ---------------------------------------------------------------------
def rfc7946_geometry(geometry: object) -> dict | None:
    """Counter-clockwise outer rings (clockwise holes), coordinates rounded to 6 decimals."""
    if geometry is None or shapely.is_empty(geometry):
        return None
    rounded = shapely.transform(geometry, lambda xy: np.round(xy, DECIMALS))
    return mapping(shapely.orient_polygons(rounded, exterior_cw=False))


_AS_IS = (str, int, bool)  # the common cells, returned before any isinstance test
_FLOATS, _NUMPY_SCALARS = (float, np.floating), (np.integer, np.bool_)
_DATES, _SEQUENCES = (pd.Timestamp, datetime, date), (list, tuple, set)


def _jsonable(value: object) -> object:
    if type(value) in _AS_IS:
        return value
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, _FLOATS):
        return None if math.isnan(value) else float(value)
    if isinstance(value, _NUMPY_SCALARS):
        return value.item()
    if isinstance(value, _DATES):
        return value.isoformat()
    if isinstance(value, _SEQUENCES):
        return [_jsonable(v) for v in value]
    return value


def _iso_date(value: object) -> str | None:
    value = _jsonable(value)
    return str(value)[:10] if value else None


def _properties(frame: gpd.GeoDataFrame) -> Iterator[dict]:
    columns = [c for c in frame.columns if c != frame.geometry.name]
    # plain lists per column: iterating pandas rows (Arrow strings) costs more than the JSON
    values = [frame[c].tolist() for c in columns]
    for row in zip(*values, strict=True):
        yield {c: _jsonable(v) for c, v in zip(columns, row, strict=True)}


def _features(frame: gpd.GeoDataFrame, id_column: str) -> Iterator[dict]:
    """One feature at a time: a 100,000-feature export never exists twice in memory."""
    for props, geom in zip(_properties(frame), frame.geometry, strict=True):
        yield {"type": "Feature", "id": props.get(id_column),
               "geometry": rfc7946_geometry(geom), "properties": props}


def _dumps(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# -- writers ---------------------------------------------------------------------------------
def to_geojson(frame: gpd.GeoDataFrame, id_column: str, meta: dict) -> bytes:
    out = io.BytesIO()
    out.write(b'{"type":"FeatureCollection","metadata":' + _dumps(meta) + b',"features":[')
    for i, feature in enumerate(_features(frame, id_column)):
        out.write(b"," + _dumps(feature) if i else _dumps(feature))
    out.write(b"]}")
    return out.getvalue()


def to_geojsonseq(frame: gpd.GeoDataFrame, id_column: str, meta: dict) -> bytes:
    """RFC 8142: each feature is RS + JSON + LF."""
    out = io.BytesIO()
    for feature in _features(frame, id_column):
        out.write(RS + _dumps(feature) + b"\n")
    return out.getvalue()


def _point_lat_lon(frame: gpd.GeoDataFrame) -> tuple[pd.Series, pd.Series]:
    """Points as they are; polygons by a point inside them (not the centroid, which can fall
    outside); rounded to 6 decimals."""
    geoms = frame.geometry
    points = geoms.where(geoms.geom_type == "Point", geoms.representative_point())
    lat = points.y.round(DECIMALS).where(points.notna())
    lon = points.x.round(DECIMALS).where(points.notna())
    return lat, lon


def neutralise_formula(value: object) -> object:
    """OWASP: a text cell a spreadsheet would run as a formula gets a leading '. A carriage
    return inside text becomes a line feed: with LF line ends the csv writer would not quote
    it, and a reader would cut the row there."""
    if not isinstance(value, str):
        return value
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    return "'" + text if value.startswith(FORMULA_START) else text


def neutralise_formulas(table: pd.DataFrame) -> pd.DataFrame:
    """The text columns of a table with formula-looking cells neutralised (as
    neutralise_formula, vectorised: a 100,000-row export stays fast); numbers untouched."""
    table = table.copy()
    for column in table.columns:
        series = table[column]
        if (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)
                or pd.api.types.is_datetime64_any_dtype(series)):
            continue
        try:
            starts = series.str.startswith(FORMULA_START)  # NaN where not a string
            has_cr = series.str.contains("\r", regex=False)
        except AttributeError:  # no strings in this column
            continue
        starts = starts.fillna(False).astype(bool)
        change = starts | has_cr.fillna(False).astype(bool)
        if not change.any():
            continue
        fixed = series[change].str.replace("\r\n", "\n", regex=False).str.replace(
            "\r", "\n", regex=False)
        fixed = fixed.where(~starts[change], "'" + fixed)
        table[column] = series.astype(object).where(~change, fixed)
    return table


def to_csv(frame: gpd.GeoDataFrame, id_column: str, meta: dict) -> bytes:
    table = neutralise_formulas(pd.DataFrame(frame.drop(columns=frame.geometry.name)))
    table = table.drop(columns=[c for c in ("lat", "lon") if c in table.columns])
    latitude, longitude = _point_lat_lon(frame)
    # identifiers first: articles lead with article_id, incident_id
    lead = 2 if list(table.columns[:2]) == ["article_id", "incident_id"] else 1
    table.insert(lead, "latitude", latitude.to_numpy())
    table.insert(lead + 1, "longitude", longitude.to_numpy())
    table.insert(lead + 2, "geometry_type", frame.geometry.geom_type.to_numpy())
    buffer = io.StringIO()
    table.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue().encode("utf-8")


def to_gpkg(frame: gpd.GeoDataFrame, id_column: str, meta: dict) -> bytes:
    import pyogrio

    layer = meta["layer"].replace("-", "_")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "export.gpkg"
        out = frame.copy()
        out.geometry = gpd.GeoSeries([shapely.orient_polygons(g, exterior_cw=False)
                                      if g is not None else None for g in out.geometry],
                                     index=out.index, crs="EPSG:4326")
        geometry_type = "Point" if layer == "incidents" else "Unknown"
        # the metadata goes in the GeoPackage's own metadata tables (gpkg_metadata), not in a
        # second layer: one layer means geopandas/QGIS open the data without asking or warning
        pyogrio.write_dataframe(out, path, layer=layer, driver="GPKG", geometry_type=geometry_type,
                                promote_to_multi=False,
                                layer_metadata={k: json.dumps(v, ensure_ascii=False) for k, v in meta.items()})
        return path.read_bytes()


def xml_text(value: object, attribute: bool = False) -> str:
    """Text for XML 1.0: forbidden characters dropped, then escaped."""
    cleaned = XML_FORBIDDEN.sub("", str(value))
    return xml_escape(cleaned, {'"': "&quot;"} if attribute else {})


def to_kml(frame: gpd.GeoDataFrame, id_column: str, meta: dict) -> bytes:
    """KML 2.2, one Placemark per located feature with a TimeStamp; every text is XML-safe and
    descriptions (rendered as HTML by KML clients) are HTML-escaped first.
    Written directly (not through a DOM) so 100,000 placemarks stay fast and small in memory."""
    out = io.StringIO()
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2">'
              f"<Document><name>{xml_text(meta['layer'])} export</name><ExtendedData>"
              '<Data name="export_metadata"><value>'
              f"{xml_text(json.dumps(meta, ensure_ascii=False))}</value></Data></ExtendedData>\n")
    for props, geometry in zip(_properties(frame), frame.geometry, strict=True):
        if geometry is None or geometry.is_empty:
            continue
        name = str(props.get("name") or props.get("adm1_name") or props.get("adm0_name")
                   or props.get(id_column) or "")
        description = html.escape(XML_FORBIDDEN.sub("", str(props.get("snippet") or "")))
        out.write(f'<Placemark id="{xml_text(props.get(id_column), attribute=True)}">'
                  f"<name>{xml_text(name)}</name>"
                  f"<description>{xml_escape(description)}</description>")
        if props.get("event_date"):
            out.write(f"<TimeStamp><when>{xml_text(props['event_date'])}</when></TimeStamp>")
        out.write("<ExtendedData>")
        for key, value in props.items():
            if value is not None:
                out.write(f'<Data name="{xml_text(key, attribute=True)}"><value>'
                          f"{xml_text(value)}</value></Data>")
        out.write("</ExtendedData>")
        out.write(_kml_geometry(shapely.transform(geometry, lambda xy: np.round(xy, DECIMALS))))
        out.write("</Placemark>\n")
    out.write("</Document></kml>\n")
    return out.getvalue().encode("utf-8")


def _kml_coords(coords: object) -> str:
    return " ".join(f"{x:.6f},{y:.6f}".replace(".000000", "") for x, y, *_ in coords)


def _kml_geometry(geometry: object) -> str:
    kind = geometry.geom_type
    if kind == "Point":
        return f"<Point><coordinates>{_kml_coords(geometry.coords)}</coordinates></Point>"
    if kind == "Polygon":
        oriented = shapely.orient_polygons(geometry, exterior_cw=False)
        rings = [f"<outerBoundaryIs><LinearRing><coordinates>"
                 f"{_kml_coords(oriented.exterior.coords)}</coordinates></LinearRing>"
                 "</outerBoundaryIs>"]
        rings += [f"<innerBoundaryIs><LinearRing><coordinates>{_kml_coords(r.coords)}"
                  "</coordinates></LinearRing></innerBoundaryIs>" for r in oriented.interiors]
        return f"<Polygon>{''.join(rings)}</Polygon>"
    if kind == "LineString":
        return f"<LineString><coordinates>{_kml_coords(geometry.coords)}</coordinates></LineString>"
    return f"<MultiGeometry>{''.join(_kml_geometry(g) for g in geometry.geoms)}</MultiGeometry>"
