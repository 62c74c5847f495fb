"""Resolution: pick one gazetteer place per recognised name, with the evidence for it.

Score = prior (level and feature code: country > admin-1 > capital > other populated place,
plus log population, minus a little for alternate names) + document context (countries and
admin-1s the document mentions elsewhere, "Culiacán, Sinaloa" containers, "X state",
capitals in political news). Every occurrence of a name in one document resolves the same
way (one sense per document), pooling the context of all occurrences.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import itemgetter
from typing import NamedTuple

from geo.extract import ALT, DEMONYM, NAME, Candidate
from geo.geoparse_index import GazetteerIndex, PlaceRow
from geo.key_ranking import (
    DWARFED,
    Readings,
    is_small,
    local_points,
    names_the_town,
    ranked_readings,
    towns_named_like_country,
    voter,
)
from geo.nlp import lexicon
from geo.nlp.similarity import alt_unlike
from geo.reasons import Drop, drop
from geo.resolve_local import Point, Tried, near_points
from geo.resolve_weights import WEIGHTS as W
from geo.textnorm import normalize

POLITICAL = re.compile(
    r"\b(?:congress|senate|white house|capitol|lawmakers|federal|administration|pentagon|"
    r"government|parliament|ministry|embassy|diplomat\w*|legislat\w+)\b",
    re.IGNORECASE,
)
# the words after a name that call it an admin-1 ("Sinaloa state", "Aleppo governorate", "the
# Puno region"; "Kherson oblast"), lower case
STATE_WORDS = ("state", "province", "region", "oblast", "governorate", "prefecture", "krai", "kray", "voivodeship")
_STATE_WORD_PATTERN = rf"\s+(?:{'|'.join(STATE_WORDS)})\b|\s*,?\s+the\s+state\b"
STATE_WORD = re.compile(rf"^(?:{_STATE_WORD_PATTERN})", re.IGNORECASE)
# STATE_WORD matched where a name ends, without cutting the text (match(text, end, end + 20))
STATE_WORD_AT = re.compile(_STATE_WORD_PATTERN, re.IGNORECASE)
STATE_OF = re.compile(r"\b(?:state|province) of\s+$", re.IGNORECASE)
# a dateline opens a story or a line: "WASHINGTON (AP) —", "HERMOSILLO, Sonora.-", "PARIS —"
DATELINE = re.compile(r"([A-ZÀ-Ý][A-ZÀ-Ý .'-]+?)(?:,\s*[\w. ]{2,30}?)?\s*"
                      r"(?:\([^)\n]{1,60}\)|(?:\([^)\n]{1,60}\)\s*)?(?:[-–—]|\.-))")
# words POLITICAL needs (lower case): a substring test first spares the regex most texts
# the only characters for which the IGNORECASE match of POLITICAL's (ASCII) words differs
# from str.lower(): "ſ" matches s, "ı" and "İ" match i, and "İ".lower() is two characters
_ODD_CASE = re.compile("[\u0130\u0131\u017f]")
_POLITICAL_WORDS = ("congress", "senate", "white house", "capitol", "lawmakers", "federal", "administration",
                    "pentagon", "government", "parliament", "ministry", "embassy", "diplomat", "legislat")
_COMMA_COUNTRY = W.comma_contained * W.comma_country_factor  # "Culiacán, Mexico"


class Resolution:
    """One name's reading in one document. The evidence, the confidence, the support and
    whether other countries are named are worked out when first asked: a first-pass reading
    that the second pass replaces, or a name that pruning drops, never needs them."""

    __slots__ = ("place", "scored", "matched_kind", "_bits", "_local_near", "_ctx", "_own",
                 "_confidence", "_evidence", "_other_countries")

    def __init__(self, place: PlaceRow | None, scored: list[tuple] | None = None, matched_kind: int = NAME,
                 bits: int = 0, local_near: dict[int, str] | None = None, ctx: DocContext | None = None,
                 own: Votes | None = None, evidence: str | None = None) -> None:
        self.place = place
        # every reading, best first: (score, row, what raised it (bits), notes, kind of name)
        self.scored = scored if scored is not None else []
        self.matched_kind = matched_kind  # which kind of name picked the winner
        self._bits, self._local_near, self._ctx, self._own = bits, local_near, ctx, own
        self._confidence: float | None = None if place is not None else 0.0
        self._evidence = evidence
        self._other_countries: bool | None = None if place is not None and ctx is not None else False

    @property
    def confidence(self) -> float:
        if self._confidence is None:
            self._confidence = _confidence(self.scored)
        return self._confidence

    @property
    def evidence(self) -> str:
        if self._evidence is None:
            self._evidence = _evidence(self.scored, self._bits, self._local_near or {})
        return self._evidence

    @property
    def bits(self) -> int:
        """What raised the winner's score (see _why), as bits."""
        return self._bits

    @property
    def support(self) -> frozenset[str]:
        """comma / country / admin1 / state / near: what in the document supports the winner."""
        return _support(self._bits)

    @property
    def other_countries(self) -> bool:
        """The document names countries, but not this one (beyond the name's own votes)."""
        if self._other_countries is None:
            self._other_countries = _other_countries(self._ctx, self._own, self.place.country)
        return self._other_countries

    def in_context(self, ctx: DocContext, own: Votes) -> Resolution:
        """The same reading, with whether other countries are named asked of another context."""
        res = Resolution(self.place, self.scored, self.matched_kind, self._bits, self._local_near, ctx, own,
                         self._evidence)
        res._confidence = self._confidence
        return res

    @property
    def ranked(self) -> list[tuple[float, PlaceRow]]:
        """(score, place) of every reading, best first (made when asked: only corrections ask)."""
        return [(t[0], t[1]) for t in self.scored]


# a group's own votes: (its country, its number of occurrences, its admin-1 code or None);
# names voting alike share their bonuses (see _group_bonuses)
Votes = tuple[str | None, int, str | None, bool]


class Tally(dict):
    """Counts by key; a key never counted reads as 0 (and is not added). A Counter does the
    same, but takes microseconds to make, and a document makes several."""

    def __missing__(self, key: object) -> int:
        return 0


# the bonus of a country / admin-1 the document names n times (n up to W.context_mentions_cap)
_COUNTRY_BONUS = tuple(W.country_context + W.country_per_mention * min(n, W.context_mentions_cap)
                       for n in range(W.context_mentions_cap + 1))
_ADMIN1_BONUS = tuple(W.admin1_context + W.admin1_per_mention * min(n, W.context_mentions_cap)
                      for n in range(W.context_mentions_cap + 1))


