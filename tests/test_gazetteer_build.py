"""The build itself: no-op when up to date, never half-replaced, user GeoNames dumps."""

from __future__ import annotations

import json
import sqlite3

import pytest

from geo import build as gbuild
from geo.build import tables
from geo.gazetteer import Gazetteer

ROWS = [
    # id, name, ascii, alternates, lat, lon, class, code, cc, cc2, a1, a2, a3, a4, pop, ...
    ["900001", "Villa Prueba", "Villa Prueba", "Prueba,Villa de Prueba", "24.5", "-107.5", "P", "PPL",
     "MX", "", "25", "006", "", "", "1234", "", "10", "America/Mazatlan", "2024-01-01"],
    ["900002", "Ciudad Ficticia", "Ciudad Ficticia", "", "29.1", "-110.9", "P", "PPLA2",
     "MX", "", "26", "", "", "", "55000", "", "200", "America/Hermosillo", "2024-01-01"],
    ["900003", "Sinaloa State", "Sinaloa State", "", "25.0", "-107.5", "A", "ADM1",
     "MX", "", "25", "", "", "", "0", "", "0", "America/Mazatlan", "2024-01-01"],
    ["900004", "A River", "A River", "", "25.0", "-107.5", "H", "STM",
     "MX", "", "25", "", "", "", "0", "", "0", "America/Mazatlan", "2024-01-01"],
]


@pytest.fixture()
def dump_dir(tmp_path):
    d = tmp_path / "geonames"
    d.mkdir()
    (d / "cities500.txt").write_text("\n".join("\t".join(r) for r in ROWS) + "\n", encoding="utf-8")
    return d


def test_reads_official_geonames_format(dump_dir):
    df = tables.read_geonames_places(dump_dir / "cities500.txt")
    assert list(df["id"]) == [900001, 900002, 900003, 900004]
    places = tables.places_table(df, {"MX": "MEX"}, {"MX.25": "MX-SIN"})
    assert set(places["id"]) == {900001, 900002}  # feature class P only
    row = places.set_index("id").loc[900001]
    assert row["admin1_iso"] == "MX-SIN" and row["admin2_code"] == "MX.25.006"
    assert "Villa de Prueba" in row["alt_names"].split("|")


def test_latin_filter_drops_other_scripts():
    s = tables.latin_names(__import__("pandas").Series(["Culiacán|Кульякан|クリアカン|12|Cln"]))
    assert list(s) == ["Culiacán", "Cln"]


@pytest.mark.slow
def test_build_from_user_dump_then_noop(dump_dir, tmp_path):
    out = tmp_path / "gaz"
    logs: list[str] = []
    manifest = gbuild.build_gazetteer(out_dir=out, geonames_dir=dump_dir, use_cache=False, log=logs.append)
    assert manifest["geonames_dump"] == str(dump_dir)
    g = Gazetteer(out / "gazetteer.sqlite")
    hit = g.lookup("Villa de Prueba")[0]
    assert hit.id == 900001 and hit.admin1_iso == "MX-SIN"
    assert g.lookup("Guadalajara", level="place") == []  # packaged places replaced by the dump
    assert g.lookup("Sonora")[0].admin1_iso == "MX-SON"  # admin units still there
    # a second build with nothing changed is a no-op and says so
    logs.clear()
    again = gbuild.build_gazetteer(out_dir=out, geonames_dir=dump_dir, use_cache=False, log=logs.append)
    assert again["build_id"] == manifest["build_id"] and "up to date" in logs[0]


def test_failed_build_keeps_the_good_one(tmp_path, monkeypatch):
    out = tmp_path / "gaz"
    out.mkdir()
    for f in gbuild.OUTPUT_FILES:
        (out / f).write_text("{}" if f.endswith(".json") else "good")
    (out / "manifest.json").write_text(json.dumps({"build_id": "old"}))

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    import geo.build.pipeline as pipeline

    monkeypatch.setattr(pipeline, "build_into", explode)
    with pytest.raises(RuntimeError, match="disk full"):
        gbuild.build_gazetteer(out_dir=out, use_cache=False, log=lambda *_: None)
    assert json.loads((out / "manifest.json").read_text())["build_id"] == "old"
    assert (out / "gazetteer.sqlite").read_text() == "good"
    assert not list(tmp_path.glob(".gaz-tmp-*"))


