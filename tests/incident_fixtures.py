"""Small hand-made boundaries, places and a keyword parser for the incident pipeline unit tests.

Two countries side by side: Aland (AA/AAA, x 0..10) split into North (AA-N, y 5..10) and South
(AA-S, y 0..5, with a lake hole), and Bland (BB/BBB, x 10..20) with one admin-1 (BB-X).
"""

from __future__ import annotations

import re
from datetime import date

import geopandas as gpd
import shapely

from geo.join import AdminBoundaries
from geo.types import Mention, Place

SOUTH = shapely.Polygon(
    [(0, 0), (0, 5), (10, 5), (10, 0)],  # clockwise on purpose: exports must re-orient
    holes=[[(4, 1), (6, 1), (6, 2), (4, 2)]],
)


def boundaries() -> AdminBoundaries:
    adm0 = gpd.GeoDataFrame(
        {"iso2": ["AA", "BB"], "iso3": ["AAA", "BBB"], "name": ["Aland", "Bland"],
         "place_id": [1, 2]},
        geometry=[shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)], crs="EPSG:4326")
    adm1 = gpd.GeoDataFrame(
        {"iso2": ["AA", "AA", "BB"], "iso3": ["AAA", "AAA", "BBB"],
         "admin1_code": ["AA.01", "AA.02", "BB.01"], "admin1_iso": ["AA-N", "AA-S", "BB-X"],
         "name": ["North", "South", "Xo"], "place_id": [11, 12, 21]},
        geometry=[shapely.box(0, 5, 10, 10), SOUTH, shapely.box(10, 0, 20, 10)],
        crs="EPSG:4326")
    adm2 = gpd.GeoDataFrame(
        {"admin2_code": ["AA.01.001"], "fips": ["00001"], "name": ["Upper County"],
         "iso2": ["AA"], "admin1_iso": ["AA-N"], "place_id": [111]},
        geometry=[shapely.box(0, 8, 5, 10)], crs="EPSG:4326")
    return AdminBoundaries(adm0, adm1, adm2)


PLACES: dict[int, Place] = {
    100: Place(100, "Townville", "place", "P", "PPL", "AA", "AAA", "AA.01", "AA-N", "AA.01.001",
               5000, 9.0, 3.0),
    101: Place(101, "Lakeside", "place", "P", "PPL", "AA", "AAA", "AA.02", "AA-S", None,
               800, 3.0, 8.0),
    102: Place(102, "Borderton", "place", "P", "PPL", "BB", "BBB", "BB.01", "BB-X", None,
               1200, 5.0, 15.0),
    12: Place(12, "South", "admin1", "A", "ADM1", "AA", "AAA", "AA.02", "AA-S", None,
              0, 2.5, 5.0),
    1: Place(1, "Aland", "country", "A", "PCLI", "AA", "AAA", None, None, None, 0, 5.0, 5.0),
    2: Place(2, "Bland", "country", "A", "PCLI", "BB", "BBB", None, None, None, 0, 5.0, 15.0),
}
PRECISION = {"place": "place", "admin1": "admin1", "country": "country"}


def mention_for(place: Place, start: int, end: int, surface: str, **extra: object) -> Mention:
    fields = dict(place_id=place.id, name=place.name, level=place.level, country=place.country,
                  country_iso3=place.country_iso3, admin1_iso=place.admin1_iso,
                  admin1_code=place.admin1_code, admin2_code=place.admin2_code, lat=place.lat,
                  lon=place.lon, precision=PRECISION[place.level], confidence=0.9)
    fields.update(extra)
    return Mention(start, end, surface, **fields)


def keyword_parser(text: str, published: date | None) -> list[Mention]:
    """Finds the fixture place names; 'X Army' is organisation-embedded, 'Alandic' a demonym."""
    out = []
    for place in PLACES.values():
        for match in re.finditer(rf"\b{place.name}\b", text, re.I):
            kind = "org_embedded" if text[match.end():match.end() + 5] == " Army" else "toponym"
            out.append(mention_for(place, match.start(), match.end(), match.group(0), kind=kind))
    for match in re.finditer(r"\bAlandic\b", text):
        out.append(mention_for(PLACES[1], match.start(), match.end(), match.group(0),
                               kind="demonym"))
    return sorted(out, key=lambda m: m.start)


SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")


def rings(geometry: dict) -> list[tuple[list, list]]:
    """(outer ring, holes) of every polygon in a GeoJSON geometry."""
    if geometry["type"] == "Polygon":
        return [(geometry["coordinates"][0], geometry["coordinates"][1:])]
    if geometry["type"] == "MultiPolygon":
        return [(p[0], p[1:]) for p in geometry["coordinates"]]
    return []


def positions(coords: object) -> list[list[float]]:
    if isinstance(coords[0], int | float):
        return [coords]
    return [p for c in coords for p in positions(c)]


def assert_rfc7946(collection: dict) -> None:
    assert collection["type"] == "FeatureCollection"
    assert "crs" not in collection
    ids = [f["id"] for f in collection["features"]]
    assert len(set(ids)) == len(ids) and all(isinstance(i, str) and i for i in ids)
    for feature in collection["features"]:
        assert feature["type"] == "Feature" and "crs" not in feature
        for key, value in feature["properties"].items():
            assert SNAKE.match(key), key
            assert not isinstance(value, dict | list), (key, value)  # flat properties
        geometry = feature["geometry"]
        if geometry is None:
            continue
        for lon, lat in positions(geometry["coordinates"]):
            assert -180 <= lon <= 180 and -90 <= lat <= 90
            for value in (lon, lat):
                assert round(value, 6) == value
        for outer, holes in rings(geometry):
            assert shapely.LinearRing(outer).is_ccw  # RFC 7946 3.1.6: exterior CCW
            assert all(not shapely.LinearRing(h).is_ccw for h in holes)
