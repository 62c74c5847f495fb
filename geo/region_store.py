"""Derived regions ("southern X") of every boundary, cut once per boundary file.

A new "southern X" costs about a millisecond in a warmed process (reading the polygon,
GEOS's overlay, writing its WKT), each time a process meets it first. `geo gazetteer build`
cuts every place of the simplified boundary layers with every modifier once, with the function
the parser uses (`regions.derived_from`), and stores the results beside the boundary file; a
process then reads one record per new "southern X". A missing or stale store (another boundary
file, another version of the cutting code or of GEOS) is not read: regions are cut as they come.

File layout: 8 bytes of header length, a JSON header (stamp, count), the keys (int64, sorted:
place id * 64 + layer * 16 + modifier), the record offsets (int64, count + 1), then per key
zlib(marshal((WKT, lat, lon))).
"""

from __future__ import annotations

import hashlib
import json
import logging
import marshal
import os
import sqlite3
import tempfile
import zlib
from array import array
from bisect import bisect_left
from functools import lru_cache
from pathlib import Path

import shapely
import shapely.errors

from geo import regions

log = logging.getLogger(__name__)

STORE_VERSION = 1
_LAYERS = tuple(sorted(set(regions.LAYER_FOR_LEVEL.values())))  # layer -> its number in a key
_MODIFIERS = tuple(sorted(regions.DIRECTIONS))
MISSING = object()  # no store to ask


def store_path(boundary_path: str) -> Path:
    return Path(f"{os.path.splitext(boundary_path)[0]}.derived-regions.bin")


def _key(place_id: int, layer: str, modifier: str) -> int:
    return int(place_id) * 64 + _LAYERS.index(layer) * 16 + _MODIFIERS.index(modifier)


def _stamp(size: int, mtime_ns: int) -> str:
    """What the stored cuts depend on: the boundary file, the cutting code and GEOS."""
    code = hashlib.sha256(Path(regions.__file__).read_bytes() + Path(__file__).read_bytes())
    return (f"v{STORE_VERSION}:{size}:{mtime_ns}:{code.hexdigest()[:12]}:"
            f"shapely {shapely.__version__} GEOS {shapely.geos_version_string}")


def build_store(boundary_path: str, places: dict[str, list[int]] | None = None) -> Path:
    """Cut every place of each layer (or the given places per layer) with every modifier and
    write the store beside the boundary file (written whole, then renamed in)."""
    stat = os.stat(boundary_path)
    keyed: list[tuple[int, bytes]] = []
    for layer in _LAYERS:
        fids = regions.first_features(boundary_path, layer)
        for place_id in (places.get(layer, []) if places is not None else fids):
            fid = fids.get(place_id)
            geom = None if fid is None else regions.feature_geometry(boundary_path, layer, fid)
            for modifier in _MODIFIERS:
                value = regions.derived_from(geom, modifier)
                if value is not None:
                    keyed.append((_key(place_id, layer, modifier), zlib.compress(marshal.dumps(value), 1)))
    keyed.sort()
    offsets = array("q", [0])
    for _, record in keyed:
        offsets.append(offsets[-1] + len(record))
    header = json.dumps({"stamp": _stamp(stat.st_size, stat.st_mtime_ns), "count": len(keyed),
                         "places": None if places is None else places}).encode()
    target = store_path(boundary_path)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".tmp")  # one per writer
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(len(header).to_bytes(8, "little"))
            f.write(header)
            f.write(array("q", [k for k, _ in keyed]).tobytes())
            f.write(offsets.tobytes())
            for _, record in keyed:
                f.write(record)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def ensure_store(boundary_path: str) -> Path | None:
    """Build the store if it is missing or stale (`geo gazetteer build` calls this); None when
    there is no boundary file."""
    if not os.path.exists(boundary_path):
        return None
    stat = os.stat(boundary_path)
    store = _Store.open(boundary_path, stat.st_mtime_ns, stat.st_size)
    if store is not None and not store.partial:
        return store_path(boundary_path)
    try:
        return build_store(boundary_path)
    except (sqlite3.Error, OSError, ValueError, KeyError, shapely.errors.GEOSException) as exc:
        # a layer that cannot be read: no store, and regions are cut as they come (and warned about)
        log.warning("derived regions not stored for %s: %s", boundary_path, exc)
        return None


class _Store:
    """An open store: its keys and offsets in memory, the records read by offset."""

    def __init__(self, fd: int, keys: array, offsets: array, base: int, partial: bool) -> None:
        self._fd, self._keys, self._offsets, self._base, self.partial = fd, keys, offsets, base, partial

    @classmethod
    def open(cls, boundary_path: str, mtime_ns: int, size: int) -> _Store | None:
        try:
            fd = os.open(store_path(boundary_path), os.O_RDONLY)
        except OSError:
            return None
        try:
            n = int.from_bytes(os.pread(fd, 8, 0), "little")
            header = json.loads(os.pread(fd, n, 8))
            if header.get("stamp") != _stamp(size, mtime_ns):
                raise ValueError("stale")
            count = int(header["count"])
            keys, offsets = array("q"), array("q")
            keys.frombytes(os.pread(fd, 8 * count, 8 + n))
            offsets.frombytes(os.pread(fd, 8 * (count + 1), 8 + n + 8 * count))
            if len(keys) != count or len(offsets) != count + 1:
                raise ValueError("truncated")
        except (OSError, ValueError, KeyError, TypeError):
            os.close(fd)
            return None
        return cls(fd, keys, offsets, 8 + n + 8 * (2 * count + 1), header.get("places") is not None)

    def get(self, key: int) -> tuple[str, float, float] | None:
        i = bisect_left(self._keys, key)
        if i == len(self._keys) or self._keys[i] != key:
            return None  # no such place in the layer, or nothing to cut: derive_region says None too
        a, b = self._offsets[i], self._offsets[i + 1]
        return marshal.loads(zlib.decompress(os.pread(self._fd, b - a, self._base + a)))

    def __del__(self) -> None:
        os.close(self._fd)


@lru_cache(maxsize=4)
def _open(boundary_path: str, mtime_ns: int, size: int) -> _Store | None:
    store = _Store.open(boundary_path, mtime_ns, size)
    return None if store is None or store.partial else store


def stored_region(place_id: int, level: str, modifier: str) -> tuple[str, float, float] | None | object:
    """derive_region(place_id, level, modifier) from the store of the boundary file it reads,
    or MISSING when there is no usable store (then the region is cut as it comes)."""
    layer = regions.LAYER_FOR_LEVEL.get(level)
    if layer is None or modifier not in regions.DIRECTIONS:
        return None
    from geo import paths

    path = regions.boundary_files(os.environ.get(paths.GAZETTEER_DIR_VAR))[0]  # the simplified file
    try:
        stat = os.stat(path)
    except OSError:
        return MISSING  # derive_region reads the full file then
    store = _open(path, stat.st_mtime_ns, stat.st_size)
    return MISSING if store is None else store.get(_key(place_id, layer, modifier))
