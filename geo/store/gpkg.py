"""A minimal GeoPackage writer on sqlite3: schema, R-tree index and the geometry blob codec.

Why not pyogrio for writes: the store needs per-article transactions, WAL and savepoints, which
only direct SQLite access gives. What we write is a standard GeoPackage 1.4 (QGIS and GDAL open
it as is): core tables, EPSG:4326, GeoPackage binary geometries (header + envelope + ISO WKB)
and the gpkg_rtree_index extension. The R-tree triggers call ST_* functions that GDAL provides;
`register_functions` adds them to our own sqlite3 connections.
"""

from __future__ import annotations

import sqlite3
import struct

import shapely
from shapely.geometry.base import BaseGeometry

SRS_ID = 4326
APPLICATION_ID = 0x47504B47  # "GPKG"
USER_VERSION = 10400  # GeoPackage 1.4
_WGS84_WKT = (
    'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,'
    'AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,'
    'AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],'
    'AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]'
)
_HEADER = struct.Struct("<2sBBi4d")  # magic, version, flags, srs_id, minx maxx miny maxy
_EMPTY_HEADER = struct.Struct("<2sBBi")

CORE_SQL = f"""
CREATE TABLE IF NOT EXISTS gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
INSERT OR IGNORE INTO gpkg_spatial_ref_sys VALUES
  ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),
  ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system'),
  ('WGS 84 geodetic', 4326, 'EPSG', 4326, '{_WGS84_WKT}', 'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid');
CREATE TABLE IF NOT EXISTS gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
  description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE IF NOT EXISTS gpkg_geometry_columns (
  table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
CREATE TABLE IF NOT EXISTS gpkg_extensions (
  table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, definition TEXT NOT NULL,
  scope TEXT NOT NULL, CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name));
"""


def encode(geometry: BaseGeometry | None) -> bytes | None:
    """Shapely geometry -> GeoPackage binary (little endian, xy envelope, EPSG:4326)."""
    if geometry is None:
        return None
    wkb = shapely.to_wkb(geometry, byte_order=1, flavor="iso", output_dimension=2)
    if geometry.is_empty:
        return _EMPTY_HEADER.pack(b"GP", 0, 0b00010001, SRS_ID) + wkb
    minx, miny, maxx, maxy = geometry.bounds
    return _HEADER.pack(b"GP", 0, 0b00000011, SRS_ID, minx, maxx, miny, maxy) + wkb


def _header_length(blob: bytes) -> int:
    envelope = (blob[3] >> 1) & 0b111
    return 8 + {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}[envelope]


def decode(blob: bytes | None) -> BaseGeometry | None:
    if blob is None:
        return None
    return shapely.from_wkb(bytes(blob[_header_length(blob):]))


def decode_many(blobs: list[bytes | None]) -> list[BaseGeometry | None]:
    """Vectorised decode: strip the headers, then one shapely.from_wkb call."""
    wkbs = [None if b is None else bytes(b[_header_length(b):]) for b in blobs]
    return list(shapely.from_wkb(wkbs))


def _envelope(blob: bytes | None) -> tuple[float, float, float, float] | None:
    if blob is None or (blob[3] >> 4) & 1:
        return None
    if (blob[3] >> 1) & 0b111:
        _, _, _, _, minx, maxx, miny, maxy = _HEADER.unpack_from(blob)
        return minx, maxx, miny, maxy
    geometry = decode(blob)
    minx, miny, maxx, maxy = geometry.bounds
    return minx, maxx, miny, maxy


def register_functions(connection: sqlite3.Connection) -> None:
    """The ST_* functions the standard R-tree triggers need (GDAL defines them too)."""
    connection.create_function("ST_IsEmpty", 1, lambda b: None if b is None else int(
        bool((b[3] >> 4) & 1)), deterministic=True)
    for name, index in (("ST_MinX", 0), ("ST_MaxX", 1), ("ST_MinY", 2), ("ST_MaxY", 3)):
        connection.create_function(
            name, 1, lambda b, i=index: (e[i] if (e := _envelope(b)) else None),
            deterministic=True)


def init_core(connection: sqlite3.Connection) -> None:
    connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    connection.execute(f"PRAGMA user_version = {USER_VERSION}")
    # statement by statement: executescript() would commit the caller's transaction
    for statement in CORE_SQL.split(";\n"):
        if statement.strip():
            connection.execute(statement)