@dataclass(slots=True)
class DocContext:
    """What the document says about where it is, from its least ambiguous names."""

    countries: Tally = field(default_factory=Tally)
    admin1: Tally = field(default_factory=Tally)  # admin-1 of every voting name
    admin1_named: Tally = field(default_factory=Tally)  # ... of states and big cities only
    admin1_areas: Tally = field(default_factory=Tally)  # ... of states and counties only
    states_named: Tally = field(default_factory=Tally)  # admin-1 readings per country ("Ohio and Indiana")
    political: bool = False
    # per name: its readings near a reading of another name, and that neighbour (resolve_local)
    local_near: dict[str, dict[int, str]] = field(default_factory=dict)

    # bonuses for places in the countries / admin-1s the document names, before a group
    # takes its own votes out (computed once per document: see _group_bonuses)
    country_bonus: dict[str, float] = field(default_factory=dict)
    admin1_bonus: dict[str, float] = field(default_factory=dict)
    # _group_bonuses by the group's own votes: names voting alike share them (read only)
    group_bonuses: dict[tuple, tuple] = field(default_factory=dict)
    admin1_named_codes: set[str] = field(default_factory=set)  # admin1_named's codes (read only)
    # the points of the countries with a bonus, in country_bonus's order (for nearness)
    country_points: list[tuple[str, tuple[float, float]]] = field(default_factory=list)
    # the first W.near_countries_max of those countries (a reading near one: see Readings.static)
    near_key: frozenset[str] = frozenset()

    def add_bonuses(self, points: dict[str, tuple[float, float]]) -> None:
        cap, by_count, near_max = W.context_mentions_cap, _COUNTRY_BONUS, W.near_countries_max
        country_bonus: dict[str, float] = {}
        country_points, near_countries = [], []
        for cc, n in self.countries.items():  # one loop: a document names a few countries
            if n > 0:
                country_bonus[cc] = by_count[n if n < cap else cap]
                point = points.get(cc)
                if point is not None:
                    country_points.append((cc, point))
                    if len(near_countries) < near_max:
                        near_countries.append(cc)
        self.country_bonus, self.country_points = country_bonus, country_points
        self.near_key = frozenset(near_countries)
        by_count = _ADMIN1_BONUS
        self.admin1_bonus = {code: by_count[n if n < cap else cap] for code, n in self.admin1.items() if n > 0 and code}
        self.admin1_named_codes = {code for code, n in self.admin1_named.items() if n > 0}
        for code, n in self.admin1_areas.items() if self.admin1_areas else ():
            if n > 0 and code in self.admin1_bonus:
                self.admin1_bonus[DWARFED + code] = self.admin1_bonus[code]
                if code in self.admin1_named_codes:
                    self.admin1_named_codes.add(DWARFED + code)


def _votes(groups: dict[tuple[str, str], list[Candidate]],
           tops: dict[tuple[str, str], PlaceRow], index: GazetteerIndex) -> tuple[DocContext, dict]:
    """The document's context from one reading per group, and each group's own votes."""
    ctx = DocContext()
    countries, admin1, admin1_named, admin1_areas = ctx.countries, ctx.admin1, ctx.admin1_named, ctx.admin1_areas
    own: dict[tuple[str, str], Votes] = {}
    for gkey, top in tops.items():
        vote = _vote_of(top)
        if vote is None:
            continue  # a sea or continent says nothing about which country the text is in
        cc, code, named, is_admin1, area = vote
        n = len(groups[gkey])
        if code is not None:
            if named:
                admin1_named[code] = admin1_named.get(code, 0) + n
            if area:
                admin1_areas[code] = admin1_areas.get(code, 0) + n
            admin1[code] = admin1.get(code, 0) + n
        if is_admin1:
            ctx.states_named[cc] += 1
        countries[cc] = countries.get(cc, 0) + n
        own[gkey] = (cc, n, code, area)
    ctx.add_bonuses(index.country_points)
    return ctx, own


class RowMemo:
    """Values kept per place row object, bounded, in `values` by id(row) (or a tuple that
    starts with it, see _described_why). The rows are kept alive beside them and cleared with
    them, so while a row has a value no other object can take its id: a look-up is one dict
    get, with no (row, value) pair to check, which would be one more object per entry for the
    garbage collector to track and walk in every full collection. Writes take a lock, so that
    threads parsing at once never leave a value without its row (reads need none)."""

    __slots__ = ("values", "_rows", "max_size", "_lock")

    def __init__(self, max_size: int) -> None:
        self.values: dict = {}
        self._rows: list[PlaceRow] = []
        self.max_size = max_size
        self._lock = threading.Lock()

    def put(self, row: PlaceRow, key: object, value: object) -> None:
        with self._lock:
            if len(self.values) >= self.max_size:
                self.values.clear()
                self._rows.clear()
            self._rows.append(row)
            self.values[key] = value


DESCRIBED_MAX = 50_000
_VOTES = RowMemo(DESCRIBED_MAX)  # id(row) -> _vote_of(row)
_VOTES_GET = _VOTES.values.get


def _vote_of(top: PlaceRow) -> tuple[str, str | None, bool, bool, bool] | None:
    """How a voting reading votes: (its country, its admin-1 code or None, whether the admin-1
    vote also counts as support, whether it is an admin-1, whether it is an admin-1 or
    admin-2: an area naming the admin-1, which a dwarfed town's bonus asks for), or None (a sea or continent says
    nothing about which country the text is in). Kept per row."""
    key = id(top)
    found = _VOTES_GET(key, _VOTES)  # the memo itself marks "not kept" (a vote may be None)
    if found is not _VOTES:
        return found
    vote = None
    if top.level != "region":
        code = top.admin1_code
        if code and top.level in ("admin1", "admin2", "place"):
            # only states and big cities count as *support* for keeping a doubtful name:
            # a wrongly read small town must not vouch for another one
            named = top.level == "admin1" or top.population >= W.named_city_pop
        else:
            code, named = None, False  # no admin-1 vote
        vote = (top.country, code, named, top.level == "admin1", code is not None and top.level != "place")
    _VOTES.put(top, key, vote)
    return vote


_NO_VOTES: Votes = (None, 0, None, False)  # a group that did not vote


