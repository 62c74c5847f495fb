"""Country and admin-1 outlines as static GeoJSON files the map fetches (the offline basemap).

The browser fetches them once from `/app/static/basemap/` and caches them, so a filter change
sends only counts, not polygons. Files are rebuilt when the boundaries file is newer.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import shapely

from geo import paths
from geo.view.assets import STATIC_DIR, STATIC_URL

log = logging.getLogger(__name__)

# level -> (key property, properties kept); everything else is dropped to keep files small
LEVELS: dict[str, tuple[str, list[str]]] = {
    "adm0": ("iso3", ["iso3", "name"]),
    "adm1": ("admin1_iso", ["admin1_iso", "iso3", "name"]),
    "adm2": ("admin2_code", ["admin2_code", "name"]),
}
BASEMAP_DIR = STATIC_DIR / "basemap"
# ~100 m coordinates, ~5 km simplification: plenty for an overview map, and it halves the
# bytes the browser fetches and parses on every map load
COORD_PRECISION = 3
SIMPLIFY_DEGREES = 0.05


def basemap_url(level: str) -> str:
    return f"{STATIC_URL}/basemap/{level}.geojson"


def write_level(boundaries: gpd.GeoDataFrame, level: str, out_dir: Path) -> Path:
    """Write one level as RFC 7946 GeoJSON with rounded coordinates (atomic replace)."""
    key, keep = LEVELS[level]
    if key not in boundaries.columns:
        raise ValueError(f"{level} boundaries have no {key!r} column")
    frame = boundaries[[c for c in keep if c in boundaries.columns] + [boundaries.geometry.name]]
    frame = frame.to_crs("EPSG:4326") if frame.crs and frame.crs.to_epsg() != 4326 else frame
    geoms = frame.geometry.to_numpy()
    frame = frame[~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)]
    try:
        # coverage simplification keeps shared borders shared (no slivers between neighbours)
        simplified = shapely.coverage_simplify(frame.geometry.values, SIMPLIFY_DEGREES)
    except (shapely.errors.GEOSException, TypeError, ValueError):  # not a clean coverage
        simplified = shapely.simplify(frame.geometry.values, SIMPLIFY_DEGREES, preserve_topology=True)
    frame = frame.set_geometry(gpd.GeoSeries(simplified, index=frame.index, crs="EPSG:4326"))
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{level}.geojson"
    fd, tmp = tempfile.mkstemp(dir=out_dir, suffix=".geojson")
    os.close(fd)
    os.unlink(tmp)  # the GeoJSON driver refuses to overwrite
    frame.to_file(
        tmp, driver="GeoJSON", engine="pyogrio",
        layer_options={"COORDINATE_PRECISION": COORD_PRECISION, "RFC7946": "YES"},
    )
    os.replace(tmp, target)  # concurrent app sessions never see a half-written file
    return target


def ensure_basemap(
    out_dir: Path = BASEMAP_DIR,
    loader: Callable[[str], gpd.GeoDataFrame] | None = None,
    source: Path | None = None,
) -> dict[str, str]:
    """level -> URL for each level whose file exists or could be written; {} without boundaries."""
    source = source or paths.simplified_boundaries_path()
    if loader is None:
        if not source.exists():
            return {}
        from geo.boundaries import load_boundaries

        def loader(level: str) -> gpd.GeoDataFrame:
            return load_boundaries(level, simplified=True)

    urls: dict[str, str] = {}
    for level in LEVELS:
        target = out_dir / f"{level}.geojson"
        stale = not target.exists() or (source.exists() and source.stat().st_mtime > target.stat().st_mtime)
        if stale:
            try:
                write_level(loader(level), level, out_dir)
            except (ValueError, KeyError, OSError) as exc:
                log.warning("basemap: no %s outlines (%s)", level, exc)
                continue
        urls[level] = basemap_url(level)
    return urls
