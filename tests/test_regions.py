"""Directional modifiers -> derived geometry (pure shapes, then the real boundaries)."""

from __future__ import annotations

import pytest
from shapely import wkt
from shapely.geometry import MultiPolygon, Point, box

from geo.regions import (
    DIRECTIONS,
    base_span,
    derive_region,
    directional_box,
    directional_part,
    largest_part,
    region_geometry,
)


def test_southern_half_of_a_box():
    part = directional_part(box(0, 0, 10, 10), "southern")
    assert part.bounds == pytest.approx((0, 0, 10, 5))
    assert part.area == pytest.approx(50)


def test_quadrants_and_centre():
    square = box(0, 0, 8, 8)
    assert directional_part(square, "north-east").bounds == pytest.approx((4, 4, 8, 8))
    assert directional_part(square, "south-west").bounds == pytest.approx((0, 0, 4, 4))
    assert directional_part(square, "western").bounds == pytest.approx((0, 0, 4, 8))
    assert directional_part(square, "central").bounds == pytest.approx((2, 2, 6, 6))


def test_middle_comes_from_the_largest_part():
    # a big mainland plus a far-north island: "southern" is judged on the mainland only
    shape = MultiPolygon([box(0, 0, 10, 10), box(0, 50, 1, 51)])
    part = directional_part(shape, "southern")
    assert part.bounds[3] == pytest.approx(5)


def test_the_largest_part_is_the_first_of_equals():
    shape = MultiPolygon([box(0, 0, 1, 1), box(5, 5, 7, 7), box(10, 10, 12, 12), box(20, 20, 20.5, 20.5)])
    assert largest_part(shape).equals_exact(box(5, 5, 7, 7), 0)
    assert largest_part(box(0, 0, 1, 1)).equals_exact(box(0, 0, 1, 1), 0)


def test_a_cut_keeps_only_polygons():
    # the small square only touches the cut line: the intersection holds a line beside the polygon
    shape = MultiPolygon([box(0, 0, 10, 10), box(20, 0, 21, 5)])
    part = directional_part(shape, "northern")
    assert part.geom_type == "MultiPolygon"
    assert [g.area for g in part.geoms] == pytest.approx([50])


def test_unknown_modifier_is_an_error():
    with pytest.raises(ValueError, match="unknown modifier"):
        directional_part(box(0, 0, 1, 1), "upside-down")


def test_base_span_strips_the_modifier():
    assert base_span(10, 29, "southern California") == (19, 29)
    assert base_span(0, 17, "north-east Mexico") == (11, 17)
    assert base_span(0, 6, "Mexico") == (0, 6)


@pytest.mark.parametrize("modifier", sorted(DIRECTIONS))
def test_real_boundaries_every_modifier(real_gazetteer_dir, modifier):
    from geo.gazetteer import Gazetteer

    (texas,) = [p for p in Gazetteer().lookup("Texas", level="admin1") if p.country == "US"][:1]
    derived = derive_region(texas.id, "admin1", modifier)
    assert derived is not None
    geometry, lat, lon = derived
    part, whole = wkt.loads(geometry), region_geometry(texas.id, "admin1")
    assert whole.buffer(0.01).contains(part)
    assert part.buffer(1e-4).contains(Point(lon, lat))
    assert 0.1 * whole.area < part.area < 0.75 * whole.area


