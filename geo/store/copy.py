"""`geo store copy SRC DST`: move a store between backends (GeoPackage <-> PostGIS) losing
nothing, and the per-layer checksums that prove it.

Rows are read in fid order in pages and written through the destination backend (COPY on
PostGIS), one transaction for the whole copy: a copy that fails leaves the destination empty.
The checksum of a layer covers every declared column and the geometry (as ISO WKB), row by row
in fid order, so two stores with the same checksums hold the same data in the same order.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import shapely

from geo.errors import StoreError
from geo.store.backend import StoreBackend
from geo.store.schema import LAYERS, Layer

PAGE = 5000


@dataclass
class LayerSummary:
    rows: int
    checksum: str


def _pages(backend: StoreBackend, layer: Layer) -> Iterator[list[dict]]:
    """The layer's rows (column -> value, shapely geometry under "geom"), in fid order."""
    columns = (["geom"] if layer.geometry else []) + layer.column_names
    select = ", ".join(["fid", *(f'"{c}"' for c in columns)])
    last = 0
    while True:
        rows = backend.execute(f'SELECT {select} FROM "{layer.name}" WHERE fid > ? '
                               f"ORDER BY fid LIMIT {PAGE}", (last,)).fetchall()
        if not rows:
            return
        last = rows[-1][0]
        page = [dict(zip(columns, row[1:], strict=True)) for row in rows]
        if layer.geometry:
            shapes = backend.decode_geometries([r["geom"] for r in page])
            for row, shape in zip(page, shapes, strict=True):
                row["geom"] = shape
        yield page


def _value_bytes(value: object) -> bytes:
    """A type-tagged, exact encoding of one value (1 and 1.0 differ, None is not '')."""
    if value is None:
        return b"N"
    if isinstance(value, bool):
        return b"B1" if value else b"B0"
    if isinstance(value, int):
        return b"I" + str(value).encode()
    if isinstance(value, float):
        return b"F" + struct.pack("<d", value)
    if isinstance(value, bytes | memoryview):
        return b"X" + bytes(value)
    return b"S" + str(value).encode("utf-8", "surrogatepass")


def _geometry_bytes(shape: object) -> bytes:
    if shape is None:
        return b"N"
    return b"G" + shapely.to_wkb(shape, byte_order=1, flavor="iso", output_dimension=2)


def summarize(backend: StoreBackend,
              progress: Callable[[str, int], None] | None = None) -> dict[str, LayerSummary]:
    """Row count and checksum of every layer."""
    out = {}
    for layer in LAYERS.values():
        digest, count = hashlib.sha256(), 0
        for page in _pages(backend, layer):
            for row in page:
                for column, value in row.items():
                    digest.update(_geometry_bytes(value) if column == "geom"
                                  else _value_bytes(value))
                    digest.update(b"\x1f")
                digest.update(b"\x1e")
            count += len(page)
            if progress:
                progress(layer.name, count)
        out[layer.name] = LayerSummary(count, digest.hexdigest())
    return out


def _row_count(backend: StoreBackend, layer: str) -> int:
    return int(backend.execute(f'SELECT count(*) FROM "{layer}"').fetchone()[0])


def copy_store(source: StoreBackend, destination: StoreBackend,
               progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Copy every layer of `source` into the empty store `destination` (one transaction).
    Returns the rows copied per layer."""
    if source.location == destination.location:
        raise StoreError("source and destination are the same store")
    filled = [name for name in LAYERS if _row_count(destination, name)]
    if filled:
        raise StoreError(f"{destination.location} is not empty ({', '.join(filled)} hold rows): "
                         "copy into a new store")
    copied: dict[str, int] = {}
    with destination.transaction():
        # parents first (mentions and incidents reference articles)
        for layer in LAYERS.values():
            count = 0
            for page in _pages(source, layer):
                destination.insert_rows(layer.name, page)
                count += len(page)
                if progress:
                    progress(layer.name, count)
            copied[layer.name] = count
    return copied
