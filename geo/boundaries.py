"""Admin boundary layers from the built gazetteer (EPSG:4326 GeoDataFrames, cached)."""

from __future__ import annotations

from functools import lru_cache

import geopandas as gpd
import pyogrio

from geo import paths
from geo.gazetteer import BUILD_HINT, GazetteerMissingError

LEVELS = ("adm0", "adm1", "adm2")


@lru_cache(maxsize=8)
def _read(path: str, level: str) -> gpd.GeoDataFrame:
    return gpd.read_file(path, layer=level, engine="pyogrio")


def load_boundaries(level: str, simplified: bool = False) -> gpd.GeoDataFrame:
    """'adm0' countries, 'adm1' first-level divisions, 'adm2' US counties.

    Returns the cached frame: copy it before changing it.
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, not {level!r}")
    path = paths.simplified_boundaries_path() if simplified else paths.boundaries_path()
    if not path.exists():
        raise GazetteerMissingError(f"no boundaries at {path}: {BUILD_HINT}")
    try:
        return _read(str(path), level)
    except pyogrio.errors.DataSourceError as exc:
        raise GazetteerMissingError(f"boundaries at {path} are unreadable ({exc}): {BUILD_HINT}") from exc
