"""Admin join: spatial for points, by code for areas; geo_precision codes."""

from __future__ import annotations

from pathlib import Path

import pytest
import shapely
from incident_fixtures import PLACES, boundaries, mention_for

from geo.join import join_mentions
from geo.types import Mention


def test_points_are_joined_spatially_and_the_boundaries_win_over_codes() -> None:
    b = boundaries()
    townville = mention_for(PLACES[100], 0, 9, "Townville")
    # a place whose gazetteer codes say AA-S but whose point lies in BB-X
    misfiled = mention_for(PLACES[101], 10, 18, "Lakeside", lat=5.0, lon=15.0)
    joined = join_mentions([townville, misfiled], b)
    first, second = joined.iloc[0], joined.iloc[1]
    assert (first.adm0_iso3, first.adm0_name) == ("AAA", "Aland")
    assert (first.adm1_iso, first.adm1_name) == ("AA-N", "North")
    assert (first.adm2_code, first.adm2_name) == ("AA.01.001", "Upper County")
    assert first.geo_precision == 1 and first.geometry.geom_type == "Point"
    assert (second.adm0_iso3, second.adm1_iso, second.adm1_name) == ("BBB", "BB-X", "Xo")
    assert joined.crs.to_epsg() == 4326


def test_points_outside_every_polygon_fall_back_to_their_codes() -> None:
    offshore = mention_for(PLACES[101], 0, 8, "Lakeside", lat=-3.0, lon=8.0)
    row = join_mentions([offshore], boundaries()).iloc[0]
    assert (row.adm0_iso3, row.adm1_iso, row.adm1_name) == ("AAA", "AA-S", "South")


def test_area_mentions_take_codes_and_polygons() -> None:
    south = mention_for(PLACES[12], 0, 5, "South")
    country = mention_for(PLACES[2], 6, 11, "Bland")
    joined = join_mentions([south, country], boundaries())
    south_row, country_row = joined.iloc[0], joined.iloc[1]
    assert (south_row.adm1_iso, south_row.adm1_name, south_row.geo_precision) == ("AA-S", "South", 3)
    assert south_row.geometry.geom_type == "Polygon" and len(south_row.geometry.interiors) == 1
    assert (country_row.adm0_iso3, country_row.adm0_name, country_row.geo_precision) == \
        ("BBB", "Bland", 4)
    assert country_row.adm1_iso is None
    assert country_row.geometry.equals(shapely.box(10, 0, 20, 10))


def test_derived_region_keeps_its_geometry_and_admin1_code() -> None:
    region = shapely.box(0, 0, 10, 2.5)
    southern = mention_for(PLACES[12], 0, 14, "southern South", kind="modified_region",
                           precision="subregion", modifier="southern",
                           geometry_wkt=region.wkt)
    row = join_mentions([southern], boundaries()).iloc[0]
    assert row.geometry.equals(region)
    assert (row.adm1_iso, row.geo_precision) == ("AA-S", 3)


def test_unresolved_mentions_stay_without_geometry() -> None:
    joined = join_mentions([Mention(0, 4, "Zorb")], boundaries())
    assert joined.geometry.iloc[0] is None
    assert joined["geo_precision"].isna().iloc[0]
    assert len(join_mentions([], boundaries())) == 0