@dataclass(slots=True)
class GroupText:
    """What one name's occurrences in the text say, read once per document (both passes and
    the test for reading a name again use it)."""

    cands: list[Candidate]
    readings: Readings
    comma: tuple[set[str], set[str]] | None  # admin-1 codes and countries named after "<name>, "
    state_hint: bool  # "X state", "the state of X"
    container: bool  # some occurrence follows "<place>, " ("Buffalo, New York")
    dateline: bool  # some occurrence opens a dateline

    @property
    def capital_rival(self) -> bool:
        """A capital reading that political news favours over a same-named admin-1."""
        return not self.state_hint and self.readings.capital_rival


def _group_text(text: str, group: list[Candidate], index: GazetteerIndex, state_words: Callable[[], bool],
                containers: set[int], memo: dict) -> GroupText:
    """state_words: whether "state" or "province" appears in the text at all (asked only
    when an occurrence looks like "X state" or "the state of X")."""
    after_comma = container = dateline = commas = state_hint = of_before = False
    for c in group:  # one loop: most names occur once or twice
        start = c.start
        if start > 1 and text[start - 2] == ",":
            after_comma = True
        elif start > 4 and text[start - 2] == "f" and text.endswith(_UNIT_OF, max(0, start - 16), start):
            of_before = True  # maybe "the Venezuelan city of ..." (_demonym_containers)
        if c.comma_next is not None:
            commas = True
        if containers and id(c) in containers:
            container = True
        if not dateline and c.surface.isupper() and _in_dateline(text, c):
            dateline = True
        if not state_hint:
            if _state_word_after(text, c.end) or (
                    start > 0 and text[start - 1].isspace() and text[start - 2:start - 1] not in _NOT_OF_END
                    and _state_of_before(text[max(0, start - 20):start])):
                state_hint = True
    first = group[0]
    readings = ranked_readings(first.entries, index, first.key, after_comma,
                                len(first.surface) == 2 and first.surface.isupper(), memo)
    if not readings.rows:
        return GroupText(group, readings, None, False, False, False)
    state_hint = state_hint and state_words()
    containers_named = _comma_containers(group, index) if commas else None
    if of_before:
        containers_named = _demonym_containers(text, group, index, containers_named)
    return GroupText(group, readings, containers_named, state_hint, container, dateline)


def resolve_candidates(text: str, cands: list[Candidate], index: GazetteerIndex) -> dict[int, Resolution]:
    """Resolve every kept candidate; returns {id(candidate): Resolution}."""
    groups: dict[tuple[str, str], list[Candidate]] = {}
    containers: set[int] = set()  # the names after "<name>, "
    for c in cands:
        if c.drop is None:  # kept
            gkey = (c.key, "demonym" if c.kind == "demonym" else "name")
            group = groups.get(gkey)
            if group is None:
                groups[gkey] = [c]
            else:
                group.append(c)
            if c.comma_next is not None:
                containers.add(id(c.comma_next))
    if not groups:
        return {}
    # the text in lower case, made when first asked (lower-casing every LGL text costs about
    # 7 ms a pass, some 5% of this step)
    lowered: list[str] = []

    def lower() -> str:
        if not lowered:
            lowered.append(text.lower())
        return lowered[0]

    def state_words() -> bool:
        low = lower()
        return any(w in low for w in STATE_WORDS)

    # one loop over the names: what depends on the name alone, read from its memo (its vote,
    # and its local points where local coherence runs), and what its occurrences say
    facts = index.facts
    tops: dict[tuple[str, str], PlaceRow] = {}  # each voting group's voting reading
    points: dict[str, tuple[Point, ...]] = {}
    tried: dict[str, tuple[Tried, ...]] = {}
    read: dict[tuple[str, str], GroupText] = {}
    several = len(groups) >= 2  # local coherence needs two names
    capital_rival = False
    for gkey, group in groups.items():
        first = group[0]
        key = first.key
        memo = facts(first.entries).memo
        top = voter(first.entries, index, key, memo)
        if top is not None:
            tops[gkey] = top
        if several and gkey[1] == "name":
            points[key], tried[key] = local_points(first.entries, index, key, memo)
        g = read[gkey] = _group_text(text, group, index, state_words, containers, memo)
        capital_rival = capital_rival or g.capital_rival
    ctx, own = _votes(groups, tops, index)
    # the readings of each name near a reading of another name (see resolve_local)
    ctx.local_near = near_points(points, tried, W.local_km) if several else {}
    # whether the news is political matters only to a name that is a capital and a state
    if capital_rival:
        window = W.political_window
        ctx.political = _political(text[:window], lower() if len(text) <= window else None)
    # the names that voted are read first: whether one of them moves decides whether the
    # others are read in this context or (once) in the second pass's
    resolved = {g: _resolve_group(read[g], index, ctx, own.get(g) or _NO_VOTES) for g in tops}
    # Second pass: a name that voted for one country but was read in another ("Georgia" first
    # counted as the country, then read as the US state) votes again, so the rest of the
    # document sees it; so does a name a neighbour moved to another state ("Fayetteville" beside
    # "Washington County": Arkansas, not North Carolina). Names that did not vote stay out: a wrong reading
    # must not spread.
    moved = {}
    for g, top in tops.items():
        res = resolved[g]
        place = res.place
        if place is not None and (place.country != top.country or (place.admin1_code != top.admin1_code
                                                                   and res.bits & _NEAR_SUPPORT)):
            moved[g] = place
    if moved:
        ctx2, own2 = _votes(groups, {**tops, **moved}, index)
        ctx2.political, ctx2.local_near = ctx.political, ctx.local_near
        # only names whose readings see another context are read again (most do not)
        changed = _changes(ctx, ctx2)
        same = {g: res for g, res in resolved.items()
                if g not in moved and _same_context(read[g], index, ctx, ctx2, own.get(g) or _NO_VOTES, changed)}
        resolved = _resolve_groups(read, index, ctx2, own2, same)
    elif len(resolved) < len(read):
        for g, text_of in read.items():
            if g not in resolved:
                resolved[g] = _resolve_group(text_of, index, ctx, _NO_VOTES)  # (a name that did not vote)
    out = {}
    for gkey, group in groups.items():
        res = resolved[gkey]
        for c in group:
            out[id(c)] = res
    return out


_PRINTABLE_ASCII = frozenset(map(chr, range(33, 127)))  # no blanks among them
# a name followed by a blank and one of these cannot be followed by a state word (STATE_WORD) or
# ", the state" (of non-ASCII characters only "ſ" matches one of their first letters regardless of case)
_NOT_STATE_NEXT = _PRINTABLE_ASCII - {",", "t", "T"} - {w[0] for w in STATE_WORDS} - {w[0].upper() for w in STATE_WORDS}
_NOT_THE_NEXT = _PRINTABLE_ASCII - set("tT")  # ... and ", " before one of these cannot be followed by "the"
# ... and a name after a blank behind one of these cannot follow "state of" / "province of"
_NOT_OF_END = _PRINTABLE_ASCII - set("fF")


