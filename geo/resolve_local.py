"""Local coherence: readings of different names that lie near each other support each other.

A local story names places close together ("Walker County" and "Huntsville", "Mansfield" and
"Arlington"): of the many same-named towns, the ones that sit near a likely reading of
another name in the document are the likelier ones. Pure: readings in, supported place ids out.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right

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
    points: list[tuple[float, float, str, PlaceRow]] = []  # (lat, lon, name, row)
    for name, rows in readings.items():
        points += [(r.lat, r.lon, name, r) for r in rows if r.level in LOCAL_LEVELS]
    if not points:
        return {}
    points.sort(key=lambda p: p[0])
    lats = [p[0] for p in points]
    reach = math.degrees(radius_km / EARTH_RADIUS_KM)  # the radius in degrees of latitude
    limit = reach * reach
    out: dict[str, dict[int, str]] = {}
    unlikely = unlikely or {}
    for name in readings.keys() | unlikely.keys():
        local = [r for r in (*readings.get(name, ()), *unlikely.get(name, ())) if r.level in LOCAL_LEVELS]
        if len(local) < 2:
            continue  # nothing to choose between
        for row in local:
            lat, lon = row.lat, row.lon
            shrink = math.cos(math.radians(lat))  # a degree of longitude, in degrees of latitude
            best, best_d2 = None, limit
            for j in range(bisect_left(lats, lat - reach), bisect_right(lats, lat + reach)):
                plat, plon, pname, prow = points[j]
                if pname == name or same_name(name, pname):
                    continue
                dlon = abs(plon - lon)
                if dlon > 180.0:
                    dlon = 360.0 - dlon  # across the antimeridian
                dlon *= shrink
                d2 = dlon * dlon + (plat - lat) ** 2
                if d2 <= best_d2:
                    best, best_d2 = prow, d2
            if best is not None:
                out.setdefault(name, {})[row.id] = best.name
    return out
