"""Local coherence (geo.resolve_local): readings of different names near each other support
each other. Pure unit tests on hand-made rows, then invented sentences on the real gazetteer."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.geoparse_index import PlaceRow
from geo.resolve_local import neighbours, same_name


def row(pid: int, name: str, lat: float, lon: float, level: str = "place", admin1: str = "") -> PlaceRow:
    return PlaceRow(pid, name, level, "PPL" if level == "place" else "ADM2", "US", admin1, admin1, "", 1000, lat, lon)


# two same-named towns in two states, and one county next to the second
SPRING_IL = row(1, "Springfield", 39.80, -89.64)
SPRING_MA = row(2, "Springfield", 42.10, -72.59)
HAMPDEN = row(3, "Hampden County", 42.14, -72.63, "admin2")


def test_the_reading_near_another_name_is_supported():
    got = neighbours({"springfield": [SPRING_IL, SPRING_MA], "hampden county": [HAMPDEN]}, 50.0)
    assert got == {"springfield": {2: "Hampden County"}}  # the county has no choice to make


def test_beyond_the_radius_nothing_is_supported():
    far = row(4, "Holyoke", 42.10 + 0.6, -72.59)  # ~67 km north
    assert neighbours({"springfield": [SPRING_IL, SPRING_MA], "holyoke": [far]}, 50.0) == {}
    assert neighbours({"springfield": [SPRING_IL, SPRING_MA], "holyoke": [far]}, 80.0) == {"springfield": {2: "Holyoke"}}


def test_longitude_degrees_shrink_with_latitude_and_wrap_at_the_antimeridian():
    # 0.8 degrees of longitude at 70 N is ~30 km; across the antimeridian as well
    north_a, north_b = row(5, "A", 70.0, 179.6), row(6, "A", 10.0, 0.0)
    north_c = row(7, "C", 70.0, -179.6)
    assert neighbours({"a": [north_a, north_b], "c": [north_c]}, 50.0) == {"a": {5: "C"}}


def test_a_state_or_country_reading_is_no_neighbour():
    state = row(8, "Massachusetts", 42.3, -72.0, "admin1")
    assert neighbours({"springfield": [SPRING_IL, SPRING_MA], "massachusetts": [state]}, 100.0) == {}


def test_one_name_does_not_vouch_for_itself():
    assert same_name("madison", "madison county") and same_name("madison county", "madison")
    assert not same_name("new york", "new haven") and not same_name("york", "new york")
    madison_a, madison_b = row(9, "Madison", 34.70, -86.75), row(10, "Madison", 33.6, -83.47)
    county_a = row(11, "Madison County", 34.76, -86.55, "admin2")
    assert neighbours({"madison": [madison_a, madison_b], "madison county": [county_a]}, 50.0) == {}


@pytest.fixture(scope="module")
def parse(real_gazetteer_dir):
    from geo.parse import parse as parse_text

    return lambda text: {m.surface: m for m in parse_text(text)}


def test_a_county_and_a_town_in_it_choose_each_other(parse):
    # either name alone is read in another state (the most populous namesake wins)
    alone = parse("Deputies arrested a man in Fayetteville on Tuesday.")
    assert alone["Fayetteville"].admin1_iso != "US-AR"
    got = parse("Washington County deputies arrested a man in Fayetteville on Tuesday.")
    assert got["Fayetteville"].admin1_iso == "US-AR" and got["Washington County"].admin1_iso == "US-AR"
    assert "near Washington County" in got["Fayetteville"].evidence
    got = parse("Deputies from Orange County were called to a fight in Hillsborough.")
    assert got["Orange County"].admin1_iso == got["Hillsborough"].admin1_iso == "US-NC"


def test_a_neighbour_vouches_for_a_small_town(parse):
    # a village (pop < 1,000) or a small town named like a person is kept beside a town near it
    assert parse("Floodwaters closed roads in Glenville on Monday.")["Glenville"].admin1_iso != "US-MN"
    got = parse("Floodwaters closed roads in Albert Lea and Glenville on Monday.")
    assert got["Glenville"].admin1_iso == "US-MN" and "pop 630" in got["Glenville"].evidence and "near Albert Lea" in got["Glenville"].evidence
    assert "Gordon" not in parse("A fire in Gordon damaged two barns on Sunday.")
    got = parse("A fire in Gordon damaged two barns, firefighters from Milledgeville said.")
    assert got["Gordon"].admin1_iso == "US-GA"


def test_a_name_a_neighbour_moved_to_another_state_votes_again(parse):
    # "Fayetteville" first votes for North Carolina (its biggest namesake); once its neighbour
    # places it in Arkansas, another name the text leaves open follows the new state
    got = parse("Washington County deputies arrested a man in Fayetteville on Tuesday. "
                "He was later taken to Jacksonville.")
    assert got["Jacksonville"].admin1_iso == "US-AR"
    assert parse("A man was later taken to Jacksonville.")["Jacksonville"].admin1_iso != "US-AR"


def test_a_country_name_is_the_town_beside_its_neighbour(parse):
    got = parse("Firefighters from Cuba and Olean battled the blaze on Main Street.")
    assert got["Cuba"].level == "place" and got["Cuba"].admin1_iso == "US-NY"
    assert "not the country" in got["Cuba"].evidence
    got = parse("Police in Peru arrested two men from Logansport on Friday.")
    assert got["Peru"].admin1_iso == "US-IN"
    # alone, or in a text naming another country, the name stays the country
    assert parse("Cuba said on Monday it would free 52 prisoners.")["Cuba"].level == "country"
    got = parse("Firefighters from Cuba and Olean battled the blaze. Venezuela sent condolences.")
    assert got["Cuba"].level == "country"
    # the town readings of a country's name vouch for no other name: "Mexico" is also a town in Maine
    got = parse("Tourists visit the hotel once owned by John Wayne in Mexico.")
    assert "Wayne" not in got and got["Mexico"].level == "country"


def _nearest_by_brute_force(readings, radius_km, unlikely):
    """Every pair, by great-circle distance: the reading of another name (not the same name)
    within radius_km, nearest first."""
    from geo.distance import haversine_km

    out = {}
    for name in readings.keys() | unlikely.keys():
        local = [r for r in (*readings.get(name, ()), *unlikely.get(name, ())) if r.level in ("place", "admin2")]
        if len(local) < 2:
            continue
        for r in local:
            near = [(haversine_km(r.lat, r.lon, o.lat, o.lon), o.name) for other, rows in readings.items()
                    if not same_name(name, other) for o in rows if o.level in ("place", "admin2")]
            near = [t for t in near if t[0] <= radius_km]
            if near:
                out.setdefault(name, {})[r.id] = min(near)[1]
    return out


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["ames", "ames county", "boone", "story", "nevada"]),
                          st.floats(40.0, 42.0), st.floats(-94.5, -92.5),
                          st.sampled_from(["place", "admin2", "admin1"])), max_size=24),
       st.floats(5.0, 80.0))
def test_neighbours_agree_with_every_pair_compared(spec, radius_km):
    """The latitude sweep finds what comparing every pair finds, away from the radius's edge
    (the sweep measures equirectangular distances, exact to a fraction of a percent here)."""
    readings: dict[str, list[PlaceRow]] = {}
    for i, (name, lat, lon, level) in enumerate(spec):
        readings.setdefault(name, []).append(row(i + 1, f"{name.title()} {i + 1}", lat, lon, level))
    got = neighbours(readings, radius_km)
    want = _nearest_by_brute_force(readings, radius_km, {})
    from geo.distance import haversine_km

    def on_edge(name, pid):  # a pair within 1% of the radius may fall either side
        r = next(r for r in readings[name] if r.id == pid)
        return any(abs(haversine_km(r.lat, r.lon, o.lat, o.lon) - radius_km) < 0.01 * radius_km
                   for other, rows in readings.items() if not same_name(name, other) for o in rows)
    for name in got.keys() | want.keys():
        ids = got.get(name, {}).keys() | want.get(name, {}).keys()
        assert {i for i in ids if not on_edge(name, i)} <= got.get(name, {}).keys() & want.get(name, {}).keys()


def test_local_readings_are_a_names_points_and_its_tried_readings():
    """One pass gives the name's points (its place and admin-2 readings, which vouch for other
    names), and its tried readings (those, then the unlikely ones, marked as not its own), or
    no tried readings where there is only one to choose."""
    import math

    from geo.resolve_local import local_readings

    state = row(20, "Ohio", 40.0, -83.0, "admin1")
    county = row(21, "Hampden County", 42.14, -72.63, "admin2")
    town = row(22, "Cuba", 42.22, -78.28)
    points, tried = local_readings("springfield", [SPRING_IL, state, SPRING_MA, county], [town, state])
    assert points == tuple((r.lat, r.lon, "springfield", r.name) for r in (SPRING_IL, SPRING_MA, county))
    assert tried == tuple((r.id, r.lat, r.lon, math.cos(math.radians(r.lat)), own)
                          for r, own in ((SPRING_IL, 1), (SPRING_MA, 1), (county, 1), (town, 0)))
    assert local_readings("springfield", [SPRING_IL, state]) == (((SPRING_IL.lat, SPRING_IL.lon, "springfield",
                                                                   "Springfield"),), ())
    assert local_readings("cuba", [], [town]) == ((), ())
