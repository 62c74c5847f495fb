"""What the resolver asks of a name alone, before any document: its readings ranked by
prior, their static facts, its vote, the towns its country reading hides and its
local-coherence points (one definition, used at run time and by the index build).

A name met for the first time would cost ~100-250 us of Python here (priors with their
alternate-name tests, the filters, a tuple of facts per reading); so the index build works
all of it out for every key with entries, by these same functions fed the build's place rows
(`name_record`), and a new name's memo is filled from its record (`from_index`), one read
and a few tuple look-ups. What the record does not cover (entries narrowed otherwise, a key
written otherwise, a postal code) is worked out here as before.
"""

from __future__ import annotations

import marshal
import math
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from geo.distance import EARTH_RADIUS_KM, haversine_km
from geo.extract import ABBR, AFTER_COMMA, ALT, ASCII, DEMONYM, ISO, NAME, PRESS
from geo.geoparse_index import Entry, GazetteerIndex, PlaceRow
from geo.name_verdict import without_bare_county
from geo.nlp.similarity import alt_unlike
from geo.resolve_local import Point, Tried, local_readings
from geo.resolve_weights import WEIGHTS as W

LOCAL_LEVELS = ("place", "admin2", "admin1")  # readings penalised abroad when small
NEAR_LEVELS = ("place", "admin1", "admin2")  # readings nearness to a named country counts for
# a latitude difference beyond this is beyond W.near_km whatever the longitudes
NEAR_DLAT = math.degrees(W.near_km / EARTH_RADIUS_KM) * (1 + 1e-9)


def entry_prior(row: PlaceRow, kind: int) -> float:
    level = row.level
    base = _LEVEL_PRIOR.get(level)
    if base is not None:
        if level == "country" and kind == ALT:
            base = W.country_alt_prior
        if level == "admin1" and row.population < W.minor_admin1_pop:
            base = W.minor_admin1_prior
    else:
        base = _FCODE_PRIOR.get(row.feature_code, W.place_prior)
    score = base + _POP_WEIGHT * math.log10(row.population + 1)
    if kind == ALT and level != "country" and level != "region":
        score -= W.alt_penalty
    return score


# entry_prior's tables as plain dicts (it runs for every reading of every name met)
_LEVEL_PRIOR, _FCODE_PRIOR, _POP_WEIGHT = dict(W.level_prior), dict(W.fcode_prior), W.pop_weight


# a name's readings ranked best first, as columns: (their rows, priors, kinds of name); kept
# per name, where a (prior, row, kind) tuple per reading would be one more object each for
# the garbage collector to track (the priors and kinds it leaves alone)
Ranking = tuple[tuple[PlaceRow, ...], tuple[float, ...], tuple[int, ...]]


def _rank(entries: tuple[Entry, ...], index: GazetteerIndex, key: str = "") -> Ranking:
    """A name's readings best first by prior, as columns (stable: ties keep the entries' order)."""
    rows, priors, kinds = [], [], []
    places_get = index.places.get
    for place_id, kind in entries:
        row = places_get(place_id)
        if row is not None:
            prior = entry_prior(row, kind)
            if kind == ALT and key and row.level != "country" and alt_unlike(key, row):
                prior -= W.unlike_alt_penalty
            rows.append(row)
            priors.append(prior)
            kinds.append(kind)
    if len(rows) < 2:
        return tuple(rows), tuple(priors), tuple(kinds)
    order = sorted(range(len(rows)), key=priors.__getitem__, reverse=True)
    return tuple([rows[i] for i in order]), tuple([priors[i] for i in order]), tuple([kinds[i] for i in order])


def _rank_once(entries: tuple[Entry, ...], index: GazetteerIndex, key: str, memo: dict) -> Ranking:
    """_rank, made once per name (memo: index.facts(entries).memo): a name's readings are
    ranked with and without its "<place>, <alias>" aliases, and for its towns, from one ranking
    (its alternate-name tests are the costly part of a name's first look-up)."""
    found = memo.get(("rank", key))
    if found is None:
        found = memo[("rank", key)] = _rank(entries, index, key)
    return found


_COUNTRY_OWN_KINDS = frozenset((NAME, ASCII, ABBR, ISO, DEMONYM, PRESS))  # a country's own name
_STATE_OWN_KINDS = frozenset((NAME, DEMONYM))