def _state_word_after(text: str, end: int) -> bool:
    """STATE_WORD.match(text[end:end + 20]), most names answered by the characters after them."""
    return _state_word_may_follow(text, end) and STATE_WORD_AT.match(text, end, end + 20) is not None


def _state_word_may_follow(text: str, end: int) -> bool:
    """False where STATE_WORD_AT cannot match at end: it opens on a blank or a comma, a blank
    before a printable ASCII character opens no state word (STATE_WORD) or ", the state", and
    ", " before one opens no "the"."""
    ch = text[end:end + 1]
    if ch == " ":
        return text[end + 1:end + 2] not in _NOT_STATE_NEXT
    if ch == ",":
        return not (text[end + 1:end + 2] == " " and text[end + 2:end + 3] in _NOT_THE_NEXT)
    return ch.isspace()


def _state_of_before(window: str) -> bool:
    """STATE_OF.search(window); the pattern ends in "of" and blanks, so a string test first."""
    return window[-1:].isspace() and window.rstrip()[-2:].lower() == "of" and bool(STATE_OF.search(window))


def _political(head: str, head_lower: str | None = None) -> bool:
    """POLITICAL.search(head), sparing the whole-text regex: a substring test first, and
    where lower-casing keeps offsets and the regex's case-blind match agrees with lower case
    (any text without the three letters _ODD_CASE lists) a match can only start where one
    of the words occurs, so the regex is tried there alone. head_lower: head.lower(), when
    the caller has it."""
    if head_lower is None:
        head_lower = head.lower()
    found = [w for w in _POLITICAL_WORDS if w in head_lower]
    if not found:
        return False
    if not head.isascii() and _ODD_CASE.search(head):
        return bool(POLITICAL.search(head))
    for w in found:
        at = head_lower.find(w)
        while at >= 0:
            if POLITICAL.match(head, at):
                return True
            at = head_lower.find(w, at + 1)
    return False


def _resolve_groups(read: dict[tuple[str, str], GroupText], index: GazetteerIndex, ctx: DocContext, own: dict,
                    same: dict[tuple[str, str], Resolution] | None = None) -> dict[tuple[str, str], Resolution]:
    """same: resolutions made before under a context that differs nowhere these names look."""
    out = {}
    for gkey, g in read.items():
        res = same.get(gkey) if same else None
        if res is None:
            res = _resolve_group(g, index, ctx, own.get(gkey) or _NO_VOTES)
        elif res.place is not None:  # whether other countries are named may have changed
            res = res.in_context(ctx, own.get(gkey) or _NO_VOTES)
        out[gkey] = res
    return out


class Changes(NamedTuple):
    """Where two contexts of one document differ (_same_context's first, cheap test)."""

    countries: set[str]  # counted a different number of times
    admin1: set[str]  # admin-1 codes counted differently, or named by states and big cities differently
    states_named: set[str]  # countries with a different number of admin-1 readings
    same_points: bool  # the same country points, in the same order


def _changes(ctx: DocContext, ctx2: DocContext) -> Changes:
    def differ(a: Tally, b: Tally) -> set:
        return {k for k in a.keys() | b.keys() if a[k] != b[k]}

    return Changes(differ(ctx.countries, ctx2.countries),
                   differ(ctx.admin1, ctx2.admin1) | differ(ctx.admin1_named, ctx2.admin1_named)
                   | (differ(ctx.admin1_areas, ctx2.admin1_areas) if ctx.admin1_areas or ctx2.admin1_areas else set()),
                   differ(ctx.states_named, ctx2.states_named), ctx.country_points == ctx2.country_points)


def _same_context(g: GroupText, index: GazetteerIndex, ctx: DocContext, ctx2: DocContext, own: tuple,
                  changed: Changes | None = None) -> bool:
    """Would _resolve_group read the group alike in ctx and ctx2 (its own votes unchanged)?
    True when every bonus its readings can get is the same, no country point that appeared
    or went lies near one of them, the states named in their countries are as many, and
    whether other countries are named is unchanged for each town a country's name may be
    read as (what the scores, the rules after them and the evidence read from the context;
    a new rule reading the context must be added here too, or the test comparing this with
    reading every name again fails). changed: _changes(ctx, ctx2), when the caller has it:
    where the document's tallies and country points are all alike, so are the bonuses."""
    states1, states2 = ctx.states_named, ctx2.states_named
    for cc in g.readings.has_admin1_rival:
        if states1[cc] != states2[cc]:
            return False
    first = g.cands[0]
    if first.kind != "demonym" and ctx.local_near.get(first.key):
        # _country_name_as_local_town asks whether the document names other countries
        for town in towns_named_like_country(first.entries, index, first.key):
            if _other_countries(ctx, own, town.country) != _other_countries(ctx2, own, town.country):
                return False
    if changed is not None and changed.same_points:
        # a bonus differs only where a count differs (whatever the group's own votes)
        r = g.readings
        if changed.countries.isdisjoint(r.countries) and changed.admin1.isdisjoint(r.admin1_codes):
            return not changed.countries or _names_countries(ctx, own) == _names_countries(ctx2, own)
    cb1, ab1, named1, near1 = _group_bonuses(ctx, own, index)
    cb2, ab2, named2, near2 = _group_bonuses(ctx2, own, index)
    if bool(cb1) != bool(cb2):
        return False
    moved = near1 ^ near2  # the countries whose nearness counts in one context only
    same_admin1 = ab1 is ab2 and named1 is named2
    for row, facts in zip(g.readings.rows, g.readings.static, strict=True):
        level, code = row.level, facts[3]  # facts[3]: the admin-1 bonus key (see Readings.static)
        b = cb1.get(row.country, 0.0) if level != "region" else 0.0
        if b != (cb2.get(row.country, 0.0) if level != "region" else 0.0):
            return False
        if not same_admin1 and code is not None and (ab1.get(code, 0.0) != ab2.get(code, 0.0)
                                                     or (code in named1) != (code in named2)):
            return False
        # nearness counts only for a reading without a country bonus (the same in both);
        # facts[5]: the countries near the reading (see Readings.static)
        if moved and not b and not moved.isdisjoint(facts[5]):
            return False
    return True


def _names_countries(ctx: DocContext, own: Votes) -> bool:
    """The document names some country beyond the group's own votes (its country bonuses are not empty)."""
    own_cc, own_n = own[0], own[1]
    return any(n > (own_n if cc == own_cc else 0) for cc, n in ctx.countries.items())


