"""The offline geopy geocoder on the real gazetteer and boundaries."""

from __future__ import annotations

import pytest
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from geo.distance import haversine_km
from geo.geocoder import OfflineGeocoder


@pytest.fixture(scope="module")
def geocoder(real_gazetteer_dir):
    return OfflineGeocoder()


def test_is_a_geopy_geocoder(geocoder):
    assert isinstance(geocoder, Geocoder)
    loc = geocoder.geocode("Culiacan")
    assert isinstance(loc, Location)
    assert loc.raw["admin1_iso"] == "MX-SIN"
    assert haversine_km(loc.latitude, loc.longitude, 24.80, -107.39) < 10


def test_geocode_many_and_nothing(geocoder):
    many = geocoder.geocode("Springfield", exactly_one=False, limit=5)
    assert len(many) == 5 and len({loc.raw["id"] for loc in many}) == 5
    assert geocoder.geocode("zzqxv-not-a-place", fuzzy=False) is None
    assert geocoder.geocode("") is None


def test_reverse_culiacan(geocoder):
    loc = geocoder.reverse((24.80, -107.39))
    assert loc.address == "Culiacán, Sinaloa, Mexico"
    assert loc.raw["adm0"]["iso3"] == "MEX" and loc.raw["adm1"]["admin1_iso"] == "MX-SIN"


def test_reverse_us_county(geocoder):
    loc = geocoder.reverse("34.05, -118.25")  # geopy accepts strings too
    assert loc.raw["adm1"]["admin1_iso"] == "US-CA"
    assert loc.raw["adm2"]["name"] == "Los Angeles"


def test_reverse_french_department(geocoder):
    loc = geocoder.reverse((45.76, 4.84))  # Lyon
    assert loc.raw["adm1"]["admin1_iso"] == "FR-ARA"
    assert loc.raw["adm2"] is not None and loc.raw["adm2"]["name"] == "Rhône"


@pytest.mark.parametrize("point", [(0.0, -140.0), (30.0, -40.0), (-50.0, 80.0)])
def test_reverse_in_the_sea_returns_nothing(geocoder, point):
    assert geocoder.reverse(point) is None
