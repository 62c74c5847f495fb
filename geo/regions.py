"""Directional modifiers -> derived geometry: "southern California" is the part of the
California polygon south of its middle latitude, not a pin at its centre.

The middle lines come from the bounds of the region's largest part (so Alaska's islands do
not drag the "middle" of the United States north); the clip applies to the whole region.
Geometry comes from the simplified boundary layers (small WKT for the map), EPSG:4326.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sqlite3
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely
import shapely.errors
from shapely import wkt as shapely_wkt
from shapely.geometry import MultiPolygon
from shapely.geometry.base import BaseGeometry

from geo.jsonfile import write_json_atomic

log = logging.getLogger(__name__)

# modifier -> which halves to keep: (north/south/None, east/west/None); "central" is special
DIRECTIONS: dict[str, tuple[str | None, str | None]] = {
    "northern": ("north", None), "southern": ("south", None), "eastern": (None, "east"),
    "western": (None, "west"), "north-east": ("north", "east"), "north-west": ("north", "west"),
    "south-east": ("south", "east"), "south-west": ("south", "west"), "central": (None, None),
}
LAYER_FOR_LEVEL = {"country": "adm0", "admin1": "adm1", "admin2": "adm2"}
_MODIFIER_PREFIX = re.compile(r"^[A-Za-z-]+\s+")
log = logging.getLogger(__name__)


def largest_part(geom: BaseGeometry) -> BaseGeometry:
    """The part of a multipolygon with the largest area (the first of equals)."""
    if isinstance(geom, MultiPolygon):
        parts = shapely.get_parts(geom)  # one call for all the areas: countries have hundreds of islands
        return parts[int(np.argmax(shapely.area(parts)))]
    return geom


def directional_part(geom: BaseGeometry, modifier: str) -> BaseGeometry:
    """The part of geom that the modifier names (pure geometry, EPSG:4326 degrees): a
    multipolygon, or geom itself when the cut leaves no area."""
    x0, y0, x1, y1 = directional_box(geom, modifier)
    # few calls into shapely: a new "southern X" comes between texts, when GEOS's and numpy's
    # code has left the processor's caches, and each call costs tens of microseconds then
    part = geom.intersection(shapely.box(x0, y0, x1, y1))  # the ring of shapely.geometry.box
    if part.is_empty:  # degenerate shapes: fall back to the whole region
        return geom
    kind = shapely.get_type_id(part)
    if kind == _MULTIPOLYGON:
        return part
    if kind == _POLYGON:
        return shapely.multipolygons([part])
    pieces = shapely.get_parts(part)  # a cut can leave lines and points beside the polygons
    kinds = shapely.get_type_id(pieces)
    polys = pieces[(kinds == _POLYGON) | (kinds == _MULTIPOLYGON)]
    return shapely.multipolygons(shapely.get_parts(polys)) if len(polys) else geom


def directional_box(geom: BaseGeometry, modifier: str) -> tuple[float, float, float, float]:
    """(min x, min y, max x, max y) of the rectangle that the modifier keeps of geom: halves
    and quarters split at the middle of its largest part, "central" the middle half of that
    part's width and height."""
    if modifier not in DIRECTIONS:
        raise ValueError(f"unknown modifier {modifier!r}; expected one of {sorted(DIRECTIONS)}")
    minx, miny, maxx, maxy = largest_part(geom).bounds
    mid_y, mid_x = (miny + maxy) / 2, (minx + maxx) / 2
    if modifier == "central":
        dx, dy = (maxx - minx) / 4, (maxy - miny) / 4
        return minx + dx, miny + dy, maxx - dx, maxy - dy
    ns, ew = DIRECTIONS[modifier]
    gx0, gy0, gx1, gy1 = geom.bounds
    y0, y1 = (mid_y, gy1) if ns == "north" else (gy0, mid_y) if ns == "south" else (gy0, gy1)
    x0, x1 = (mid_x, gx1) if ew == "east" else (gx0, mid_x) if ew == "west" else (gx0, gx1)
    return x0, y0, x1, y1


_POLYGON, _MULTIPOLYGON = shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON


# GeoPackage geometry blob: "GP", version, flags, srs id, then an envelope whose size the
# flags give, then standard WKB (read straight from sqlite: no geopandas on the parse path)
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


def gpkg_geometry(blob: bytes) -> BaseGeometry:
    """A shapely geometry from a GeoPackage geometry blob."""
    if blob[:2] != b"GP":
        raise ValueError("not a GeoPackage geometry blob")
    envelope = _ENVELOPE_BYTES[(blob[3] >> 1) & 0b111]
    return shapely.from_wkb(bytes(blob[8 + envelope:]))


@lru_cache(maxsize=4096)
def _geometry_from(path: str, layer: str, place_id: int) -> BaseGeometry | None:
    fid = first_features(path, layer).get(place_id)
    return None if fid is None else feature_geometry(path, layer, fid)


def first_features(path: str, layer: str) -> dict[int, int]:
    """place id -> its first feature in a layer of a boundary file (see _first_fids)."""
    stat = os.stat(path)
    return _first_fids(path, layer, stat.st_mtime_ns, stat.st_size)


def feature_geometry(path: str, layer: str, fid: int) -> BaseGeometry | None:
    """A feature's polygon, read by feature id (not kept)."""
    stat = os.stat(path)
    con, lock = _reader(path, stat.st_mtime_ns, stat.st_size)
    with lock:
        row = con.execute(f"SELECT geom FROM {layer} WHERE fid = ?", (fid,)).fetchone()  # noqa: S608
    return gpkg_geometry(row[0]) if row and row[0] else None


