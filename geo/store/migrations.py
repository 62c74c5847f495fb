"""Upgrades of stores written by earlier versions, run in place inside one transaction.

Columns added to a layer's declaration (geo/store/schema.py) are added to older stores
automatically; a change that is more than a new column gets a step in `STEPS`, keyed by the
version it upgrades from. Each step runs on a DB-API connection whose SQL uses `?` placeholders.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from geo.store.schema import LAYERS, SCHEMA_VERSION

# version -> the step that brings a store of that version to version + 1 (beyond new columns)
STEPS: dict[int, Callable[[Any], None]] = {}


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