def _other_countries(ctx: DocContext, own: Votes, country: str) -> bool:
    """The document names countries other than country, beyond the group's own votes."""
    own_cc, own_n = own[0], own[1]
    for cc, n in ctx.countries.items():
        if cc != country and n > (own_n if cc == own_cc else 0):
            return True
    return False


# what raised a reading's score, as bits: the evidence and support are written out for the
# winner alone (see _why, _support)
_COMMA_ADMIN1, _COMMA_COUNTRY_BIT, _IN_COUNTRY, _IN_ADMIN1, _ADMIN1_SUPPORT = 1, 2, 4, 8, 16
_STATE, _NAMESAKE, _NEAR_COUNTRY, _LOCAL, _POLITICAL_CAPITAL, _TOWN_NEAR = 32, 64, 128, 256, 512, 1024


def _why(row: PlaceRow, bits: int, local_near: dict[int, str]) -> list[str]:
    why = []
    if bits & _COMMA_ADMIN1:
        why.append("inside the admin-1 named beside it (after a comma, or 'the ... town of')")
    if bits & _COMMA_COUNTRY_BIT:
        why.append("inside the country named beside it (after a comma, or 'the ... town of')")
    if bits & _IN_COUNTRY:
        why.append(f"{row.country} mentioned elsewhere")
    if bits & _IN_ADMIN1:
        why.append(f"in {row.admin1_iso or row.admin1_code}, mentioned elsewhere")
    if bits & _STATE:
        why.append("called a state, province or region")
    if bits & _NAMESAKE:
        why.append("a big city of this name, over the same-named places ranked above it")
    if bits & _NEAR_COUNTRY:
        why.append("near a country named elsewhere")
    if bits & _LOCAL:
        why.append(f"near {local_near[row.id]}, named elsewhere")
    if bits & _POLITICAL_CAPITAL:
        why.append("capital, in political news")
    return why


_SUPPORT: dict[int, frozenset[str]] = {}  # bits -> _support(bits)


def _support(bits: int) -> frozenset[str]:
    found = _SUPPORT.get(bits)
    if found is None:
        found = _SUPPORT[bits] = frozenset(_support_of(bits))
    return found


_NEAR_SUPPORT = _LOCAL | _TOWN_NEAR  # support "near"


def _support_of(bits: int) -> set[str]:
    support = set()
    if bits & (_COMMA_ADMIN1 | _COMMA_COUNTRY_BIT):
        support.add("comma")
    if bits & _IN_COUNTRY:
        support.add("country")
    if bits & _ADMIN1_SUPPORT:
        support.add("admin1")
    if bits & _STATE:
        support.add("state")
    if bits & _NEAR_SUPPORT:
        support.add("near")
    return support


def _resolve_group(g: GroupText, index: GazetteerIndex, ctx: DocContext,
                   own: Votes) -> Resolution:
    state_hint = g.state_hint
    if not g.readings.rows:
        return Resolution(None, evidence="no gazetteer entry usable here")
    country_bonus, admin1_bonus, admin1_named, near_key = _group_bonuses(ctx, own, index)
    doc_countries = bool(country_bonus)
    containers = g.comma
    political_capital = ctx.political and not state_hint
    first = g.cands[0]
    local_near = ctx.local_near.get(first.key, {}) if first.kind != "demonym" else {}
    cb_get, ab_get = country_bonus.get, admin1_bonus.get
    readings = g.readings
    if not containers and not state_hint and not (political_capital and readings.capital_rival):
        scored = _scores(readings.rows, readings.static, cb_get, ab_get, doc_countries, admin1_named, near_key,
                         local_near)
    else:
        scored = _scores_with_rules(g, cb_get, ab_get, doc_countries, admin1_named, near_key, local_near,
                                    political_capital)
    if len(scored) > 1:
        scored.sort(key=itemgetter(0), reverse=True)  # stable: ties keep the prior order
    if readings.has_region and scored[0][1].level == "place":
        _water_over_small_town(scored)
    if readings.has_city:
        if g.dateline:
            _city_in_dateline(scored, first.key)
        if not state_hint and not g.container and scored[0][1].level in ("admin1", "admin2"):
            _city_over_its_state(scored, ctx, first.key)
    if scored[0][1].level == "country":
        if containers:
            _country_name_as_contained_town(scored, g.cands, index, containers[0])
        if local_near and scored[0][1].level == "country":
            _country_name_as_local_town(scored, g.cands, index, ctx, own, local_near)
    best = scored[0]
    return Resolution(best[1], scored, best[4], best[2], local_near, ctx, own)


def _scores(rows: tuple[PlaceRow, ...], static: tuple[tuple, ...], cb_get: Callable, ab_get: Callable, doc_countries: bool,
            admin1_named: set[str], near_key: frozenset[str], local_near: dict[int, str]) -> list[tuple]:
    """_scores_with_rules where no comma container, "state" word or political capital applies
    (most names): (score, row, bits, notes, kind) per reading, in prior order."""
    scored = []
    append, abroad_penalty, namesake_bonus = scored.append, W.abroad_penalty, W.namesake_bonus
    near_bonus, local_bonus = W.near_bonus, W.local_bonus
    i = 0  # rows[i] beside static[i] (a counter: zip with nested unpacking is several times slower here)
    for prior, kind, cc, a1, small, near, _is_admin1, namesake, _capital, vouches, place_id in static:
        row = rows[i]
        i += 1
        b = cb_get(cc, 0.0)
        if b:
            score, bits = prior + b, _IN_COUNTRY
        elif small and doc_countries:
            score, bits = prior - abroad_penalty, 0
        else:
            score, bits = prior, 0
        if a1 is not None:
            a = ab_get(a1, 0.0)
            if a:
                score += a
                bits |= _IN_ADMIN1 | _ADMIN1_SUPPORT if vouches or a1 in admin1_named else _IN_ADMIN1
        if namesake:
            score += namesake_bonus
            bits |= _NAMESAKE
        if near and not b and not near_key.isdisjoint(near):  # near: the countries whose point is near
            score += near_bonus
            bits |= _NEAR_COUNTRY
        if local_near and place_id in local_near:
            score += local_bonus
            bits |= _LOCAL
        append((score, row, bits, (), kind))
    return scored


