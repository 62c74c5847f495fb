"""Directional modifiers -> derived geometry: "southern California" is the part of the
California polygon south of its middle latitude, not a pin at its centre.

The middle lines come from the bounds of the region's largest part (so Alaska's islands do
not drag the "middle" of the United States north); the clip applies to the whole region.
Geometry comes from the simplified boundary layers (small WKT for the map), EPSG:4326.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import threading
from functools import lru_cache

import shapely
import shapely.errors
from shapely import wkt as shapely_wkt
from shapely.geometry import MultiPolygon, Polygon, box
from shapely.geometry.base import BaseGeometry

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
    if isinstance(geom, MultiPolygon):
        return max(geom.geoms, key=lambda g: g.area)
    return geom


def directional_part(geom: BaseGeometry, modifier: str) -> BaseGeometry:
    """The part of geom that the modifier names (pure geometry, EPSG:4326 degrees)."""
    if modifier not in DIRECTIONS:
        raise ValueError(f"unknown modifier {modifier!r}; expected one of {sorted(DIRECTIONS)}")
    minx, miny, maxx, maxy = largest_part(geom).bounds
    mid_y, mid_x = (miny + maxy) / 2, (minx + maxx) / 2
    if modifier == "central":
        dx, dy = (maxx - minx) / 4, (maxy - miny) / 4
        clip = box(minx + dx, miny + dy, maxx - dx, maxy - dy)
    else:
        ns, ew = DIRECTIONS[modifier]
        gx0, gy0, gx1, gy1 = geom.bounds
        y0, y1 = (mid_y, gy1) if ns == "north" else (gy0, mid_y) if ns == "south" else (gy0, gy1)
        x0, x1 = (mid_x, gx1) if ew == "east" else (gx0, mid_x) if ew == "west" else (gx0, gx1)
        clip = box(x0, y0, x1, y1)
    part = geom.intersection(clip)
    if part.is_empty:  # degenerate shapes: fall back to the whole region
        return geom
    polys = [g for g in getattr(part, "geoms", [part]) if isinstance(g, Polygon | MultiPolygon)]
    return MultiPolygon([p for g in polys for p in getattr(g, "geoms", [g])]) if polys else geom


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
    stat = os.stat(path)
    fid = _first_fids(path, layer, stat.st_mtime_ns, stat.st_size).get(place_id)
    if fid is None:
        return None
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
    """place id -> the first feature of that place in a layer (read once per file version):
    the layers have no index on place_id, so each look-up by it read the whole layer; a
    look-up by feature id is one B-tree search. The features come last first, so each place
    keeps its first (a scan backwards by feature id: 30-50% less than grouping by place)."""
    con, lock = _reader(path, mtime_ns, size)
    with lock:
        return dict(con.execute(f"SELECT place_id, fid FROM {layer} WHERE place_id IS NOT NULL "  # noqa: S608
                                "ORDER BY fid DESC").fetchall())


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
    for path in (paths.simplified_boundaries_path(), paths.boundaries_path()):
        if not path.exists():
            continue
        try:
            return _geometry_from(str(path), layer, int(place_id))
        except (sqlite3.Error, ValueError, KeyError, shapely.errors.GEOSException) as exc:
            _warn_no_boundaries(layer, f"{path.name}: {exc}")
    _warn_no_boundaries(layer, f"no boundary file in {paths.gazetteer_dir()}")
    return None


def derive_region(place_id: int, level: str, modifier: str) -> tuple[str, float, float] | None:
    """(WKT, lat, lon) of the modified region, lat/lon a representative point inside it."""
    geom = region_geometry(place_id, level)
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
