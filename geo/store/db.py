"""The GeoPackage backend: connect, create the schema in one transaction, migrate, and the
transaction / savepoint / snapshot blocks every write and read goes through.

Creation is one transaction, so a process killed while creating a store leaves either an empty
file (created again on the next open) or a complete store. A store left half-created by an older
version (schema tables but no `gpkg_contents` and no data) holds only tables this module knows,
and is completed on the next open instead of refused. WAL lets readers work during an ingest.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
from shapely.geometry.base import BaseGeometry

from geo.errors import StoreError
from geo.store import migrations
from geo.store.backend import Dialect
from geo.store.gpkg import (
    add_attributes_table,
    add_feature_table,
    decode_many,
    encode,
    init_core,
    register_functions,
)
from geo.store.schema import LAYERS, SCHEMA_VERSION, columns_sql

log = logging.getLogger(__name__)

META_TABLE = "store_meta"  # key/value: schema_version (not a layer: not in gpkg_contents)
_KNOWN_PREFIXES = ("gpkg_", "rtree_", "sqlite_")
LEGACY_LAYERS = {"articles", "mentions", "incidents", "corrections"}  # schema versions 1 and 2


class GpkgBackend:
    """A store in one GeoPackage file (QGIS and GDAL open it as is)."""

    dialect = Dialect()
    errors: tuple[type[BaseException], ...] = (sqlite3.DatabaseError,)

    def __init__(self, path: Path) -> None:
        if path.exists() and path.is_dir():
            raise StoreError(f"store path {path} is a folder, expected a .gpkg file")
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.location = str(path)
        self.connection = _open(path)

    # -- blocks --------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[None]:
        # IMMEDIATE: take the write lock up front, so two writers queue instead of deadlocking
        self.connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise
        self.connection.execute("COMMIT")

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        self.connection.execute("SAVEPOINT block")
        try:
            yield
        except BaseException:
            self.connection.execute("ROLLBACK TO block")
            self.connection.execute("RELEASE block")
            raise
        self.connection.execute("RELEASE block")

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        # a deferred transaction in WAL mode reads one snapshot from its first read on
        self.connection.execute("BEGIN")
        try:
            yield
        finally:
            self.connection.execute("COMMIT")

    # -- statements ----------------------------------------------------------------------
    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self.connection.execute(sql, params)

    def execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self.connection.executemany(sql, rows)

    def fetch_each(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[list]:
        return [self.connection.execute(sql, params).fetchall() for sql, params in statements]

    def insert_rows(self, table: str, rows: Iterable[dict[str, Any]]) -> None:
        layer = LAYERS[table]
        columns = (["geom"] if layer.geometry else []) + layer.column_names
        values = [[encode(row.get("geom")) if c == "geom" else row.get(c) for c in columns]
                  for row in rows]
        if values:
            self.connection.executemany(
                f"INSERT INTO {table} ({', '.join(_q(c) for c in columns)}) "
                f"VALUES ({', '.join('?' * len(columns))})", values)

    def read_frame(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        return pd.read_sql_query(sql, self.connection, params=list(params))

    def decode_geometries(self, values: Sequence[Any]) -> list[BaseGeometry | None]:
        return decode_many(list(values)) if len(values) else []

    def version_token(self) -> tuple:
        def stat(p: Path) -> tuple[float, int]:
            return (p.stat().st_mtime, p.stat().st_size) if p.exists() else (0.0, 0)
        main, size = stat(self.path)
        wal, wal_size = stat(self.path.with_name(self.path.name + "-wal"))
        return main, wal, size + wal_size

    def close(self) -> None:
        self.connection.close()


def _q(column: str) -> str:
    return f'"{column}"'


def _open(path: Path) -> sqlite3.Connection:
    try:
        connection = sqlite3.connect(path, timeout=60, isolation_level=None)
        register_functions(connection)
        state = _state(connection)
        if state == "foreign":
            connection.close()
            raise StoreError(f"{path} is an SQLite file but not a GeoPackage store: "
                             "refusing to write into it")
        if state != "ready":  # new, or left half-created: (re)create in one transaction
            _create_schema(connection)
        connection.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA cache_size=-65536")  # 64 MB: big stores keep indexes hot
        connection.execute("PRAGMA foreign_keys=ON")
        _migrate(connection, path)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"cannot open the store {path}: {exc} (is it a GeoPackage?)") from exc
    return connection


def _tables(connection: sqlite3.Connection) -> set[str]:
    return {r[0] for r in connection.execute(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}


def _state(connection: sqlite3.Connection) -> str:
    """'ready', 'new' (no tables), 'partial' (only our tables, no data) or 'foreign'."""
    tables = _tables(connection)
    if not tables:
        return "new"
    ours = set(LAYERS) | {META_TABLE}
    if {t for t in tables if not t.startswith(_KNOWN_PREFIXES)} - ours:
        return "foreign"
    if "gpkg_contents" in tables:
        registered = {r[0] for r in connection.execute("SELECT table_name FROM gpkg_contents")}
        # every layer, or the layers of an older version (the migration adds the rest)
        if set(LAYERS) <= registered or LEGACY_LAYERS <= registered:
            return "ready"
    if any(connection.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone()
           for t in tables & set(LAYERS)):
        return "foreign"  # data but no GeoPackage registry: not something we left behind
    return "partial"


def _create_schema(connection: sqlite3.Connection) -> None:
    """Every table, index and trigger in one transaction (idempotent statements, so a store
    left half-created is completed)."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        if _state(connection) == "ready":  # another process finished it while we waited
            connection.execute("ROLLBACK")
            return
        if leftovers := _tables(connection):
            # half-created: nothing in it but empty tables of ours, maybe half-defined: the
            # layers are made anew, the GeoPackage core tables are completed
            log.warning("completing a store left half-created (schema, no data)")
            rtrees = {f"rtree_{name}_geom" for name, layer in LAYERS.items() if layer.geometry}
            for table in sorted(leftovers & (set(LAYERS) | rtrees)):
                connection.execute(f'DROP TABLE IF EXISTS "{table}"')
        init_core(connection)
        for layer in LAYERS.values():
            if layer.geometry:
                add_feature_table(connection, layer.name, layer.geometry,
                                  columns_sql(layer.columns), layer.description)
            else:
                add_attributes_table(connection, layer.name, columns_sql(layer.columns),
                                     layer.description)
            for name, columns in layer.indexes:
                connection.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {layer.name}({columns})")
        _set_version(connection, SCHEMA_VERSION)
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise


def _set_version(connection: sqlite3.Connection, version: int) -> None:
    connection.execute(f"CREATE TABLE IF NOT EXISTS {META_TABLE} "
                       "(key TEXT PRIMARY KEY, value TEXT)")
    connection.execute(f"INSERT INTO {META_TABLE} VALUES ('schema_version', ?) ON CONFLICT(key) "
                       "DO UPDATE SET value = excluded.value", (str(version),))


def schema_version(connection: sqlite3.Connection) -> int:
    """The store's schema version; stores from before versions were recorded are version 1."""
    if META_TABLE not in _tables(connection):
        return 1
    row = connection.execute(f"SELECT value FROM {META_TABLE} WHERE key = 'schema_version'"
                             ).fetchone()
    return int(row[0]) if row else 1


def _migrate(connection: sqlite3.Connection, path: Path) -> None:
    version = schema_version(connection)
    if version == SCHEMA_VERSION and not migrations.missing_indexes(
            migrations.sqlite_indexes(connection)):
        return  # current: take no write lock, so opening never waits on an ingest
    if version > SCHEMA_VERSION:
        raise StoreError(f"{path} has store schema version {version}, newer than this "
                         f"program's {SCHEMA_VERSION}: upgrade the program")
    connection.execute("BEGIN IMMEDIATE")
    try:
        version = schema_version(connection)  # another process may have migrated meanwhile
        if version < SCHEMA_VERSION:
            log.info("upgrading store %s from schema %d to %d", path, version, SCHEMA_VERSION)
            migrations.upgrade(connection, version)
            _set_version(connection, SCHEMA_VERSION)
        migrations.create_indexes(connection, migrations.missing_indexes(
            migrations.sqlite_indexes(connection)))
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