def _country_names_stay_countries(rows: tuple[PlaceRow, ...], kinds: tuple[int, ...], keep: Sequence[int]
                                  ) -> Sequence[int]:
    """A country's own name never resolves to a town or a building (a state may share it):
    of the readings at the positions in keep, those that stay."""
    for i in keep:
        if rows[i].level == "country" and kinds[i] in _COUNTRY_OWN_KINDS:
            return [i for i in keep if rows[i].level == "country"
                    or (rows[i].level == "admin1" and kinds[i] in _STATE_OWN_KINDS)]
    return keep


def ranked(entries: tuple[Entry, ...], index: GazetteerIndex, key: str, after_comma: bool = True,
            postal: bool = False, memo: dict | None = None) -> Ranking:
    """_rank and the filters that only depend on the name, cached per entries tuple:
    after_comma: "<place>, <alias>" aliases are usable; postal: a two-letter code in capitals.
    memo: index.facts(entries).memo, when the caller has it."""
    if memo is None:
        memo = index.facts(entries).memo
    found = memo.get(("ranked", key, after_comma, postal))
    if found is None:
        rank = _rank_once(entries, index, key, memo)
        rows, priors, kinds = rank
        keep: Sequence[int] = range(len(rows))  # a list only where a filter takes readings out
        if not after_comma and AFTER_COMMA in kinds:
            keep = [i for i in keep if kinds[i] != AFTER_COMMA]
        if postal and any(rows[i].level == "admin1" for i in keep):
            # "CA", "LA": a two-letter code in running text is a state's postal code, not an ISO country code
            keep = [i for i in keep if not (rows[i].level == "country" and kinds[i] in (ABBR, ISO))] or keep
        keep = _country_names_stay_countries(rows, kinds, keep)
        # the filters only take readings out: as many left is the ranking itself (fewer tuples to keep)
        found = memo[("ranked", key, after_comma, postal)] = rank if len(keep) == len(rows) else (
            tuple([rows[i] for i in keep]), tuple([priors[i] for i in keep]), tuple([kinds[i] for i in keep]))
    return found


def towns_named_like_country(entries: tuple[Entry, ...], index: GazetteerIndex, key: str,
                              memo: dict | None = None) -> tuple[PlaceRow, ...]:
    """The towns a country's own name also names ("Peru", Indiana), that
    _country_names_stay_countries leaves out, best first (cached per name; memo:
    index.facts(entries).memo, when the caller has it)."""
    if memo is None:
        memo = index.facts(entries).memo
    found = memo.get(("country towns", key))
    if found is None and from_index(entries, index, key, memo):
        found = memo.get(("country towns", key))
    if found is None:
        rows = ranked(entries, index, key, memo=memo)[0]
        found = ()
        if rows and rows[0].level == "country":
            all_rows, _, kinds = _rank_once(entries, index, key, memo)
            found = tuple(r for r, k in zip(all_rows, kinds, strict=True)
                          if r.level == "place" and k in (NAME, ASCII))[:W.local_readings_max]
        memo[("country towns", key)] = found
    return found


class Readings(NamedTuple):
    """ranked and what the scores ask of each reading that depends on the name alone
    (cached per name and the way it is written)."""

    rows: tuple[PlaceRow, ...]  # the readings, best first (ranked's rows)
    has_admin1_rival: tuple[str, ...]  # countries where the name is also an admin-1
    admin1_pop: int | None  # the best-ranked same-named admin-1's population
    # per reading, in the order of rows: (prior, kind of name, country for the country
    # bonus (None: a region), admin-1 for the admin-1 bonus (None: none, or an admin-1
    # itself), small enough to be penalised abroad, the countries whose point lies within
    # W.near_km (for a level that nearness counts, else none: NearTable), an admin-1,
    # a big city of the name that beats the same-named readings ranked above it (a namesake:
    # see _static_facts), a capital beside a same-named admin-1,
    # big enough to vouch for its admin-1, its place id). Numbers, strings and booleans only, no place row:
    # such tuples, kept for every name met, are left alone by the garbage collector (its full
    # collections walk every tuple holding a row)
    static: tuple[tuple, ...]
    capital_rival: bool  # some reading is a capital beside a same-named admin-1
    has_region: bool  # some reading is a sea or region (see _water_over_small_town)
    has_city: bool  # some reading is a town a state's or municipality's rule may prefer (_city_over_its_state)
    # the countries / admin-1s whose bonus some reading can get (tuples, for the same reason)
    countries: tuple[str, ...]
    admin1_codes: tuple[str, ...]


