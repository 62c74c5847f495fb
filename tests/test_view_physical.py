"""Basemap rivers and lakes: TopoJSON reading, and the real Natural Earth files `geo assets` writes."""

from __future__ import annotations

import json

import pytest
from shapely.geometry import Point, shape

from geo.build.sources import load_sources
from geo.view.basemap import BASEMAP_DIR
from geo.view.physical import (
    SOURCE_KEY,
    SOURCES_FILE,
    feature_collection,
    read_layer,
)

# two arcs on a quantised grid (scale 0.5, shifted by (10, 20)), delta-coded as TopoJSON stores them
TOPOLOGY = {
    "type": "Topology",
    "transform": {"scale": [0.5, 0.5], "translate": [10, 20]},
    "arcs": [[[0, 0], [4, 0], [0, 4]], [[4, 4], [-4, 0], [0, -4]]],
    "objects": {
        "lake": {"type": "GeometryCollection", "geometries": [{"type": "Polygon", "arcs": [[0, 1]]}]},
        "river": {"type": "GeometryCollection", "geometries": [
            {"type": "LineString", "arcs": [~1]}, {"type": "Point", "coordinates": [1, 1]}]},
    },
}


def test_arcs_are_dequantised_and_joined_into_lines_and_rings(tmp_path):
    path = tmp_path / "topology.json"
    path.write_text(json.dumps(TOPOLOGY))
    (lake,) = read_layer(path, "lake")
    assert lake.geom_type == "Polygon" and lake.area == pytest.approx(4.0)  # a 2 x 2 square
    assert {(10.0, 20.0), (12.0, 20.0), (12.0, 22.0)} <= set(lake.exterior.coords)  # arc 0, dequantised
    (river,) = read_layer(path, "river")  # the point is skipped
    assert list(river.coords) == [(10.0, 20.0), (10.0, 22.0), (12.0, 22.0)]  # arc 1, reversed
    lakes = feature_collection(read_layer(path, "lake"), "Polygon")
    assert [f["geometry"]["type"] for f in lakes["features"]] == ["Polygon"]
    assert feature_collection(read_layer(path, "lake"), "LineString")["features"] == []


def test_the_source_is_pinned_with_its_licence():
    (source,) = [s for s in load_sources(SOURCES_FILE) if s.key == SOURCE_KEY]
    assert source.registry == "npm" and source.version == "4.0.0" and len(source.sha256) == 64
    assert "Natural Earth" in source.attribution and "MIT" in source.licence


def test_real_rivers_and_lakes():
    files = {name: BASEMAP_DIR / f"{name}.geojson" for name in ("rivers", "lakes")}
    if not all(p.is_file() for p in files.values()):
        pytest.skip("no basemap rivers and lakes: run `geo assets` (make setup)")
    rivers = json.loads(files["rivers"].read_text())["features"]
    lakes = json.loads(files["lakes"].read_text())["features"]
    assert len(rivers) > 300 and {f["geometry"]["type"] for f in rivers} == {"LineString"}
    assert len(lakes) > 100 and {f["geometry"]["type"] for f in lakes} == {"Polygon"}
    # Lake Victoria holds a point in its middle; the Nile runs north through Egypt near 31° E
    assert any(shape(f["geometry"]).contains(Point(33.0, -1.0)) for f in lakes)
    assert any(shape(f["geometry"]).distance(Point(31.2, 27.0)) < 0.3 for f in rivers)
    assert files["rivers"].stat().st_size + files["lakes"].stat().st_size < 1_000_000  # light enough to serve
