"""Derived regions cut once per boundary file (geo.region_store): the stored cuts are what
derive_region cuts, and a store that does not fit the boundary file is not read."""

from __future__ import annotations

import os
import shutil

import pytest

from geo import paths, region_store, regions
from geo.region_store import MISSING, build_store, store_path, stored_region
from geo.regions import DIRECTIONS, LAYER_FOR_LEVEL, derive_region


def test_stored_regions_are_the_cut_regions(real_gazetteer_dir):
    """`geo gazetteer build` (make test runs it) stores every place of each layer with every
    modifier; a sample of each layer, and what has no boundary, reads back as derive_region
    cuts it."""
    boundary = str(paths.simplified_boundaries_path())
    assert store_path(boundary).exists(), "no derived-region store: run `geo gazetteer build` (make test does)"
    for level, layer in LAYER_FOR_LEVEL.items():
        ids = sorted(regions.first_features(boundary, layer))
        for place_id in ids[:: max(1, len(ids) // 15)]:
            for modifier in DIRECTIONS:
                stored = stored_region(place_id, level, modifier)
                assert stored is not MISSING
                assert stored == derive_region(place_id, level, modifier)
    assert stored_region(123456789012, "admin1", "southern") is None  # no such boundary
    assert stored_region(5332921, "place", "southern") is None  # towns have no boundary layer
    assert stored_region(5332921, "admin1", "upside-down") is None


def test_a_store_that_does_not_fit_is_not_read(real_gazetteer_dir, tmp_path, monkeypatch):
    """A store of some places only (as tests build them) is never read for the rest; a store of
    another version of the boundary file, or a damaged one, is not read: regions are cut as
    they come (MISSING)."""
    real = paths.simplified_boundaries_path()
    boundary = tmp_path / "boundaries_simplified.gpkg"
    shutil.copy(real, boundary)
    monkeypatch.setenv(paths.GAZETTEER_DIR_VAR, str(tmp_path))
    regions.boundary_files.cache_clear()
    region_store._open.cache_clear()
    ids = sorted(regions.first_features(str(boundary), "adm1"))[:3]
    build_store(str(boundary), {"adm1": ids})
    st = os.stat(boundary)
    partial = region_store._Store.open(str(boundary), st.st_mtime_ns, st.st_size)
    assert partial is not None and partial.partial
    for place_id in ids:
        for modifier in DIRECTIONS:
            expected = regions.derived_from(regions.feature_geometry(
                str(boundary), "adm1", regions.first_features(str(boundary), "adm1")[place_id]), modifier)
            assert partial.get(region_store._key(place_id, "adm1", modifier)) == expected
    assert stored_region(ids[0], "admin1", "southern") is MISSING  # partial: not for the parser

    shutil.copy(store_path(str(real)), store_path(str(boundary)))
    region_store._open.cache_clear()
    os.utime(boundary, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))  # another version of the file
    assert stored_region(ids[0], "admin1", "southern") is MISSING
    os.utime(boundary, ns=(st.st_atime_ns, os.stat(real).st_mtime_ns))  # the file the store was cut from
    region_store._open.cache_clear()
    assert stored_region(ids[0], "admin1", "southern") == derive_region(ids[0], "admin1", "southern")

    store_path(str(boundary)).write_bytes(b"\x05\x00\x00\x00\x00\x00\x00\x00{not json")
    region_store._open.cache_clear()
    assert stored_region(ids[0], "admin1", "southern") is MISSING
    regions.boundary_files.cache_clear()
    region_store._open.cache_clear()


@pytest.fixture(autouse=True)
def _fresh_caches():
    yield
    regions.boundary_files.cache_clear()
    region_store._open.cache_clear()


def test_ensure_store_keeps_a_fitting_store_and_survives_an_unreadable_file(real_gazetteer_dir, tmp_path):
    """`geo gazetteer build` asks again and again: a store that fits is kept as it is; a boundary
    file whose layers cannot be read leaves no store (regions are cut as they come) and no error."""
    from geo.region_store import ensure_store

    real = str(paths.simplified_boundaries_path())
    before = store_path(real).stat().st_mtime_ns
    assert ensure_store(real) == store_path(real) and store_path(real).stat().st_mtime_ns == before
    broken = tmp_path / "boundaries_simplified.gpkg"
    broken.write_bytes(b"not a GeoPackage" * 100)
    assert ensure_store(str(broken)) is None and not store_path(str(broken)).exists()
    assert ensure_store(str(tmp_path / "missing.gpkg")) is None