def ranked_readings(entries: tuple[Entry, ...], index: GazetteerIndex, key: str, after_comma: bool,
                     postal: bool, memo: dict | None = None) -> Readings:
    """memo: index.facts(entries).memo, when the caller has it."""
    if memo is None:
        memo = index.facts(entries).memo
    found = memo.get(("reading facts", key, after_comma, postal))
    if found is None and from_index(entries, index, key, memo):
        found = memo.get(("reading facts", key, after_comma, postal))
    if found is None:
        rows, priors, kinds = ranked(entries, index, key, after_comma, postal, memo)
        rivals: set[str] = set()  # what the facts of each reading ask of them all
        admin1_pop = None
        has_region = has_city = False
        min_city_pop = _MIN_CITY_POP
        for row, kind in zip(rows, kinds, strict=True):
            level = row.level
            if level == "admin1":
                rivals.add(row.country)
                if admin1_pop is None:  # the best-ranked one: the admin-1 a city competes with
                    admin1_pop = row.population
            elif level == "region":
                has_region = True
            elif (level == "place" and not has_city and row.population >= min_city_pop
                  and names_the_town(row, kind, key)):
                has_city = True
        static, countries, codes, capital_rival = _static_facts(rows, priors, kinds, admin1_pop, rivals,
                                                                near_table(index))
        found = memo[("reading facts", key, after_comma, postal)] = Readings(
            rows, tuple(sorted(rivals)), admin1_pop, static, capital_rival, has_region, has_city, countries, codes)
    return found


_MIN_CITY_POP = min(W.own_state_city_pop, W.own_municipality_town_pop)  # see Readings.has_city


