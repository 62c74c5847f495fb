"""Macro-regions and supranational unions as areas, on the real gazetteer and boundaries."""

from __future__ import annotations

import pytest
from shapely import wkt

from geo import macroregions


@pytest.fixture(scope="module")
def parse(real_gazetteer_dir):
    from geo.parse import parse as parse_text

    return lambda text: {m.surface: m for m in parse_text(text)}


def test_definitions_are_generated_from_m49_regions():
    regions = macroregions.macroregions()
    assert {"KE", "ET", "TZ"} <= set(regions["east africa"].members)
    assert "NG" in regions["west africa"].members and "NG" not in regions["east africa"].members
    assert len(regions["european union"].members) == 27 and "GB" not in regions["european union"].members
    assert regions["european union"].kind == regions["african union"].kind == "union"
    assert macroregions.lookup("EU") is regions["european union"]


def test_unions_are_their_own_kind_with_the_members_as_area(parse):
    got = parse("EU ministers met African Union envoys in Brussels on Monday.")
    eu, au = got["EU"], got["African Union"]
    assert eu.kind == au.kind == "supranational"
    assert eu.precision == "country" and eu.geo_precision == 4
    area = wkt.loads(eu.geometry_wkt)
    assert area.contains(wkt.loads("POINT (2.35 48.86)"))  # Paris
    assert not area.contains(wkt.loads("POINT (-0.13 51.51)"))  # London: not a member
    assert wkt.loads(au.geometry_wkt).contains(wkt.loads("POINT (36.82 -1.29)"))  # Nairobi
    assert got["Brussels"].kind == "toponym"


def test_macro_regions_are_drawn_as_areas(parse):
    got = parse("Aid agencies warned of drought across West Africa and the Middle East.")
    west = wkt.loads(got["West Africa"].geometry_wkt)
    assert got["West Africa"].kind == "toponym" and got["West Africa"].precision == "country"
    assert west.contains(wkt.loads("POINT (-1.52 12.37)"))  # Ouagadougou
    assert not west.contains(wkt.loads("POINT (36.82 -1.29)"))  # Nairobi
    assert wkt.loads(got["Middle East"].geometry_wkt).contains(wkt.loads("POINT (44.37 33.31)"))  # Baghdad


def test_joined_mentions_keep_the_area(parse, real_gazetteer_dir):
    from geo.join import join_mentions

    m = parse("The EU agreed new sanctions.")["EU"]
    frame = join_mentions([m])
    assert frame.geometry.iloc[0].geom_type in ("Polygon", "MultiPolygon")
    assert int(frame["geo_precision"].iloc[0]) == 4


def test_outlines_are_kept_in_a_file_for_later_processes(real_gazetteer_dir, tmp_path, monkeypatch):
    """The merged outline is written beside the boundaries and read back as it was merged;
    a damaged file or another layer (a changed stamp) is merged afresh."""
    import json

    from geo import paths

    layer = paths.simplified_boundaries_path()
    members = macroregions.lookup("West Africa").members
    store = tmp_path / "areas.json"
    merged = macroregions._merged(str(layer), members)
    monkeypatch.setattr(macroregions, "_STORED", {})
    assert macroregions.stored_area(layer, members, store) == merged
    assert json.loads(store.read_text(encoding="utf-8"))["areas"][" ".join(members)] == list(merged)

    def no_merge(*_args):
        raise AssertionError("merged again")

    monkeypatch.setattr(macroregions, "_STORED", {})  # a new process: only the file
    monkeypatch.setattr(macroregions, "_merged", no_merge)
    assert macroregions.stored_area(layer, members, store) == merged

    monkeypatch.undo()
    monkeypatch.setattr(macroregions, "_STORED", {})
    store.write_text("{damaged", encoding="utf-8")
    assert macroregions.stored_area(layer, members, store) == merged
    other = tmp_path / "other.gpkg"  # the same polygons in another file: another stamp
    other.write_bytes(layer.read_bytes())
    content = json.loads(store.read_text(encoding="utf-8"))
    assert macroregions.stored_area(other, members, store) == merged
    assert json.loads(store.read_text(encoding="utf-8"))["stamp"] != content["stamp"]
