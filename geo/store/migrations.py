"""Upgrades of stores written by earlier versions, run in place inside one transaction.

Columns added to a layer's declaration (geo/store/schema.py) are added to older stores
automatically; a change that is more than a new column gets a step in `STEPS`, keyed by the
version it upgrades from. Each step runs on a DB-API connection whose SQL uses `?` placeholders.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from geo.store.schema import LAYERS, SCHEMA_VERSION

REBUILD_FLAG = "incidents_rebuild"  # store_meta key: incidents must be derived again


def _create_layer(connection: Any, name: str) -> None:
    from geo.store.gpkg import add_attributes_table, add_feature_table
    from geo.store.schema import columns_sql

    layer = LAYERS[name]
    if layer.geometry:
        add_feature_table(connection, name, layer.geometry, columns_sql(layer.columns),
                          layer.description)
    else:
        add_attributes_table(connection, name, columns_sql(layer.columns), layer.description)
    for index, columns in layer.indexes:
        connection.execute(f"CREATE INDEX IF NOT EXISTS {index} ON {name}({columns})")


def _incidents_are_events(connection: Any) -> None:
    """Version 2 -> 3: incidents become events (one row per event, not per article), with
    the link table `article_incidents` and the merge index `event_keys`. Incidents are derived
    data: the old table (one row per article, article_id UNIQUE) is replaced by an empty one
    and the store is flagged so that opening it derives the incidents again from the stored
    articles and mentions (geo.store.events.rebuild)."""
    connection.execute('DROP TABLE IF EXISTS "incidents"')
    if isinstance(connection, sqlite3.Connection):  # a GeoPackage: its registry and R-tree
        connection.execute('DROP TABLE IF EXISTS "rtree_incidents_geom"')
        for table in ("gpkg_extensions", "gpkg_geometry_columns", "gpkg_contents"):
            connection.execute(f"DELETE FROM {table} WHERE table_name = 'incidents'")
        for name in ("incidents", "article_incidents", "event_keys"):
            _create_layer(connection, name)
    # (a server backend creates the missing layers from the declarations after the steps)
    connection.execute("CREATE TABLE IF NOT EXISTS store_meta (key TEXT PRIMARY KEY, value TEXT)")
    connection.execute("INSERT INTO store_meta VALUES (?, '1') ON CONFLICT (key) DO UPDATE "
                       "SET value = excluded.value", (REBUILD_FLAG,))


def _event_corrections(connection: Any) -> None:
    """Version 3 -> 4: the `event_corrections` layer (analyst corrections of incidents)."""
    if isinstance(connection, sqlite3.Connection):
        _create_layer(connection, "event_corrections")
    # (a server backend creates the missing layers from the declarations after the steps)


# version -> the step that brings a store of that version to version + 1 (beyond new columns)
STEPS: dict[int, Callable[[Any], None]] = {2: _incidents_are_events, 3: _event_corrections}


def add_missing_columns(connection: Any, existing: dict[str, set[str]]) -> list[str]:
    """ALTER TABLE ... ADD COLUMN for every declared column a table lacks (constraints such
    as NOT NULL or UNIQUE cannot be added this way: a declared column that needs them comes
    with a step of its own). Returns "table.column" for each column added."""
    added = []
    for layer in LAYERS.values():
        have = existing.get(layer.name)
        if have is None:
            continue
        for name, kind in layer.columns:
            if name not in have:
                base_type = kind.split()[0]
                connection.execute(f'ALTER TABLE {layer.name} ADD COLUMN "{name}" {base_type}')
                added.append(f"{layer.name}.{name}")
    return added


def missing_indexes(existing: set[str]) -> list[tuple[str, str, str]]:
    """(index, table, columns) of every declared index not among `existing` index names.
    Indexes hold no data of their own, so adding one needs no version step: a store that
    lacks one (written before it was declared) gets it when it is opened."""
    return [(index, layer.name, columns) for layer in LAYERS.values()
            for index, columns in layer.indexes if index not in existing]


def create_indexes(connection: Any, missing: list[tuple[str, str, str]]) -> None:
    for index, table, columns in missing:
        connection.execute(f'CREATE INDEX IF NOT EXISTS "{index}" ON "{table}" ({columns})')


def sqlite_indexes(connection: Any) -> set[str]:
    return {r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}


def sqlite_columns(connection: Any) -> dict[str, set[str]]:
    return {layer: {r[1] for r in connection.execute(f'PRAGMA table_info("{layer}")')}
            for layer in LAYERS}


def upgrade(connection: Any, version: int, columns: Callable[[Any], dict[str, set[str]]]
            = sqlite_columns) -> None:
    """Bring a store from `version` to SCHEMA_VERSION (inside the caller's transaction)."""
    for step_from in range(version, SCHEMA_VERSION):
        if step := STEPS.get(step_from):
            step(connection)
    add_missing_columns(connection, columns(connection))