def _static_facts(rows: tuple[PlaceRow, ...], priors: tuple[float, ...], kinds: tuple[int, ...],
                  admin1_pop: int | None, rivals: set[str], near: NearTable
                  ) -> tuple[tuple[tuple, ...], tuple[str, ...], tuple[str, ...], bool]:
    """Readings.static, countries, admin1_codes and capital_rival (see there), in one loop."""
    static = []
    countries: set[str] = set()
    codes: set[str] = set()
    capital_rival = False
    namesake_pop = _NO_NAMESAKE if admin1_pop is None else max(_NAMESAKE_MIN_POP, _NAMESAKE_RATIO * admin1_pop)
    # ... and a national capital ranked below that admin-1 and a fifth as big ("Buenos Aires",
    # "Santo Domingo", "Tehran": the capital, not the province around or beside it)
    capital_namesake_pop = _NO_NAMESAKE if admin1_pop is None else \
        max(_NAMESAKE_MIN_POP, _CAPITAL_NAMESAKE_SHARE * admin1_pop)
    # a town ranked first among the places by its rank as a seat ("San Francisco", a department
    # capital in El Salvador, over the Californian city fifty times its size; "Aurora", a
    # Nebraska county seat, over Aurora, Colorado): a city that has the name as its own and is
    # far bigger is what a text naming it alone means
    first_town = next((row for row in rows if row.level == "place"), None)
    town_namesake_pop = _NO_NAMESAKE if first_town is None else \
        max(_NAMESAKE_MIN_POP, _NAMESAKE_PLACE_RATIO * first_town.population)
    # the readings ranked above this one are all alternate names ("Freiburg" for the canton of
    # Fribourg, "Haifa" for its district): the population a city with the name as its own
    # must have to beat them (a fifth of theirs: not "St. Petersburg", Florida, over Russia's)
    alt_above_pop = _NO_NAMESAKE
    alt_top = 0  # the biggest of them
    # a town dwarfed by a big city that has the name as its own ("Boston", New York, beside
    # Boston, Massachusetts) takes its admin-1's bonus only where a state or county names that
    # admin-1 (DWARFED): another city in the same state says little ("New York" in a Red Sox story)
    biggest = max((row.population for row, kind in zip(rows, kinds, strict=True)
                   if row.level == "place" and (kind == NAME or kind == ASCII)), default=0)
    dwarfed_below = biggest / _DWARF_RATIO if biggest >= _DWARF_MIN_POP else -1.0
    admin1_above = False  # an admin-1 ranks above this reading
    for prior, row, kind in zip(priors, rows, kinds, strict=True):
        place_id, _name, level, feature_code, country, admin1_code, _iso, _admin2, population, lat, lon = row
        is_admin1 = level == "admin1"
        own_name = kind == NAME or kind == ASCII
        cc = None
        if level != "region":
            cc = country
            countries.add(country)
        a1 = None
        if not is_admin1 and admin1_code:
            a1 = admin1_code
            if level == "place" and population < dwarfed_below:
                a1 = DWARFED + admin1_code
            codes.add(admin1_code)
        capital = feature_code == "PPLC" and country in rivals
        if capital:
            capital_rival = True
        namesake = level == "place" and (
            population >= namesake_pop  # far bigger than the admin-1
            or (own_name and (population >= town_namesake_pop  # ... than the best-ranked town
                              or population >= alt_above_pop  # ranked below alternate names only
                              or (feature_code == "PPLC" and admin1_above and population >= capital_namesake_pop))))
        static.append((prior, kind, cc, a1,
                       level in LOCAL_LEVELS and is_small(row),
                       near.countries_near(place_id, lat, lon) if level in NEAR_LEVELS else (), is_admin1,
                       namesake, capital, population >= _NAMED_CITY_POP, place_id))
        admin1_above = admin1_above or is_admin1
        if kind != ALT:
            alt_top = -1  # (for good: a reading above the next ones is not an alternate name)
        elif alt_top >= 0:
            alt_top = max(alt_top, population)
        alt_above_pop = _NO_NAMESAKE if alt_top < 0 else max(_NAMESAKE_MIN_POP, _ALT_NAMESAKE_SHARE * alt_top)
    # (sets sorted: the same tuples in every process, whatever its string hashes)
    return tuple(static), tuple(sorted(countries)), tuple(sorted(codes)), capital_rival


# the weights _static_facts reads, as module constants (it runs for every reading of every name met)
_NAMESAKE_MIN_POP, _NAMESAKE_RATIO, _NAMED_CITY_POP = W.namesake_min_pop, W.namesake_ratio, W.named_city_pop
_NAMESAKE_PLACE_RATIO = W.namesake_place_ratio
_NO_NAMESAKE = float("inf")
DWARFED = "~"  # the admin-1 bonus key of a dwarfed town: see _static_facts
_ALT_NAMESAKE_SHARE, _CAPITAL_NAMESAKE_SHARE = W.alt_namesake_share, W.capital_namesake_share
_DWARF_RATIO, _DWARF_MIN_POP = W.dwarf_ratio, W.dwarf_min_pop


def voter(entries: tuple[Entry, ...], index: GazetteerIndex, key: str, memo: dict | None = None) -> PlaceRow | None:
    """The reading a name votes with (its prior-best), or None: no usable entry, or torn
    between countries. Cached per name (memo: index.facts(entries).memo, when the caller has it)."""
    if memo is None:
        memo = index.facts(entries).memo
    found = memo.get(("voter", key), memo)  # memo itself marks "not computed yet"
    if found is memo and from_index(entries, index, key, memo):
        found = memo.get(("voter", key), memo)
    if found is memo:
        rows, priors, _ = ranked(entries, index, key, memo=memo)
        found = rows[0] if rows else None
        # a vote only from names that are not torn between countries
        if len(rows) > 1 and rows[1].country != rows[0].country and priors[0] - priors[1] < W.torn_margin:
            found = None
        memo[("voter", key)] = found
    return found


