"""An offline geopy geocoder over the local gazetteer and boundaries.

    >>> from geo.geocoder import OfflineGeocoder
    >>> g = OfflineGeocoder()
    >>> g.geocode("Culiacan")            # geopy.location.Location
    >>> g.reverse((24.80, -107.39))      # Culiacán, Sinaloa, Mexico

Usable wherever an analyst uses Nominatim today (geopy's RateLimiter, geopandas.tools.geocode).
"""

from __future__ import annotations

import math

import numpy as np
import shapely
from geopy.geocoders.base import Geocoder
from geopy.location import Location
from geopy.point import Point

from geo.boundaries import load_boundaries
from geo.distance import haversine_km_array
from geo.gazetteer import Gazetteer, load_gazetteer
from geo.types import Place


class OfflineGeocoder(Geocoder):
    """geocode()/reverse() from the built gazetteer; no network, no API key."""

    def __init__(self, gazetteer: Gazetteer | None = None, *, max_place_km: float = 50.0):
        super().__init__(scheme="https", timeout=1, user_agent="geo-incident-mapper")
        self._gazetteer = gazetteer
        self.max_place_km = max_place_km
        self._places_index = None

    @property
    def gazetteer(self) -> Gazetteer:
        if self._gazetteer is None:
            self._gazetteer = load_gazetteer()
        return self._gazetteer

    def geocode(self, query: str, *, exactly_one: bool = True, country: str | None = None,
                level: str | None = None, fuzzy: bool = True, limit: int = 10):
        """Places for a name, best first; None when nothing matches (as geopy does)."""
        places = self.gazetteer.lookup(query or "", country=country, level=level, fuzzy=fuzzy,
                                       limit=1 if exactly_one else limit)
        if not places:
            return None
        locations = [self._location(p) for p in places]
        return locations[0] if exactly_one else locations

    def reverse(self, query, *, exactly_one: bool = True):
        """The admin units containing a point and the nearest populated place within
        max_place_km. A point outside every country (the open sea) gives None."""
        pt = Point(query)
        lat, lon = pt.latitude, pt.longitude
        geom = shapely.Point(lon, lat)
        adm0 = _containing(load_boundaries("adm0"), geom)
        if adm0 is None:
            return None
        adm1 = _containing(load_boundaries("adm1"), geom)
        adm2 = _containing(load_boundaries("adm2"), geom)
        place = self._nearest_place(lat, lon, adm0["iso2"])
        parts = [p for p in (
            place.name if place else None,
            adm2["name"] if adm2 is not None else None,
            adm1["name"] if adm1 is not None else None,
            adm0["name"],
        ) if p]
        raw = {
            "place": place.to_dict() if place else None,
            "adm0": {"iso2": adm0["iso2"], "iso3": adm0["iso3"], "name": adm0["name"]},
            "adm1": None if adm1 is None else {"admin1_iso": adm1["admin1_iso"],
                                               "admin1_code": adm1["admin1_code"], "name": adm1["name"]},
            "adm2": None if adm2 is None else {"admin2_code": adm2["admin2_code"], "name": adm2["name"]},
        }
        loc = Location(", ".join(dict.fromkeys(parts)), (lat, lon), raw)
        return loc if exactly_one else [loc]

    def _nearest_place(self, lat: float, lon: float, country: str) -> Place | None:
        con = self.gazetteer.connection
        # a bounding box first (indexed by level/country), then exact great-circle distance
        dlat = self.max_place_km / 111.0
        dlon = dlat / max(math.cos(math.radians(lat)), 0.05)
        rows = con.execute(
            "SELECT id, lat, lon FROM places WHERE level='place' AND country=? "
            "AND lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?",
            (country, lat - dlat, lat + dlat, lon - dlon, lon + dlon)).fetchall()
        if not rows:
            return None
        arr = np.array(rows, dtype=float)
        d = haversine_km_array(lat, lon, arr[:, 1], arr[:, 2])
        i = int(np.argmin(d))
        return self.gazetteer.get(int(arr[i, 0])) if d[i] <= self.max_place_km else None

    def _location(self, p: Place) -> Location:
        where = ", ".join(x for x in (p.name, p.admin1_iso, p.country) if x)
        return Location(where, (p.lat, p.lon), p.to_dict())


def _containing(gdf, geom):
    idx = gdf.sindex.query(geom, predicate="intersects")
    if len(idx) == 0:
        return None
    return gdf.iloc[int(idx[0])]


