"""Local coherence: readings of different names that lie near each other support each other.

A local story names places close together ("Walker County" and "Huntsville", "Mansfield" and
"Arlington"): of the many same-named towns, the ones that sit near a likely reading of
another name in the document are the likelier ones. Pure: readings in, supported place ids out.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from operator import itemgetter

from geo.distance import EARTH_RADIUS_KM
from geo.geoparse_index import PlaceRow

LOCAL_LEVELS = ("place", "admin2")  # a country or a state's point says nothing about nearness


def same_name(a: str, b: str) -> bool:
    """"Madison" and "Madison County", "DeKalb" and "DeKalb County" are one name (one begins
    with the other): their readings lie together in every state that has both, so they must
    not vouch for each other."""
    return a == b or b.startswith(a + " ") or a.startswith(b + " ")


# a reading that vouches for other names: (lat, lon, its name, the place's name)
Point = tuple[float, float, str, str]
# a reading that is tried: (place id, lat, lon, a degree of longitude in degrees of latitude
# there, 1 if it is one of its name's points (so the sweep finds it beside itself), else 0)
Tried = tuple[int, float, float, float, int]
# Both hold numbers and strings only: a caller keeps them per name, and tuples of such
# values are left alone by the garbage collector (a tuple holding a place row is walked by
# every full collection).


def neighbours(readings: dict[str, list[PlaceRow]], radius_km: float,
               unlikely: dict[str, list[PlaceRow]] | None = None) -> dict[str, dict[int, str]]:
    """For each name with more than one reading, its readings within radius_km of a reading
    of another name (see same_name); `unlikely` readings (a country's name read as a town)
    are tried as well but vouch for no other name: {name: {place id: the nearest such
    neighbour's name}}. Only place and admin-2 readings count, on both sides. Distances are
    equirectangular: exact enough at a few tens of km (and with a few dozen readings per
    document a sweep by latitude is cheap)."""
    unlikely = unlikely or {}
    points: dict[str, tuple[Point, ...]] = {}
    tried: dict[str, tuple[Tried, ...]] = {}
    for name in [*readings, *(n for n in unlikely if n not in readings)]:
        points[name], tried[name] = local_readings(name, readings.get(name, ()), unlikely.get(name, ()))
    return near_points(points, tried, radius_km)


def local_readings(name: str, rows: Iterable[PlaceRow], unlikely: Iterable[PlaceRow] = ()
                   ) -> tuple[tuple[Point, ...], tuple[Tried, ...]]:
    """A name's points (its readings that vouch for other names) and tried readings (those,
    and the unlikely ones, which vouch for no other name: none unless there are two to
    choose between), in one pass over its readings (a caller may keep them per name)."""
    points: list[Point] = []
    tried: list[Tried] = []
    for own, readings in ((1, rows), (0, unlikely)):
        for place_id, place_name, level, _code, _cc, _a1, _iso, _a2, _pop, lat, lon in readings:
            if level in LOCAL_LEVELS:
                if own:
                    points.append((lat, lon, name, place_name))
                tried.append((place_id, lat, lon, math.cos(math.radians(lat)), own))
    return tuple(points), tuple(tried) if len(tried) >= 2 else ()


def near_points(points: dict[str, tuple[Point, ...]], tried: dict[str, tuple[Tried, ...]],
                radius_km: float) -> dict[str, dict[int, str]]:
    """neighbours, from each name's points and tried readings (local_readings)."""
    swept: list[Point] = []
    for pts in points.values():
        swept += pts
    if not swept:
        return {}
    swept.sort(key=itemgetter(0))
    lats = [p[0] for p in swept]
    names = points.keys() | tried.keys()
    related = _related_names(names)
    reach = math.degrees(radius_km / EARTH_RADIUS_KM)  # the radius in degrees of latitude
    limit = reach * reach
    out: dict[str, dict[int, str]] = {}
    for name, local in tried.items():
        if not local:
            continue  # nothing to choose between
        # names whose readings may not vouch for this one's (see same_name), beside its own
        barred = related.get(name, ())
        if len(barred) + 1 >= len(names):
            continue
        found = None
        for place_id, lat, lon, shrink, own in local:
            a = bisect_left(lats, lat - reach)
            b = bisect_right(lats, lat + reach, a)
            if b - a <= own:
                continue  # nothing within reach but itself
            best, best_d2 = None, limit
            for la, lo, other, near in swept[a:b]:  # near: the place's name
                if other == name or other in barred:
                    continue
                dlon = lo - lon  # (a comparison and a negation cost less than abs())
                if dlon < 0.0:
                    dlon = -dlon
                if dlon > 180.0:
                    dlon = 360.0 - dlon  # across the antimeridian
                dlon *= shrink
                dlat = la - lat
                d2 = dlon * dlon + dlat * dlat
                if d2 <= best_d2:
                    best, best_d2 = near, d2
            if best is not None:
                if found is None:
                    found = out[name] = {}
                found[place_id] = best
    return out


def _related_names(names: set[str]) -> dict[str, set[str]]:
    """Each name's other names that are one name with it (see same_name): one begins with the
    other and a blank, so the shorter is the longer cut before one of its blanks."""
    related: dict[str, set[str]] = {}
    for name in names:
        at = name.find(" ")
        while at > 0:
            shorter = name[:at]
            if shorter in names:
                related.setdefault(name, set()).add(shorter)
                related.setdefault(shorter, set()).add(name)
            at = name.find(" ", at + 1)
    return related