def local_points(entries: tuple[Entry, ...], index: GazetteerIndex, key: str, memo: dict
                  ) -> tuple[tuple[Point, ...], tuple[Tried, ...]]:
    """A name's readings that local coherence tries (its W.local_readings_max best by prior,
    of the levels it counts, and the towns its country reading hides) as resolve_local's
    points and tried readings (cached per name in memo, index.facts(entries).memo)."""
    found = memo.get(("local points", key))
    if found is None and from_index(entries, index, key, memo):
        found = memo.get(("local points", key))
    if found is None:
        readings = ranked(entries, index, key, memo=memo)[0][:W.local_readings_max]
        towns = towns_named_like_country(entries, index, key, memo)
        found = memo[("local points", key)] = local_readings(key, readings, towns)
    return found


def within_near_km(lat: float, lon: float, la: float, lo: float) -> bool:
    """(lat, lon) lies within W.near_km of (la, lo) (a cheap test of latitudes first)."""
    return abs(lat - la) <= NEAR_DLAT and haversine_km(lat, lon, la, lo) <= W.near_km


def names_the_town(row: PlaceRow, kind: int, key: str) -> bool:
    """The name names the town itself: its name, or an alternate name like it."""
    return kind in (NAME, ASCII) or (kind == ALT and not alt_unlike(key, row))


def is_small(row: PlaceRow) -> bool:
    return row.population < (W.small_admin1_pop if row.level == "admin1" else W.small_place_pop)


# -- nearness to a country's point, per place --------------------------------------------------
NEAR_KEPT_MAX = 200_000  # places whose near countries are kept (then afresh)
# a place within W.near_km of a point lies in a 1-degree cell whose centre is within
# W.near_km + _CELL_KM of it (half a cell's diagonal, at most ~79 km); as a dot product of unit
# vectors, a little lower (rounding cannot make it skip one)
_CELL_KM = 80.0
_CELL_COS = math.cos((W.near_km + _CELL_KM) / EARTH_RADIUS_KM) - 1e-6
_CELL_DLAT = math.degrees((W.near_km + _CELL_KM) / EARTH_RADIUS_KM) + 1.0  # (and a latitude band)


def _unit(lat: float, lon: float) -> tuple[float, float, float]:
    p, q = math.radians(lat), math.radians(lon)
    return math.cos(p) * math.cos(q), math.cos(p) * math.sin(q), math.sin(p)


class NearTable:
    """The countries whose point lies within W.near_km of a place (within_near_km, the scores'
    nearness test), kept per place: a reading's are among its static facts, so the scores
    ask a document's countries of them by a set test, not by measuring. Only the points that
    may be near a place's 1-degree cell are measured (a few), found once per cell."""

    def __init__(self, points: dict[str, tuple[float, float]]) -> None:
        self._points = sorted((la, lo, cc, *_unit(la, lo)) for cc, (la, lo) in points.items())
        self._lats = [p[0] for p in self._points]
        self._cells: dict[tuple[int, int], tuple[tuple[float, float, str], ...]] = {}
        self._kept: dict[int, tuple[str, ...]] = {}

    def countries_near(self, place_id: int, lat: float, lon: float) -> tuple[str, ...]:
        found = self._kept.get(place_id)
        if found is None:
            if len(self._kept) >= NEAR_KEPT_MAX:
                self._kept.clear()
            cell = (math.floor(lat), math.floor(lon))
            near = self._cells.get(cell)
            if near is None:
                near = self._cells[cell] = self._near_cell(*cell)
            found = self._kept[place_id] = tuple([cc for la, lo, cc in near if within_near_km(lat, lon, la, lo)])
        return found

    def _near_cell(self, lat: int, lon: int) -> tuple[tuple[float, float, str], ...]:
        """The points that may lie within W.near_km of a place in the cell (latitude-sorted)."""
        mid = lat + 0.5
        x, y, z = _unit(mid, lon + 0.5)
        points = self._points[bisect_left(self._lats, mid - _CELL_DLAT):bisect_right(self._lats, mid + _CELL_DLAT)]
        return tuple([(la, lo, cc) for la, lo, cc, px, py, pz in points if x * px + y * py + z * pz >= _CELL_COS])


def near_table(index: GazetteerIndex | BuildView) -> NearTable:
    """The index's NearTable, made when first asked."""
    table = index.near_table
    if table is None:
        table = index.near_table = NearTable(index.country_points)
    return table