def test_a_cut_is_the_polygons_of_the_intersection_on_real_boundaries(real_gazetteer_dir):
    """directional_part takes a polygon or multipolygon cut as it comes (no split into parts and
    rebuild): the same multipolygon, to the bytes of its WKB, as keeping every polygonal part of the
    intersection (the whole region when it has none), for places of each layer and every
    modifier."""
    import sqlite3

    import shapely

    from geo import paths
    from geo.regions import LAYER_FOR_LEVEL

    def polygons_of(geom, whole):  # none: the whole region
        pieces = shapely.get_parts(geom)
        kinds = shapely.get_type_id(pieces)
        polys = pieces[(kinds == shapely.GeometryType.POLYGON) | (kinds == shapely.GeometryType.MULTIPOLYGON)]
        return shapely.multipolygons(shapely.get_parts(polys)) if len(polys) else whole

    con = sqlite3.connect(f"file:{paths.simplified_boundaries_path()}?mode=ro", uri=True)
    try:
        cuts = 0
        for level, layer in LAYER_FOR_LEVEL.items():
            ids = [r[0] for r in con.execute(f"SELECT DISTINCT place_id FROM {layer} WHERE place_id IS NOT NULL")]
            for place_id in ids[:: max(1, len(ids) // 25)]:
                whole = region_geometry(place_id, level)
                for modifier in DIRECTIONS:
                    expected = polygons_of(whole.intersection(box(*directional_box(whole, modifier))), whole)
                    part = directional_part(whole, modifier)
                    assert shapely.to_wkb(part) == shapely.to_wkb(expected)
                    cuts += 1
        assert cuts > 500
    finally:
        con.close()


def test_a_place_boundary_is_its_first_feature_in_the_layer(real_gazetteer_dir):
    """region_geometry finds a place's polygon through a per-layer place -> feature map: the
    same polygon as asking the layer by place id for its first feature, for every place of
    each layer, and none for an id no feature has."""
    import sqlite3

    from geo import paths
    from geo.regions import LAYER_FOR_LEVEL, gpkg_geometry

    path = paths.simplified_boundaries_path()
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        for level, layer in LAYER_FOR_LEVEL.items():
            ids = [r[0] for r in con.execute(f"SELECT DISTINCT place_id FROM {layer} WHERE place_id IS NOT NULL")]
            assert ids
            for place_id in ids[:: max(1, len(ids) // 40)]:
                (blob,) = con.execute(f"SELECT geom FROM {layer} WHERE place_id = ? ORDER BY fid LIMIT 1",
                                      (place_id,)).fetchone()
                assert region_geometry(place_id, level).equals_exact(gpkg_geometry(blob), 0)
            assert region_geometry(-123456789, level) is None
    finally:
        con.close()


def test_first_features_are_stored_beside_the_boundaries(real_gazetteer_dir, tmp_path, monkeypatch):
    """The place -> first feature maps are read from the layers once per boundary file and
    stored beside it: a later process reads the same maps from there (kept as tuples, which
    garbage collection leaves out); a damaged store, or one of another version of the file, is
    read from the layers again; a read-only folder still works."""
    import gc
    import os
    import shutil
    import sqlite3

    from geo import paths
    from geo import regions as regions_module
    from geo.regions import LAYER_FOR_LEVEL, _first_fids, _stored_first_fids

    path = tmp_path / "boundaries_simplified.gpkg"
    shutil.copy(paths.simplified_boundaries_path(), path)
    store = tmp_path / "boundaries_simplified.first-features.json"
    con = sqlite3.connect(path)
    try:
        expected = {layer: {} for layer in LAYER_FOR_LEVEL.values()}
        for layer, first in expected.items():
            for place_id, fid in con.execute(f"SELECT place_id, fid FROM {layer} WHERE place_id IS NOT NULL ORDER BY fid"):
                first.setdefault(place_id, fid)
    finally:
        con.close()

    def maps() -> dict:
        _first_fids.cache_clear()
        _stored_first_fids.cache_clear()  # as in a new process
        st = os.stat(path)
        return {layer: _first_fids(str(path), layer, st.st_mtime_ns, st.st_size) for layer in expected}

    assert maps() == expected and store.exists()  # read from the layers, then stored
    written = store.read_text()
    assert maps() == expected and store.read_text() == written  # read from the store
    st = os.stat(path)
    kept = _stored_first_fids(str(store), f"v{regions_module.FIRST_FIDS_VERSION}:{st.st_size}:{st.st_mtime_ns}")
    gc.collect()  # the columns kept for the process's life are left out of garbage collection
    assert sorted(kept["layers"]) == sorted(expected)
    assert not any(gc.is_tracked(column) for columns in kept["layers"].values() for column in columns)
    store.write_text('{"stamp": "v1:0:0", "layers": {"adm1": [[1], [2]]}}')  # another file's
    assert maps() == expected
    store.write_text("{not json")
    assert maps() == expected and store.read_text() == written
    store.unlink()

    def read_only(target, value):
        raise PermissionError(f"read-only: {target}")

    monkeypatch.setattr(regions_module, "write_json_atomic", read_only)
    assert maps() == expected and not store.exists()
    _first_fids.cache_clear()
    _stored_first_fids.cache_clear()


def test_boundaries_read_from_worker_threads(real_gazetteer_dir):
    """Geometry reads share one kept read-only connection per boundary file (a new one reads
    the GeoPackage's schema first: 0.7 ms a read); threads (a Dask worker's) read through it
    the same polygons as one thread does, and nothing is lost to "SQLite objects created in a
    thread can only be used in that same thread"."""
    import sqlite3
    from concurrent.futures import ThreadPoolExecutor

    from geo import paths
    from geo.regions import _geometry_from

    path = paths.simplified_boundaries_path()
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        ids = [r[0] for r in con.execute("SELECT DISTINCT place_id FROM adm1 WHERE place_id IS NOT NULL")][:400]
    finally:
        con.close()
    _geometry_from.cache_clear()
    with ThreadPoolExecutor(4) as pool:
        threaded = list(pool.map(lambda pid: region_geometry(pid, "admin1"), ids))
    _geometry_from.cache_clear()
    alone = [region_geometry(pid, "admin1") for pid in ids]
    assert all(g is not None for g in threaded)
    assert all(a.equals_exact(b, 0) for a, b in zip(threaded, alone, strict=True))