def _scores_with_rules(g: GroupText, cb_get: Callable, ab_get: Callable, doc_countries: bool, admin1_named: set[str],
                       near_key: frozenset[str], local_near: dict[int, str], political_capital: bool) -> list[tuple]:
    """(score, row, bits, notes, kind) per reading, in prior order: the document's bonuses and
    the name's own hints (comma containers, "state", a capital in political news)."""
    state_hint, abroad_penalty = g.state_hint, W.abroad_penalty
    containers = g.comma
    a1s, ccs = containers or ((), ())
    scored = []
    rows = g.readings.rows
    i = 0  # rows[i] beside static[i] (see _scores)
    for prior, kind, cc, a1, small, near, is_admin1, namesake, capital, vouches, place_id in g.readings.static:
        row = rows[i]
        i += 1
        score, bits = prior, 0
        if containers:
            level, admin1_code = row.level, row.admin1_code
            if admin1_code and admin1_code in a1s and level != "admin1":
                score += W.comma_contained
                bits = _COMMA_ADMIN1
            elif row.country in ccs and level != "country":
                score += _COMMA_COUNTRY
                bits = _COMMA_COUNTRY_BIT
        b = cb_get(cc, 0.0)
        if b:
            score += b
            bits |= _IN_COUNTRY
        elif small and doc_countries:
            score -= abroad_penalty
        if a1 is not None:
            a = ab_get(a1, 0.0)
            if a:
                score += a
                bits |= _IN_ADMIN1 | _ADMIN1_SUPPORT if vouches or a1 in admin1_named else _IN_ADMIN1
        if is_admin1 and state_hint:
            score += W.state_word
            bits |= _STATE
        if namesake and not state_hint:
            score += W.namesake_bonus
            bits |= _NAMESAKE
        if near and not b and not near_key.isdisjoint(near):
            score += W.near_bonus
            bits |= _NEAR_COUNTRY
        if local_near and place_id in local_near:
            score += W.local_bonus
            bits |= _LOCAL
        if capital and political_capital:
            score += W.political_capital
            bits |= _POLITICAL_CAPITAL
        scored.append((score, row, bits, (), kind))
    return scored


def _evidence(scored: list[tuple], bits: int, local_near: dict[int, str]) -> str:
    """Why the best reading won: what raised it, the rules that moved it, the runner-up."""
    best_score, best, _bits, notes, _kind = scored[0]
    if bits & _LOCAL:  # names a neighbour of this document
        evidence = "; ".join([_describe(best), *_why(best, bits, local_near), *notes])
    else:
        evidence = _described_why(best, bits)
        if notes:
            evidence = "; ".join([evidence, *notes])
    n = len(scored)
    if n > 1:
        s2, r2 = scored[1][0], scored[1][1]
        return f"{evidence}; beat {n - 1} other(s), {_NEXT_GET(id(r2)) or _next(r2)}{best_score - s2:.1f}"
    return evidence + "; only candidate"


def _country_name_as_contained_town(scored: list, group: list[Candidate], index: GazetteerIndex,
                                    admin1_codes: set[str]) -> None:
    """"Lebanon, N.H.", "Peru, Ind.": a country's name followed by a comma and an admin-1 that
    holds a town of that name is the town (the text says where it is)."""
    town = next((r for r in towns_named_like_country(group[0].entries, index, group[0].key)
                 if r.admin1_code in admin1_codes), None)
    if town is not None:
        scored.insert(0, (scored[0][0], town, _COMMA_ADMIN1, (), NAME))


def _country_name_as_local_town(scored: list, group: list[Candidate], index: GazetteerIndex, ctx: DocContext,
                                own: Votes, local_near: dict[int, str]) -> None:
    """"Peru" beside "Logansport" in a text naming no other country is the town in Indiana,
    not the country: a country's name means a town only next to a place near that
    town, and not next to a name that is mostly a person's ("John Wayne" in Mexico)."""
    person_like = lexicon.common_personal_names()
    town = next((r for r in towns_named_like_country(group[0].entries, index, group[0].key)
                 if r.id in local_near and local_near[r.id].lower() not in person_like), None)
    if town is not None and not _other_countries(ctx, own, town.country):
        scored.insert(0, (scored[0][0], town, _TOWN_NEAR, (f"a town near {local_near[town.id]}, not the country",), NAME))


def _group_bonuses(ctx: DocContext, own: Votes, index: GazetteerIndex
                   ) -> tuple[dict[str, float], dict[str, float], set[str], frozenset[str]]:
    """The document's country and admin-1 bonuses without the group's own votes (a name does
    not vouch for itself), the admin-1s named by states and big cities, and the countries
    named whose nearness counts (the first W.near_countries_max with a point). A group's votes touch at most its own country and
    admin-1, so only those entries of the per-document tables change; names that vote alike
    share the result, and the tables are the document's own (shared, read only) where the
    group's votes change nothing."""
    found = ctx.group_bonuses.get(own)
    if found is not None:
        return found
    cc, mine, code, area = own
    cap = W.context_mentions_cap
    country_bonus = ctx.country_bonus
    # without the group's votes; where the capped count is the same, so is the bonus
    if cc is not None and (n := ctx.countries[cc] - mine) < cap:
        country_bonus = dict(country_bonus)
        if n > 0:
            country_bonus[cc] = _COUNTRY_BONUS[n]
        else:
            country_bonus.pop(cc, None)
    admin1_bonus = ctx.admin1_bonus
    admin1_named = ctx.admin1_named_codes
    if code is not None:
        if (n := ctx.admin1[code] - mine) < cap:
            admin1_bonus = dict(admin1_bonus)
            if n > 0:
                admin1_bonus[code] = _ADMIN1_BONUS[n]
            else:
                admin1_bonus.pop(code, None)
        if code in admin1_named and ctx.admin1_named[code] - mine <= 0:
            admin1_named = admin1_named - {code}
        if code in ctx.admin1_areas:  # a dwarfed town's bonus (see DWARFED) is this admin-1's ...
            dwarfed = DWARFED + code
            # ... while a state or county other than the group names it
            keep = n > 0 and (not area or ctx.admin1_areas[code] - mine > 0)
            if (admin1_bonus.get(dwarfed) != admin1_bonus[code]) if keep else dwarfed in admin1_bonus:
                if admin1_bonus is ctx.admin1_bonus:
                    admin1_bonus = dict(admin1_bonus)
                if keep:
                    admin1_bonus[dwarfed] = admin1_bonus[code]
                else:
                    del admin1_bonus[dwarfed]
            if dwarfed in admin1_named and not (keep and code in admin1_named):
                admin1_named = admin1_named - {dwarfed}
    if len(country_bonus) == len(ctx.country_bonus):  # the same countries (maybe other bonuses)
        near_key = ctx.near_key
    else:
        near_key = frozenset([cc for cc, _ in ctx.country_points if cc in country_bonus][:W.near_countries_max])
    found = ctx.group_bonuses[own] = (country_bonus, admin1_bonus, admin1_named, near_key)
    return found