def test_real_boundaries(real_gazetteer_dir: Path) -> None:
    """Points in Hermosillo and Los Angeles, Sonora as an area, Mexico as a country."""
    from geo.gazetteer import load_gazetteer

    gazetteer = load_gazetteer()
    sonora = gazetteer.lookup("Sonora", country="MX", level="admin1")[0]
    mexico = gazetteer.lookup("Mexico", level="country")[0]
    mentions = [
        Mention(0, 10, "Hermosillo", place_id=1, level="place", lat=29.07, lon=-110.96,
                precision="place"),
        Mention(11, 22, "Los Angeles", place_id=2, level="place", lat=34.05, lon=-118.24,
                precision="place"),
        Mention(23, 29, "Sonora", place_id=sonora.id, level="admin1", country="MX",
                country_iso3="MEX", admin1_iso=sonora.admin1_iso, admin1_code=sonora.admin1_code,
                lat=sonora.lat, lon=sonora.lon, precision="admin1"),
        Mention(30, 36, "Mexico", place_id=mexico.id, level="country", country="MX",
                country_iso3="MEX", lat=mexico.lat, lon=mexico.lon, precision="country"),
    ]
    joined = join_mentions(mentions)
    hermosillo, los_angeles, area, country = (joined.iloc[i] for i in range(4))
    assert (hermosillo.adm0_iso3, hermosillo.adm1_iso, hermosillo.adm1_name) == \
        ("MEX", "MX-SON", "Sonora")
    assert (los_angeles.adm0_iso3, los_angeles.adm1_iso) == ("USA", "US-CA")
    assert los_angeles.adm2_name and "Los Angeles" in los_angeles.adm2_name
    assert area.geometry.geom_type in {"Polygon", "MultiPolygon"}
    assert area.geometry.contains(shapely.Point(-110.96, 29.07))
    assert (area.adm1_iso, area.geo_precision) == ("MX-SON", 3)
    assert (country.adm0_name, country.geo_precision) == ("Mexico", 4)
    assert country.geometry.contains(shapely.Point(-102.0, 23.0))


@pytest.mark.slow
def test_real_join_is_vectorised_over_many_points(real_gazetteer_dir: Path) -> None:
    """10,000 random points join in one call and every land point in Mexico gets MEX."""
    import numpy as np

    rng = np.random.default_rng(0)
    lons, lats = rng.uniform(-106, -100, 10_000), rng.uniform(20, 26, 10_000)
    mentions = [Mention(0, 1, "x", place_id=1, level="place", lat=float(y), lon=float(x),
                        precision="place") for x, y in zip(lons, lats, strict=True)]
    joined = join_mentions(mentions)
    assert (joined["adm0_iso3"] == "MEX").mean() > 0.95
    assert joined["adm1_iso"].str.startswith("MX-").mean() > 0.95


def test_admin2_names_outside_boundaries_come_from_the_gazetteer(real_gazetteer_dir: Path) -> None:
    """Culiacán (Mexico) has no adm2 polygon layer, but its municipality is named."""
    from geo.gazetteer import load_gazetteer

    place = load_gazetteer().lookup("Culiacán", country="MX", level="place")[0]
    mention = Mention(0, 8, "Culiacán", place_id=place.id, level="place", country="MX",
                      admin1_code=place.admin1_code, admin2_code=place.admin2_code,
                      lat=place.lat, lon=place.lon, precision="place")
    row = join_mentions([mention]).iloc[0]
    assert row.adm1_iso == "MX-SIN"
    assert row.adm2_code == place.admin2_code and row.adm2_name


def test_units_whose_codes_have_no_boundary_take_the_containing_one(real_gazetteer_dir: Path) -> None:
    """GeoNames and Natural Earth disagree for some units: Kenya's counties (GeoNames admin-1)
    lie inside NE's provinces, and Mayotte is a GeoNames country NE maps as part of France."""
    from geo.gazetteer import load_gazetteer

    gazetteer = load_gazetteer()
    mentions = []
    for i, (name, country) in enumerate((("Kisumu", "KE"), ("Nyeri", "KE"), ("Mamoudzou", "YT"))):
        unit = gazetteer.lookup(name, country=country, level="admin1")[0]
        mentions.append(Mention(i * 20, i * 20 + len(name), name, place_id=unit.id, level="admin1",
                                country=unit.country, admin1_iso=unit.admin1_iso, admin1_code=unit.admin1_code,
                                lat=unit.lat, lon=unit.lon, precision="admin1"))
    joined = join_mentions(mentions)
    kisumu, nyeri, mamoudzou = joined.to_dict("records")
    for row in (kisumu, nyeri):
        assert row["adm0_iso3"] == "KEN" and row["adm0_name"] == "Kenya"
        assert row["adm1_name"], row  # a named unit, not None
    assert mamoudzou["adm0_iso3"] == "FRA" and mamoudzou["adm0_name"] == "France"
    assert mamoudzou["adm1_name"] == "Mayotte"
    # the stored shape is never the larger containing unit
    assert all(g.geom_type == "Point" for g in joined.geometry)