def test_real_build_is_current(real_gazetteer_dir):
    m = gbuild.current_build(real_gazetteer_dir)
    assert m is not None and m["build_id"] == gbuild.build_id()
    con = sqlite3.connect(real_gazetteer_dir / "gazetteer.sqlite")
    assert con.execute("SELECT value FROM meta WHERE key='build_id'").fetchone()[0] == m["build_id"]


def _country(iso2: str, geom, lat: float, lon: float):
    import geopandas as gpd
    import pandas as pd
    adm0 = gpd.GeoDataFrame({"iso2": [iso2]}, geometry=[geom], crs="EPSG:4326")
    return adm0, pd.DataFrame({"country": [iso2], "lat": [lat], "lon": [lon]})


def test_country_point_is_the_main_part_centre_when_the_reference_agrees():
    from shapely.geometry import box

    from geo.build.polygons import country_points
    # a compact 10x10 degree country; the reference point 1.5 degrees (~200 km) off its centre
    adm0, ref = _country("AA", box(0, 0, 10, 10), 6.5, 6.0)
    pt = country_points(adm0, ref).iloc[0]
    assert abs(pt.lat - 5.0) < 0.2 and abs(pt.lon - 5.0) < 0.2


def test_country_point_keeps_the_reference_when_the_centroid_is_no_centre():
    from shapely.geometry import MultiPolygon, box

    from geo.build.polygons import country_points
    # an archipelago: its largest island's centre is far from the country's curated centre
    islands = MultiPolygon([box(0, 0, 4, 4), box(10, 0, 13, 3), box(20, 0, 23, 3)])
    adm0, ref = _country("BB", islands, 1.5, 11.5)
    pt = country_points(adm0, ref).iloc[0]
    assert (pt.lat, pt.lon) == (1.5, 11.5)
    # a reference point off the territory (a bad point) is replaced by the centre
    adm0, ref = _country("CC", box(0, 0, 10, 10), 30.0, 30.0)
    pt = country_points(adm0, ref).iloc[0]
    assert abs(pt.lat - 5.0) < 0.2 and abs(pt.lon - 5.0) < 0.2


def test_country_point_keeps_the_reference_when_the_centroid_depends_on_the_map():
    from shapely.geometry import box

    from geo.build.polygons import centroid_spread_km, country_points
    # a territory spanning 150 degrees of longitude in high latitudes: its centroid moves by
    # thousands of km between equal-area maps, so even a reference point ~150 km from it is kept
    wide = box(30, 45, 180, 75)
    adm0, ref = _country("DD", wide, 58.0, 103.0)
    assert centroid_spread_km(adm0)["DD"] > 1000
    pt = country_points(adm0, ref).iloc[0]
    assert (pt.lat, pt.lon) == (58.0, 103.0)
    # a compact country's centroid hardly depends on the map
    adm0, _ = _country("AA", box(0, 0, 10, 10), 6.5, 6.0)
    assert centroid_spread_km(adm0)["AA"] < 10


def test_real_country_points_lie_on_their_country(real_gazetteer_dir):
    import geopandas as gpd
    con = sqlite3.connect(real_gazetteer_dir / "gazetteer.sqlite")
    pts = dict(((c, (lat, lon)) for c, lat, lon in con.execute(
        "SELECT country, lat, lon FROM places WHERE level = 'country'")))
    adm0 = gpd.read_file(real_gazetteer_dir / "boundaries.gpkg", layer="adm0").set_index("iso2")
    shared = [c for c in adm0.index if c in pts]
    assert len(shared) > 200
    points = gpd.GeoSeries(gpd.points_from_xy([pts[c][1] for c in shared], [pts[c][0] for c in shared]),
                           index=shared, crs="EPSG:4326").to_crs("EPSG:6933")
    far = points.distance(adm0.loc[shared].geometry.to_crs("EPSG:6933")) > 50_000
    assert not far.any(), list(far[far].index)