@lru_cache(maxsize=4)
def _reader(path: str, mtime_ns: int, size: int) -> tuple[sqlite3.Connection, threading.Lock]:
    """A read-only connection kept per file version, and a lock for the threads sharing it: a
    new connection reads the GeoPackage's schema on its first query (0.7 ms, where the
    geometry read by feature id takes 0.05 ms)."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    return con, threading.Lock()


@lru_cache(maxsize=16)
def _first_fids(path: str, layer: str, mtime_ns: int, size: int) -> dict[int, int]:
    """place id -> the first feature of that place in a layer: the layers have no index on
    place_id, so each look-up by it read the whole layer; a look-up by feature id is one B-tree
    search. Kept beside the boundary file (see _stored_first_fids): reading place_id means
    reading every geometry before it (2-7 ms a layer), once per file, not once per process."""
    store = f"{os.path.splitext(path)[0]}.first-features.json"
    stored = _stored_first_fids(store, f"v{FIRST_FIDS_VERSION}:{size}:{mtime_ns}")
    columns = stored["layers"].get(layer)
    if columns is not None:
        return dict(zip(*columns, strict=True))
    con, lock = _reader(path, mtime_ns, size)
    with lock:  # the features come last first, so each place keeps its first
        fids = dict(con.execute(f"SELECT place_id, fid FROM {layer} WHERE place_id IS NOT NULL "  # noqa: S608
                                "ORDER BY fid DESC").fetchall())
    layers = stored["layers"]
    layers[layer] = (tuple(fids), tuple(fids.values()))
    try:  # a copy: another thread may add its layer while this one writes
        write_json_atomic(Path(store), {"stamp": stored["stamp"], "layers": dict(layers)})
    except OSError:
        pass  # a read-only folder: each process reads the layer for itself
    return fids


FIRST_FIDS_VERSION = 1  # of the stored maps' layout: {"stamp", "layers": {layer: [place ids, fids]}}


@lru_cache(maxsize=4)
def _stored_first_fids(store: str, stamp: str) -> dict:
    """The maps stored for this version of the boundary file (read once per process), or
    none yet (missing, damaged, or of another version of the file)."""
    try:
        content = json.loads(Path(store).read_text(encoding="utf-8"))
        if content.get("stamp") == stamp and isinstance(content.get("layers"), dict):
            # columns as tuples of numbers, which the garbage collector stops tracking: kept
            # for the process's life, lists of 4,000 numbers would be walked by every full
            # collection
            return {"stamp": stamp, "layers": {
                layer: (tuple(columns[0]), tuple(columns[1])) for layer, columns in content["layers"].items()
                if isinstance(columns, list) and len(columns) == 2 and len(columns[0]) == len(columns[1])}}
    except (OSError, ValueError, AttributeError, TypeError, KeyError):
        pass
    return {"stamp": stamp, "layers": {}}


@lru_cache(maxsize=8)
def _warn_no_boundaries(layer: str, reason: str) -> None:
    """Once per layer and reason: a run with no boundaries would otherwise say it 10,000 times."""
    log.warning("no %s boundaries (%s): directional regions such as 'southern X' and area "
                "extents are not drawn", layer, reason)


def region_geometry(place_id: int, level: str) -> BaseGeometry | None:
    """The boundary polygon of a country/admin-1/US county by its gazetteer id, if any
    (from the simplified layers, or the full ones when those are missing)."""
    from geo import paths

    layer = LAYER_FOR_LEVEL.get(level)
    if layer is None:
        return None
    for path in boundary_files(os.environ.get(paths.GAZETTEER_DIR_VAR)):
        if not os.path.exists(path):
            continue
        try:
            return _geometry_from(path, layer, int(place_id))
        except (sqlite3.Error, ValueError, KeyError, shapely.errors.GEOSException) as exc:
            _warn_no_boundaries(layer, f"{os.path.basename(path)}: {exc}")
    _warn_no_boundaries(layer, f"no boundary file in {paths.gazetteer_dir()}")
    return None


@lru_cache(maxsize=8)
def boundary_files(gazetteer_dir_var: str | None) -> tuple[str, str]:
    """The simplified boundary file, then the full one, kept per value of the gazetteer
    folder's environment variable: building the paths took longer than reading a geometry."""
    from geo import paths

    return str(paths.simplified_boundaries_path()), str(paths.boundaries_path())


def derive_region(place_id: int, level: str, modifier: str) -> tuple[str, float, float] | None:
    """(WKT, lat, lon) of the modified region, lat/lon a representative point inside it."""
    return derived_from(region_geometry(place_id, level), modifier)


def derived_from(geom: BaseGeometry | None, modifier: str) -> tuple[str, float, float] | None:
    """derive_region of a boundary polygon (geo.region_store stores it for every boundary)."""
    if geom is None or geom.is_empty or modifier not in DIRECTIONS:
        return None
    part = directional_part(geom, modifier)
    point = part.representative_point()
    return shapely_wkt.dumps(part, rounding_precision=5), point.y, point.x


def base_span(start: int, end: int, surface: str) -> tuple[int, int]:
    """Span of the place name inside a modified mention ("southern California" -> "California")."""
    m = _MODIFIER_PREFIX.match(surface)
    if not m:
        return start, end
    return start + m.end(), end