def _in_dateline(text: str, c: Candidate) -> bool:
    """The name opens a line, or follows a headline's colon, in capitals, before "(Outlet)" or a dash."""
    if not c.surface.isupper():
        return False
    if c.start > 0 and text[c.start - 1] != ":" and not text[c.start - 1].isspace():
        return False  # what the tests below need: a blank or a colon just before the name
    before = text[max(0, c.start - 3):c.start]
    if c.start > 0 and not (before.endswith("\n") or before.rstrip(" \t").endswith(":")
                            or text[text.rfind("\n", 0, c.start) + 1:c.start].strip() == ""):
        return False
    m = DATELINE.match(text, c.start)
    return m is not None and m.end(1) >= c.end


def _city_named(t: tuple, key: str) -> bool:
    """A scored reading (its row second, its kind of name last) that names the town itself
    (see names_the_town)."""
    return names_the_town(t[1], t[-1], key)


def _city_in_dateline(scored: list, key: str) -> None:
    """A dateline names the city the story was filed from ("WASHINGTON (AP) —"), not a state."""
    if scored[0][1].level not in ("admin1", "admin2"):
        return
    city = next((t for t in scored if t[1].level == "place" and t[1].population >= W.own_municipality_town_pop
                 and _city_named(t, key)), None)
    if city is not None:
        scored.remove(city)
        scored.insert(0, (scored[0][0], city[1], city[2], (*city[3], "a dateline names a city"), city[4]))


def _city_over_its_state(scored: list, ctx: DocContext, key: str) -> None:
    """A name that is both a city and the state around it ("New York", "Puebla", "Lagos"):
    news means the city, unless it says "state" or names other states of the same country
    ("New York, New Jersey and Connecticut"). The city takes the state's place, no more: it
    does not beat other readings the state would not have beaten."""
    state = scored[0][1]
    if not names_the_town(state, scored[0][4], key):
        return  # "NY", "Calif." are the state's codes (a name like the state's own counts: "Krasnodar")
    if state.level == "admin1" and ctx.states_named[state.country] <= 1:
        inside, min_pop = (lambda r: r.admin1_code == state.admin1_code), W.own_state_city_pop
    elif state.level == "admin2" and state.admin2_code:  # "Celaya", "Culiacán": the town, not the municipality
        inside, min_pop = (lambda r: r.admin2_code == state.admin2_code), W.own_municipality_town_pop
    else:
        return
    city = next((t for t in scored if t[1].level == "place" and inside(t[1]) and _city_named(t, key)
                 and t[1].population >= min_pop), None)
    if city is not None:
        scored.remove(city)
        unit = "state" if state.level == "admin1" else "municipality"
        note = f"the town, not its same-named {unit} {state.name}"
        scored.insert(0, (scored[0][0], city[1], city[2], (*city[3], note), city[4]))


_COMMA_OR_ADMIN1 = _COMMA_ADMIN1 | _COMMA_COUNTRY_BIT | _ADMIN1_SUPPORT  # support from "comma" or "admin1"
_COMMA_OR_COUNTRY = _COMMA_ADMIN1 | _COMMA_COUNTRY_BIT | _IN_COUNTRY  # support "comma" or "country"


def _water_over_small_town(scored: list) -> None:
    """"the Pacific", "the Atlantic": a sea or ocean, not a small town named after it,
    unless the text places the town ("Atlantic, Iowa")."""
    best = scored[0]
    if best[1].level != "place" or best[1].population >= W.water_over_town_pop or best[2] & _COMMA_OR_ADMIN1:
        return
    water = next((t for t in scored if t[1].level == "region"), None)
    if water is not None:
        scored.remove(water)
        scored.insert(0, (*water[:3], (*water[3], f"a sea or region, not the small town {best[1].name}"), water[4]))


def _english_word_zipf(word: str, zipf: dict[str, float]) -> float:
    """Zipf frequency of a word, British spellings read as their American form ("centre")."""
    forms = [word]
    for british, american in (("re", "er"), ("our", "or"), ("ise", "ize")):
        if word.endswith(british):
            forms.append(word[: -len(british)] + american)
    return max(zipf.get(f, 0.0) for f in forms)


def _generic_admin_name(c: Candidate, res: Resolution) -> bool:
    """"Delta", "Eastern": an admin unit named by a common English word, whose country the text never names."""
    row = res.place
    if (row is None or row.level not in ("admin1", "admin2") or " " in c.key
            or row.population >= W.generic_admin_max_pop or res.bits & _COMMA_OR_COUNTRY):
        return False  # the word list is asked last: most names fail before
    return _english_word_zipf(c.key, lexicon.common_word_zipf()) >= W.generic_admin_zipf


_ADMIN_LEVELS = ("admin1", "admin2")
_COMMA_OR_STATE = _COMMA_ADMIN1 | _COMMA_COUNTRY_BIT | _STATE  # support from "comma" or "state"
_COMMA_SUPPORT = _COMMA_ADMIN1 | _COMMA_COUNTRY_BIT  # support "comma"
_ADMIN1_NEAR = _ADMIN1_SUPPORT | _NEAR_SUPPORT  # support "admin1" or "near"
_ADMIN1_COMMA_NEAR = _ADMIN1_NEAR | _COMMA_SUPPORT  # support "admin1", "comma" or "near"