# -- a name's record, worked out at index build ------------------------------------------------
def worth_a_record(entries: Sequence[Entry]) -> bool:
    """Whether a name with these entries gets a record: two or more, or one that is not an
    alternate name. Nine keys in ten have one entry, seven in ten of those an alternate name
    (other languages' names, which seldom reach the resolver: a tenth of the one-entry names an
    unseen LGL pass meets); working them all out would double the index build."""
    return len(entries) >= 2 or (len(entries) == 1 and entries[0][1] != ALT)


@dataclass
class BuildView:
    """What these functions read of a GazetteerIndex, at index build: the build's place rows."""

    places: dict[int, PlaceRow]
    country_points: dict[str, tuple[float, float]]
    near_table: NearTable | None = field(default=None, repr=False)


def name_record(key: str, entries: tuple[Entry, ...], view: BuildView) -> bytes:
    """What from_index fills a name's memo with: marshal of (key, variants), a variant for
    each entries tuple classification hands the resolver for this key: (the entries, the
    Readings for after_comma True and False (postal False) with place ids for rows, whether
    the first row votes, the towns as place ids, the local points). The first is for the
    key's own entries (None in their place: the index gives that very tuple), a second, where
    it differs, for them without bare-county alternate names (classification's narrowing)."""
    variants = [(None, *_variant(entries, view, key)[1:])]
    narrowed = without_bare_county(entries, view)
    if narrowed != entries and worth_a_record(narrowed):
        variants.append(_variant(narrowed, view, key))
    return marshal.dumps((key, tuple(variants)))


def _variant(entries: tuple[Entry, ...], view: BuildView, key: str) -> tuple:
    memo: dict = {("from index", key): True}  # (nothing to read yet: this makes it)
    with_alias = ranked_readings(entries, view, key, True, False, memo)
    # the readings follow from the ranking: the same ranking (most names have no after-comma
    # alias), the same readings
    same = ranked(entries, view, key, False, False, memo) is ranked(entries, view, key, True, False, memo)
    without = with_alias if same else ranked_readings(entries, view, key, False, False, memo)
    votes = voter(entries, view, key, memo) is not None
    towns = tuple([r.id for r in towns_named_like_country(entries, view, key, memo)])
    stored = _stored(with_alias)
    return (entries, (stored, stored if without == with_alias else _stored(without)), votes, towns,
            local_points(entries, view, key, memo))


def _stored(r: Readings) -> tuple:
    return (tuple([row.id for row in r.rows]), *r[1:])


def from_index(entries: tuple[Entry, ...], index: GazetteerIndex, key: str, memo: dict) -> bool:
    """Fill memo (index.facts(entries).memo) with what the index build worked out for this name
    (name_record), when it holds it for these entries and this key as written; True if it
    did. Tried once per name and key: afterwards False."""
    if not worth_a_record(entries):
        return False  # (no record)
    mark = ("from index", key)
    if mark in memo:
        return False
    memo[mark] = True
    key_id = index.key_id_of(entries)
    own = key_id is not None  # the key's own entries (see name_record)
    if not own:
        key_id = index.key_id(key)  # (entries narrowed by classification)
    record = None if key_id is None else index.name_record(key_id)
    if record is None or record[0] != key:
        return False
    for variant in record[1]:
        if variant[0] is None if own else variant[0] == entries:
            _fill(memo, key, variant, index.places.rows)
            return True
    return False


def _fill(memo: dict, key: str, variant: tuple, rows: Callable[[tuple[int, ...]], tuple[PlaceRow, ...]]) -> None:
    _entries, (with_alias, without), votes, towns, local = variant
    readings = _readings_of(with_alias, rows)
    memo[("reading facts", key, True, False)] = readings
    memo[("reading facts", key, False, False)] = readings if without is with_alias else _readings_of(without, rows)
    memo[("voter", key)] = readings.rows[0] if votes else None
    memo[("country towns", key)] = rows(towns) if towns else ()
    memo[("local points", key)] = local


def _readings_of(stored: tuple, rows: Callable[[tuple[int, ...]], tuple[PlaceRow, ...]]) -> Readings:
    """_stored's Readings back (a NamedTuple made from a tuple of its fields, without its
    Python-level __new__)."""
    return _as_readings(Readings, (rows(stored[0]), *stored[1:]))


_as_readings = tuple.__new__
