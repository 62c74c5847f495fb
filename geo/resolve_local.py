"""Local coherence: readings of different names that lie near each other support each other.

A local story names places close together ("Walker County" and "Huntsville", "Mansfield" and
"Arlington"): of the many same-named towns, the ones that sit near a likely reading of
another name in the document are the likelier ones. Pure: readings in, supported place ids out.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from operator import itemgetter

from geo.distance import EARTH_RADIUS_KM
from geo.geoparse_index import PlaceRow

LOCAL_LEVELS = ("place", "admin2")  # a country or a state's point says nothing about nearness


def same_name(a: str, b: str) -> bool:
    """"Madison" and "Madison County", "DeKalb" and "DeKalb County" are one name (one begins
    with the other): their readings lie together in every state that has both, so they must
    not vouch for each other."""
    return a == b or b.startswith(a + " ") or a.startswith(b + " ")


def neighbours(readings: dict[str, list[PlaceRow]], radius_km: float,
               unlikely: dict[str, list[PlaceRow]] | None = None) -> dict[str, dict[int, str]]:
    """For each name with more than one reading, its readings within radius_km of a reading
    of another name (see same_name); `unlikely` readings (a country's name read as a town)
    are tried as well but vouch for no other name: {name: {place id: the nearest such
    neighbour's name}}. Only place and admin-2 readings count, on both sides. Distances are
    equirectangular: exact enough at a few tens of km (and with a few dozen readings per
    document a sweep by latitude is cheap)."""
    points: list[tuple[float, str, PlaceRow]] = []  # (lat, name, row)
    for name, rows in readings.items():
        points += [(r.lat, name, r) for r in rows if r.level in LOCAL_LEVELS]
    if not points:
        return {}
    points.sort(key=itemgetter(0))
    lats = [p[0] for p in points]
    lons = [p[2].lon for p in points]
    unlikely = unlikely or {}
    names = readings.keys() | unlikely.keys()
    number = {name: i for i, name in enumerate(names)}
    of_name = [number[p[1]] for p in points]
    reach = math.degrees(radius_km / EARTH_RADIUS_KM)  # the radius in degrees of latitude
    limit = reach * reach
    out: dict[str, dict[int, str]] = {}
    for name in names:
        local = [r for r in (*readings.get(name, ()), *unlikely.get(name, ())) if r.level in LOCAL_LEVELS]
        if len(local) < 2:
            continue  # nothing to choose between
        # by name number: that name's readings may not vouch for this one's (see same_name)
        spaced = name + " "
        barred = [other == name or other.startswith(spaced) or name.startswith(other + " ") for other in names]
        if all(barred):
            continue
        for row in local:
            lat = row.lat
            best, best_d2, shrink = -1, limit, 0.0
            for j in range(bisect_left(lats, lat - reach), bisect_right(lats, lat + reach)):
                if barred[of_name[j]]:
                    continue
                if not shrink:  # a degree of longitude, in degrees of latitude (positive below the poles)
                    shrink, lon = math.cos(math.radians(lat)), row.lon
                dlon = abs(lons[j] - lon)
                if dlon > 180.0:
                    dlon = 360.0 - dlon  # across the antimeridian
                dlon *= shrink
                d2 = dlon * dlon + (lats[j] - lat) ** 2
                if d2 <= best_d2:
                    best, best_d2 = j, d2
            if best >= 0:
                out.setdefault(name, {})[row.id] = points[best][2].name
    return out