def prune_unsupported(cands: list[Candidate], resolutions: dict[int, Resolution]) -> None:
    """Drop resolved names that nothing in the document supports and that are more likely
    something else: a small town abroad in a story about other countries, or a small town
    whose name is a common given name or surname."""
    common_names = lexicon.common_personal_names()
    get = resolutions.get
    famous_pop, hamlet_pop, personlike_pop = W.famous_pop, W.hamlet_pop, W.personlike_place_pop
    for c in cands:
        if c.drop is not None or c.kind == "demonym":
            continue
        res = get(id(c))
        if res is None or res.place is None:
            continue
        row = res.place
        level, bits = row.level, res.bits  # the support asked below, read from the bits (see _support_of)
        if level in _ADMIN_LEVELS and _generic_admin_name(c, res) and not c.in_county_list:
            c.drop = drop(Drop.GENERIC_ADMIN_NAME, word=c.surface, place=row.name, country=row.country)
            continue
        if bits & _COMMA_OR_STATE or c.in_county_list:
            continue
        alt = res.matched_kind == ALT
        if level == "country" or level == "region":
            # even a country: "Henderson" is an old name of the Pitcairn Islands, not what a text means
            if alt and row.population < famous_pop and alt_unlike(c.key, row):
                c.drop = drop(Drop.UNLIKE_ALT_OF_PLACE, word=c.surface, place=row.name)
            continue
        if alt and row.population < famous_pop and alt_unlike(c.key, row) and not bits & _COMMA_SUPPORT:
            c.drop = drop(Drop.UNLIKE_ALT_OF_PLACE, word=c.surface, place=row.name)
        elif (is_small(row) and not (level == "admin2" and " " in c.key)  # "Henry County" says what it is
              and not bits & _IN_COUNTRY and res.other_countries):
            c.drop = drop(Drop.SMALL_AND_ABROAD, place=row.name, country=row.country)
        elif level == "place" and row.population < hamlet_pop and not bits & _ADMIN1_COMMA_NEAR:
            c.drop = drop(Drop.HAMLET, place=row.name, population=row.population)
        elif ((level == "place" or level == "admin2") and row.population < personlike_pop
              and not bits & _ADMIN1_NEAR and c.key in common_names):
            c.drop = drop(Drop.PERSONAL_NAME_SMALL_PLACE, word=c.surface, place=row.name)


def _comma_containers(group: list[Candidate], index: GazetteerIndex) -> tuple[set[str], set[str]] | None:
    a1s: set[str] = set()
    ccs: set[str] = set()
    for c in group:
        if c.comma_next is not None:
            _add_containers(c.comma_next.entries, index, a1s, ccs)
    return (a1s, ccs) if (a1s or ccs) else None


def _add_containers(entries: tuple, index: GazetteerIndex, a1s: set[str], ccs: set[str],
                    only_kind: int | None = None) -> None:
    """Add to a1s and ccs the admin-1s and countries among the places of the entries (those of
    only_kind, when given; a country's alternate names never count): what a name beside
    another one says it lies in."""
    for place_id, kind in entries:
        row = index.places.get(place_id) if only_kind is None or kind == only_kind else None
        if row is None:
            continue
        if row.level == "admin1" and row.admin1_code:
            a1s.add(row.admin1_code)
        elif row.level == "country" and kind != ALT:
            ccs.add(row.country)


# "the Venezuelan city of San Rafael", "the Californian town of Paradise": a demonym before a
# word for a settlement or unit and "of" says where the name lies, as a comma container does
_UNITS = ("city", "town", "village", "capital", "port", "province", "state", "region", "district", "municipality",
          "island")
_UNIT_OF = tuple(f" {unit} of " for unit in _UNITS)  # (a quick test before the pattern)
_DEMONYM_UNIT_OF = re.compile(rf"\b([A-Z][^\W\d_]+)\s+(?:{'|'.join(_UNITS)})\s+of\s+$")


def _demonym_containers(text: str, group: list[Candidate], index: GazetteerIndex,
                        found: tuple[set[str], set[str]] | None) -> tuple[set[str], set[str]] | None:
    """found (the comma containers, or None) with the country or admin-1 of each demonym
    written "the <demonym> city of" before an occurrence of the name."""
    a1s, ccs = found or (set(), set())
    for c in group:
        s = c.start
        m = _DEMONYM_UNIT_OF.search(text, max(0, s - 60), s) if text.endswith(_UNIT_OF, max(0, s - 16), s) else None
        if m is not None:
            _add_containers(index.entries(normalize(m.group(1))), index, a1s, ccs, DEMONYM)
    return (a1s, ccs) if (a1s or ccs) else None


def _confidence(scored: list[tuple], exp: Callable[[float], float] = math.exp) -> float:
    """From the scores of the best W.confidence_top_n readings (scored: best first)."""
    n = len(scored)
    if n == 1:
        return _ONLY_CANDIDATE
    top = scored[0][0]
    best = scored if n <= _TOP_N else scored[:_TOP_N]  # most names have a few readings: no copy
    total = sum([exp((t[0] - top) / _TEMPERATURE) for t in best])
    return round_3(min(_MAX_CONFIDENCE, 1.0 / total))


def round_3(x: float) -> float:
    """round(x, 3) for 0 <= x < 1000, which round() works out through a decimal string
    (~2,700 instructions a call); here by scaling, with round() itself next to a tie,
    where the scaling's rounding error (below 1e-12) could matter."""
    scaled = x * 1000.0
    low = math.floor(scaled)
    above = scaled - low
    if abs(above - 0.5) < 1e-6:
        return round(x, 3)
    return (low + 1 if above > 0.5 else low) / 1000.0


# _confidence runs for every mention's reading: its weights as plain module values
_ONLY_CANDIDATE, _TOP_N = W.only_candidate_confidence, W.confidence_top_n
_TEMPERATURE, _MAX_CONFIDENCE = W.confidence_temperature, W.max_confidence


_DESCRIBED_WHY = RowMemo(DESCRIBED_MAX)  # (id(row), bits) -> the text


def _described_why(row: PlaceRow, bits: int) -> str:
    """_describe(row) and _why(row, bits) joined, kept per place and bits (without _LOCAL, whose
    text names a neighbour of the document)."""
    key = (id(row), bits)
    found = _DESCRIBED_WHY.values.get(key)
    if found is not None:
        return found
    text = "; ".join([_describe(row), *_why(row, bits, {})])
    _DESCRIBED_WHY.put(row, key, text)
    return text


_DESCRIBED = RowMemo(DESCRIBED_MAX)  # id(row) -> _describe(row)


def _describe(row: PlaceRow) -> str:
    """"Culiacán (PPLA, MX-SIN, pop 785,800)", kept per place (the same places win again and again)."""
    key = id(row)
    found = _DESCRIBED.values.get(key)
    if found is not None:
        return found
    what = row.feature_code if row.level == "place" else row.level
    pop = f", pop {row.population:,}" if row.population else ""
    where = row.admin1_iso or row.country
    desc = f"{row.name} ({what}, {where}{pop})"
    _DESCRIBED.put(row, key, desc)
    return desc


_NEXT = RowMemo(DESCRIBED_MAX)  # id(row) -> _next(row)
_NEXT_GET = _NEXT.values.get


def _next(row: PlaceRow) -> str:
    """"next Paris (place, US) by ": a runner-up in the evidence, kept per place."""
    text = f"next {row.name} ({row.level}, {row.country}) by "
    _NEXT.put(row, id(row), text)
    return text
