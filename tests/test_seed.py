"""The seed article yields exactly the places in seed_expected.json (real gazetteer)."""

from __future__ import annotations

import pytest
from shapely import wkt
from shapely.geometry import Point

from geo.regions import region_geometry


@pytest.fixture(scope="module")
def seed_mentions(seed_article, real_gazetteer_dir):
    from geo.parse import parse

    raw, expected = seed_article
    return raw, expected, parse(raw, expected.get("published"))


def expected_spans(expected: dict) -> dict[tuple[int, int], dict]:
    out = {}
    for place in expected["places"]:
        for start, end in place["spans"]:
            out[(start, end)] = place
    return out


def test_exactly_the_expected_spans(seed_mentions):
    raw, expected, mentions = seed_mentions
    got = {(m.start, m.end) for m in mentions}
    assert got == set(expected_spans(expected)), [(m.surface, m.start, m.kind) for m in mentions]
    for m in mentions:
        assert raw[m.start:m.end] == m.surface


def test_codes_levels_and_kinds(seed_mentions):
    raw, expected, mentions = seed_mentions
    by_span = {(m.start, m.end): m for m in mentions}
    for span, place in expected_spans(expected).items():
        m = by_span[span]
        assert m.country == place["country"], (m.surface, m.country)
        assert m.level == place["level"], (m.surface, m.level)
        if "admin1_iso" in place:
            assert m.admin1_iso == place["admin1_iso"], (m.surface, m.admin1_iso)
        if place.get("kind") == "demonym":
            assert m.kind == "demonym"
        elif place["name"] == "Sinaloa":
            assert m.kind == "org_embedded"  # every occurrence is inside "Sinaloa Cartel"
        elif place.get("modifier"):
            assert m.kind == "modified_region" and m.modifier == place["modifier"]
        else:
            assert m.kind == "toponym", (m.surface, m.kind)
        assert m.lat is not None and m.lon is not None and m.evidence


def test_nothing_for_people_agencies_and_dates(seed_mentions):
    raw, expected, mentions = seed_mentions
    surfaces = {m.surface for m in mentions}
    for name in expected["must_not_resolve"]:
        assert not any(name in s for s in surfaces), name
    assert {m.country for m in mentions} <= set(expected["countries_allowed"])


def test_southern_california_lies_in_the_south(seed_mentions):
    raw, expected, mentions = seed_mentions
    (m,) = [m for m in mentions if m.kind == "modified_region"]
    assert m.precision == "subregion" and m.geometry_wkt
    state = region_geometry(m.place_id, "admin1")
    part = wkt.loads(m.geometry_wkt)
    minx, miny, maxx, maxy = state.bounds
    mid = (miny + maxy) / 2
    assert part.bounds[3] <= mid + 1e-4  # nothing north of the middle latitude (WKT rounds to 1e-5)
    assert m.lat < mid and part.buffer(1e-4).contains(Point(m.lon, m.lat))
    assert state.buffer(0.01).contains(part)
    assert part.area > 0.3 * state.area  # a real half, not a sliver