def add_attributes_table(connection: sqlite3.Connection, table: str, columns_sql: str,
                         description: str) -> None:
    connection.execute(f'CREATE TABLE IF NOT EXISTS "{table}" ('
                       f'fid INTEGER PRIMARY KEY AUTOINCREMENT, {columns_sql})')
    connection.execute("INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier,"
                       " description) VALUES (?, 'attributes', ?, ?)", (table, table, description))


def add_feature_table(connection: sqlite3.Connection, table: str, geometry_type: str,
                      columns_sql: str, description: str, geom: str = "geom") -> None:
    """A feature table with an R-tree spatial index kept up to date by the standard triggers."""
    connection.execute(f'CREATE TABLE IF NOT EXISTS "{table}" (fid INTEGER PRIMARY KEY '
                       f'AUTOINCREMENT, "{geom}" {geometry_type}, {columns_sql})')
    connection.execute("INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier,"
                       " description, min_x, min_y, max_x, max_y, srs_id) VALUES "
                       "(?, 'features', ?, ?, -180, -90, 180, 90, ?)",
                       (table, table, description, SRS_ID))
    connection.execute("INSERT OR IGNORE INTO gpkg_geometry_columns VALUES (?, ?, ?, ?, 0, 0)",
                       (table, geom, geometry_type, SRS_ID))
    connection.execute("INSERT OR IGNORE INTO gpkg_extensions VALUES (?, ?, 'gpkg_rtree_index', "
                       "'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')",
                       (table, geom))
    rtree = f"rtree_{table}_{geom}"
    connection.execute(f'CREATE VIRTUAL TABLE IF NOT EXISTS "{rtree}" USING '
                       "rtree(id, minx, maxx, miny, maxy)")
    bounds = (f'ST_MinX(NEW."{geom}"), ST_MaxX(NEW."{geom}"), ST_MinY(NEW."{geom}"), '
              f'ST_MaxY(NEW."{geom}")')
    filled = f'(NEW."{geom}" NOTNULL AND NOT ST_IsEmpty(NEW."{geom}"))'
    empty = f'(NEW."{geom}" ISNULL OR ST_IsEmpty(NEW."{geom}"))'
    triggers = {
        "insert": f"AFTER INSERT ON \"{table}\" WHEN {filled} BEGIN INSERT OR REPLACE INTO "
                  f"\"{rtree}\" VALUES (NEW.fid, {bounds}); END",
        "update6": f"AFTER UPDATE OF \"{geom}\" ON \"{table}\" WHEN OLD.fid = NEW.fid AND "
                   f"{filled} BEGIN UPDATE \"{rtree}\" SET minx = ST_MinX(NEW.\"{geom}\"), "
                   f"maxx = ST_MaxX(NEW.\"{geom}\"), miny = ST_MinY(NEW.\"{geom}\"), "
                   f"maxy = ST_MaxY(NEW.\"{geom}\") WHERE id = NEW.fid; END",
        "update7": f"AFTER UPDATE OF \"{geom}\" ON \"{table}\" WHEN OLD.fid = NEW.fid AND "
                   f"{empty} BEGIN DELETE FROM \"{rtree}\" WHERE id = OLD.fid; END",
        "update5": f"AFTER UPDATE ON \"{table}\" WHEN OLD.fid != NEW.fid AND {filled} BEGIN "
                   f"DELETE FROM \"{rtree}\" WHERE id = OLD.fid; INSERT OR REPLACE INTO "
                   f"\"{rtree}\" VALUES (NEW.fid, {bounds}); END",
        "update4": f"AFTER UPDATE ON \"{table}\" WHEN OLD.fid != NEW.fid AND {empty} BEGIN "
                   f"DELETE FROM \"{rtree}\" WHERE id IN (OLD.fid, NEW.fid); END",
        "delete": f"AFTER DELETE ON \"{table}\" WHEN OLD.\"{geom}\" NOT NULL BEGIN "
                  f"DELETE FROM \"{rtree}\" WHERE id = OLD.fid; END",
    }
    for name, body in triggers.items():
        connection.execute(f'CREATE TRIGGER IF NOT EXISTS "{rtree}_{name}" {body}')
