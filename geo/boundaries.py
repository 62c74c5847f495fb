"""Admin boundary layers from the built gazetteer (EPSG:4326 GeoDataFrames, cached).

The layers are read with sqlite3 and shapely (a GeoPackage is an SQLite file whose geometries
are WKB behind a short header), not through GDAL: the same frames, without GDAL's ~40 MB of
libraries in every process that joins mentions (each Dask worker, the single-process ingest).
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from functools import lru_cache

import geopandas as gpd
import pandas as pd

from geo import paths
from geo.gazetteer import BUILD_HINT, GazetteerMissingError

LEVELS = ("adm0", "adm1", "adm2")


@lru_cache(maxsize=8)
def _read(path: str, level: str) -> gpd.GeoDataFrame:
    """Every column of one layer, in fid order (as GDAL reads it), the fid not included."""
    from geo.store.gpkg import decode_many

    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        (geometry,) = connection.execute(
            "SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (level,)
        ).fetchone() or (None,)
        if geometry is None:
            raise sqlite3.DatabaseError(f"no layer {level!r}")
        cursor = connection.execute(f'SELECT * FROM "{level}" ORDER BY fid')
        names = [d[0] for d in cursor.description]
        frame = pd.DataFrame.from_records(cursor.fetchall(), columns=names)
    shapes = decode_many(frame.pop(geometry).tolist())
    return gpd.GeoDataFrame(frame.drop(columns="fid"), geometry=gpd.GeoSeries(
        shapes, index=frame.index, crs="EPSG:4326"))


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
    except sqlite3.DatabaseError as exc:
        raise GazetteerMissingError(f"boundaries at {path} are unreadable ({exc}): {BUILD_HINT}") from exc
