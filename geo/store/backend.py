"""The seam between the store's logic and the database that holds it.

The store's shared modules (ingest, corrections, query) speak portable SQL with `?` placeholders
through a `StoreBackend`; each backend turns that into its own driver's calls and stores the
geometries in its own way. The GeoPackage backend (geo/store/db.py) is the embedded default. A
second backend implements the same protocol and is chosen by the store location's form in
`open_backend` (a path for a GeoPackage, a URL with a scheme for a server).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pandas as pd
from shapely.geometry.base import BaseGeometry


@dataclass(frozen=True)
class Dialect:
    """The few SQL spellings that differ between backends."""

    greatest: str = "max"  # two-argument maximum of scalars
    char: str = "char"  # character from its code point
    # a statement that serialises merging incidents among concurrent writers (until the
    # transaction ends); None where there is only ever one writer (a GeoPackage)
    merge_lock: str | None = None


class Cursor(Protocol):
    rowcount: int

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list: ...


class StoreBackend(Protocol):
    """What a store backend provides. SQL given to it uses `?` placeholders."""

    location: str
    dialect: Dialect
    errors: tuple[type[BaseException], ...]  # the driver's database errors

    def transaction(self) -> AbstractContextManager[None]:
        """A write transaction: committed on exit, rolled back on an exception."""

    def savepoint(self) -> AbstractContextManager[None]:
        """Inside a transaction: undo only this block's writes when it raises."""

    def snapshot(self) -> AbstractContextManager[None]:
        """A read-only block whose reads all see one consistent state of the store."""

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor: ...

    def execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """The same statement once per row of parameters (a server gets them together)."""

    def fetch_each(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[list]:
        """The rows of each (sql, params) query, run in order; a server backend sends them
        together (one round trip: many small reads under the merge lock)."""

    def insert_rows(self, table: str, rows: Iterable[dict[str, Any]]) -> None:
        """Insert rows (column -> value; feature layers take a shapely geometry or None under
        "geom")."""

    def read_frame(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame: ...

    def decode_geometries(self, values: Sequence[Any]) -> list[BaseGeometry | None]: ...


    def version_token(self) -> tuple:
        """Changes whenever the store is written (the app's cache key)."""

    def close(self) -> None: ...


def is_server_location(location: str | Path) -> bool:
    """A URL with a scheme (postgresql://...) names a server; anything else is a file path."""
    return isinstance(location, str) and "://" in location


def open_backend(location: str | Path, pool: Any = None) -> StoreBackend:
    """The backend for a store location: a GeoPackage path, or a server URL."""
    if is_server_location(location):
        scheme = str(location).split("://", 1)[0].lower()
        if scheme in {"postgresql", "postgres"}:
            from geo.store.postgis import PostgisBackend

            return PostgisBackend(str(location), pool=pool)
        from geo.errors import StoreError

        raise StoreError(f"no store backend for {scheme}:// locations in this version "
                         "(use a .gpkg path)")
    from geo.store.db import GpkgBackend

    return GpkgBackend(Path(location))


# ids per IN (...) list for reads of many rows (the app's window): under SQLite's 32,766 and
# PostgreSQL's 65,535 parameters, and few statements for 20,000 ids
BULK_IDS = 10_000


def chunks(values: Sequence[Any], size: int = 500) -> Iterator[Sequence[Any]]:
    """Slices of at most `size` values, so IN (...) lists stay under driver limits."""
    for i in range(0, len(values), size):
        yield values[i:i + size]


def marks(count: int) -> str:
    return ",".join("?" * count)
