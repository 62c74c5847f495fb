"""What recognition decides about a matched name from the name as written alone, before
reading its context: the verdict on its written form, the entries that leaves, and its
profile (common word, personal name, weak alternate name, ...). `geo.extract` keeps the
result per written form (its NameInfo).

For the usual way a name is written (a capital first, not all capitals, no '#'), all of it
depends on the index key alone, so `build_codes` packs it per key when the index is built
(`decide` on every key, the function the runtime uses for the other written forms), and a
name met for the first time costs one array read (`coded`) instead of the rules. The index
folder's hash covers everything the codes are made from (`SOURCES`).

Layout of a code (uint32, 0: none): bit 0 set; bits 1-3 the verdict (an index into
_USUAL_VERDICTS); bit 4 the written form narrows the entries (`without_bare_county`); bit 5
sure; bit 6 a profile follows: bits 7-11 its flags (as _SHARED_PROFILES numbers them), then
each drop field's reason as an index into _PROFILE_DROPS (0: none).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from geo import key_facts
from geo.geoparse_index import KIND_CODE, KINDS, WORD_MARK, Entry, GazetteerIndex, PlaceRow
from geo.nlp import lexicon
from geo.nlp.similarity import alt_unlike
from geo.reasons import Drop, Dropped, drop

NAME, DEMONYM, ASCII, ALT, ABBR, ISO, AFTER_COMMA, PRESS = (KIND_CODE[k] for k in KINDS)
# kinds as bits of key_facts.kinds_mask
DEMONYM_BIT, ALT_BIT, ISO_BIT, AFTER_COMMA_BIT = (1 << k for k in (DEMONYM, ALT, ISO, AFTER_COMMA))
CODE_BITS = sum(1 << k for k in (ABBR, ISO, AFTER_COMMA, PRESS))  # the kinds that are codes
# a name's highest level counting only some kinds of entry, from its key_facts (see profile)
_LEVEL_NAAA = key_facts.LevelTable((NAME, ASCII, ALT, ABBR))
_LEVEL_NAAP = key_facts.LevelTable((NAME, ASCII, ABBR, PRESS))
_LEVEL_NAA = key_facts.LevelTable((NAME, ASCII, ABBR))
_LEVELS_MASK = key_facts.LEVELS_MASK
HIGH_LEVELS = ("country", "admin1", "region")
COMMON_MID = 4.9  # Zipf above which a capitalised mid-sentence word is still not a place
COMMON_SOFT = 4.0  # ... and above which it must be a big place to count
COMMON_START = 3.3  # Zipf above which a sentence-initial word is suspect
COMMON_HAMLET = 3.5  # ... and above which a word must name a place of HAMLET_WORD_POP people to count
HAMLET_WORD_POP = 5_000
BIG_PLACE = 100_000
SMALL_ALT_PLACE = 15_000  # an alternate name alone is trusted only for a town this big
BIG_ALT_PLACE = 1_000_000  # ... and, when unlike the place's name or also a person's, for one this big

_DEMONYM_END = re.compile(r"(an|ese|ish|i|ch)$")
ABBREVIATION: Any = object()  # a verdict: "a code: its context decides"


def packed_facts(entries: tuple[Entry, ...], index: GazetteerIndex) -> tuple[int, int]:
    """The key_facts of a name's entries, (all of them, without bare-county entries): read
    from the index for entries as the index gives them for a key (the facts are those of the
    entries alone, so a hashtag's are its name's), else worked out from their rows."""
    key_id = index.key_id_of(entries)
    if key_id is not None:
        at = index.key_facts_at
        return at(2 * key_id + key_facts.ALL), at(2 * key_id + key_facts.WITHOUT_BARE_COUNTY)
    rows = index.facts(entries).rows
    return key_facts.pack_entries([kind for _, kind in entries],
                                  [key_facts.PLACE_RANK if r is None else key_facts.LEVEL_ORDER[r.level] for r in rows],
                                  [0 if r is None else r.population for r in rows])


def decide(key: str, entries: tuple[Entry, ...], facts: tuple[int, int], first_upper: bool, capitals: bool,
           hashtag: bool, index: GazetteerIndex,
           zipf: dict[str, float]) -> tuple[bool, Dropped | None, tuple[Entry, ...], NameProfile | None]:
    """(sure, verdict, narrowed entries, profile) of a name (key: folded) written with a
    capital first or not, in capitals or not, behind '#' or not (facts: packed_facts of its
    entries; zipf: lexicon.common_word_zipf()). sure: not a personal name, or the name (not an
    alternate one) of a country, region or admin-1; the profile is None when the verdict
    drops the name."""
    verdict, narrowed, packed = written_form(key, entries, facts, first_upper, capitals, hashtag, index, zipf)
    personal = key in lexicon.personal_names()
    sure = not personal or _LEVEL_NAA[packed & _LEVELS_MASK] in HIGH_LEVELS
    name_profile = None if verdict and verdict is not ABBREVIATION else profile(key, narrowed, packed, personal, index)
    return sure, verdict, narrowed, name_profile


def _not_bare_county(e: Entry, row: PlaceRow | None) -> bool:
    return not (e[1] == ALT and row is not None and row.level == "admin2")  # (place_id, kind)


def without_bare_county(entries: tuple[Entry, ...], index: GazetteerIndex) -> tuple[Entry, ...]:
    """index.derived(entries, "no_bare_county", _not_bare_county) without the facts of every
    entry (their rows, kinds, populations): only an alternate name's entry needs its place's
    row (the result is kept in the name's NameInfo)."""
    get = index.places.get
    kept = tuple([e for e in entries if _not_bare_county(e, get(e[0]) if e[1] == ALT else None)])
    return entries if len(kept) == len(entries) else kept


def without_iso_codes(entries: tuple[Entry, ...]) -> tuple[Entry, ...]:
    """entries without a country's ISO code, unless that is all they are: a code is written in
    capitals ("UGA"), so "Uga" is the town of that name."""
    kept = tuple([e for e in entries if e[1] != ISO])
    return kept if kept and len(kept) < len(entries) else entries


def written_form(key: str, entries: tuple[Entry, ...], facts: tuple[int, int], first_upper: bool, capitals: bool,
                 hashtag: bool, index: GazetteerIndex,
                 zipf: dict[str, float]) -> tuple[Dropped | None, tuple[Entry, ...], int]:
    """How the name is written (case, dates, agencies, titles, codes), the entries that this
    leaves and their key_facts (see decide); ABBREVIATION for a code, whose context decides.
    The name as written counts only by its first letter's case and whether it is all capitals
    (str.isupper, which the dots of "U.S." do not change)."""
    packed = facts[key_facts.ALL]
    if not first_upper and not hashtag:
        return drop(Drop.NOT_CAPITALISED), entries, packed
    if key in lexicon.MONTHS_WEEKDAYS:
        return drop(Drop.MONTH_OR_WEEKDAY), entries, packed
    if key in lexicon.NEWS_AGENCIES:
        return drop(Drop.NEWS_AGENCY), entries, packed
    if key.rstrip(".") in lexicon.TITLES:
        return drop(Drop.TITLE), entries, packed
    if hashtag and not first_upper and zipf.get(key, 0) >= 2.5:
        return drop(Drop.HASHTAG_COMMON_WORD), entries, packed
    if " " not in key:
        # "Scott" alone is a surname far more often than Scott County: keep counties only
        # when named as such (their own name, or an alias that still says County/Parish)
        if key_facts.has_bare_county(packed):
            entries = without_bare_county(entries, index)
        packed = facts[key_facts.WITHOUT_BARE_COUNTY]
    if not entries:
        return drop(Drop.BARE_COUNTY_NAME), entries, packed
    kinds = key_facts.kinds_mask(packed)
    if kinds & ISO_BIT and kinds & ~ISO_BIT and not capitals:
        entries = without_iso_codes(entries)
        packed = packed_facts(entries, index)[key_facts.ALL]  # (bare counties already left out)
        kinds = key_facts.kinds_mask(packed)
    # (the surface is as long as its key: the fold maps one character to one)
    if (capitals and len(key) <= 4 and not kinds & CODE_BITS
            and key_facts.level(packed) not in ("country", "admin1")):
        return drop(Drop.ACRONYM_OF_ALT_NAME), entries, packed
    if len(key.replace(".", "")) <= 2 and not capitals and not kinds & AFTER_COMMA_BIT:
        return drop(Drop.TWO_LETTERS_NOT_CODE), entries, packed
    if not kinds & ~ISO_BIT:
        return drop(Drop.ISO3_CODE), entries, packed
    if _is_abbreviation_only(key, capitals, kinds):
        return ABBREVIATION, entries, packed
    return None, entries, packed


def _is_abbreviation_only(key: str, capitals: bool, kinds: int) -> bool:
    """kinds: a key_facts.kinds_mask; capitals: the name is written in capitals."""
    letters = key.replace(".", "").replace(" ", "")
    short = len(letters) <= 4 or "." in key
    return (not kinds & ~CODE_BITS and short) or (len(letters) <= 3 and capitals)


@dataclass(slots=True, eq=False)  # (see extract.NameInfo); most are shared: read them, never set them
class NameProfile:
    """What classification asks about a name that depends on the name and its gazetteer
    entries alone: worked out once per name (cached in its NameInfo), not per mention."""

    demonym: bool  # named as its people ("Mexican", "Iraqis")
    high: bool  # a country, region or admin-1 reading
    big: bool  # some reading has BIG_PLACE people or more
    personal: bool  # also a given name or surname
    common: bool  # a common English word: the common-word rules apply
    sentence_drop: Dropped | None  # a common word opening a sentence
    word_drop: Dropped | None  # too common (or naming only small places) to be a place anywhere
    lower_drop: Dropped | None  # ... unless the text also writes it in lower case
    weak_alt: Dropped | None  # only an alternate name, and a weak one


PERSONAL_ADMIN1_POP = 1_000_000


def profile(key: str, entries: tuple[Entry, ...], packed: int, personal: bool, index: GazetteerIndex) -> NameProfile:
    """The NameProfile of a name and its entries (packed: their key_facts; personal: the name
    is also a given name or surname)."""
    kinds = key_facts.kinds_mask(packed)
    max_pop = key_facts.max_pop(packed)
    levels = packed & _LEVELS_MASK
    level = _LEVEL_NAAA[levels]
    # a person's name that is also a small admin-1 ("Rivera", "Herrera", "Duarte": departments
    # and provinces of under a million people) is no higher than a town for the person rules
    high = level in HIGH_LEVELS and not (personal and level == "admin1" and max_pop < PERSONAL_ADMIN1_POP)
    z = lexicon.common_word_zipf().get(key, 0.0)
    # "China", "Turkey", "Chad": a country's name is never only a common word
    common = (z >= 3.0 and " " not in key and "-" not in key and _LEVEL_NAAP[levels] not in ("country", "region"))
    sentence_drop = word_drop = lower_drop = None
    if common:
        if z >= COMMON_START:
            sentence_drop = drop(Drop.COMMON_WORD_SENTENCE_START, word=key)
        if z >= COMMON_MID:
            word_drop = drop(Drop.COMMON_WORD, word=key)
        elif z >= COMMON_SOFT and not high and level != "admin2" and max_pop < BIG_PLACE // 2:
            word_drop = drop(Drop.COMMON_WORD_SMALL_PLACES, word=key)
        elif z >= COMMON_HAMLET and not high and level != "admin2" and max_pop < HAMLET_WORD_POP:
            word_drop = drop(Drop.COMMON_WORD_SMALL_PLACES, word=key)  # "Tornado" (West Virginia, 1,081 people)
        elif not high:
            lower_drop = drop(Drop.USED_IN_LOWER_CASE, word=key)
    weak_alt = _weak_alternate_name(key, entries, max_pop, index, z, personal) if not kinds & ~ALT_BIT else None
    demonym = bool(kinds & DEMONYM_BIT) and (not kinds & ~(DEMONYM_BIT | ALT_BIT) or bool(_DEMONYM_END.search(key)))
    big = max_pop >= BIG_PLACE
    if sentence_drop or word_drop or lower_drop or weak_alt:
        return NameProfile(demonym, high, big, personal, common, sentence_drop, word_drop, lower_drop, weak_alt)
    # most names drop nowhere: their profile is one of 32, each made once (numbered by its flags)
    return _SHARED_PROFILES[demonym | high << 1 | big << 2 | personal << 3 | common << 4]


_SHARED_PROFILES = tuple(NameProfile(bool(n & 1), bool(n & 2), bool(n & 4), bool(n & 8), bool(n & 16),
                                     None, None, None, None) for n in range(32))


def _weak_alternate_name(key: str, entries: tuple[Entry, ...], best_pop: int, index: GazetteerIndex,
                         zipf: float, personal: bool) -> Dropped | None:
    """An alternate name alone must look like the place's name, or the place must be big:
    GeoNames carries translations ("Hamas" for Hamm) that English text means otherwise
    (best_pop: the largest population among the entries' places). One that is also a given
    name or surname ("Jim" for Jimma, "Sam" for Damascus) is a person's in news unless the
    place is famous by it (_famous_by; personal: the name is in the personal-name lists)."""
    if zipf >= 2.5:
        return drop(Drop.ALT_NAME_ENGLISH_WORD)
    if best_pop < SMALL_ALT_PLACE:
        return drop(Drop.ALT_NAME_SMALL_PLACE)
    rows = index.facts(entries).rows
    if best_pop < BIG_ALT_PLACE and not any(not alt_unlike(key, row) for row in rows):
        return drop(Drop.ALT_NAME_UNLIKE)
    if personal and not any(_famous_by(key, row) for row in rows if row is not None):
        return drop(Drop.ALT_NAME_PERSONAL)
    return None


def _famous_by(key: str, row: PlaceRow) -> bool:
    """A personal name that is an alternate name of this place may still mean the place: a
    country or admin-1 of BIG_ALT_PLACE people ("Brittany"), or a city that big whose name it
    looks like ("Xian" for Xi'an; not "Sam" for Damascus)."""
    return row.population >= BIG_ALT_PLACE and (row.level in ("country", "admin1") or not alt_unlike(key, row))


# -- the per-key codes -------------------------------------------------------------------------
# the verdicts of the usual written form (a capital first, not all capitals, no '#')
_USUAL_VERDICTS = (None, ABBREVIATION, *(drop(d) for d in (
    Drop.MONTH_OR_WEEKDAY, Drop.NEWS_AGENCY, Drop.TITLE, Drop.BARE_COUNTY_NAME, Drop.TWO_LETTERS_NOT_CODE,
    Drop.ISO3_CODE)))
# the reasons each drop field of a profile can hold, and the bits of its index (0: none)
_PROFILE_DROPS = (((Drop.COMMON_WORD_SENTENCE_START,), 1), ((Drop.COMMON_WORD, Drop.COMMON_WORD_SMALL_PLACES), 2),
                  ((Drop.USED_IN_LOWER_CASE,), 1),
                  ((Drop.ALT_NAME_ENGLISH_WORD, Drop.ALT_NAME_SMALL_PLACE, Drop.ALT_NAME_UNLIKE, Drop.ALT_NAME_PERSONAL),
                   3))
_VERDICT_SHIFT, NARROWED, SURE, HAS_PROFILE, _PROFILE_SHIFT = 1, 1 << 4, 1 << 5, 1 << 6, 7
_FLAG_BITS = 5


def usual_key(marked_key: str) -> str:
    """The folded name an index key stands for when its words are separated by blanks (the
    key marks word starts, so "new york" and "new-york" share one)."""
    return marked_key[1:].replace(WORD_MARK, " ")


def coded(key: str, entries: tuple[Entry, ...],
          index: GazetteerIndex) -> tuple[bool, Dropped | None, tuple[Entry, ...], NameProfile | None] | None:
    """decide() for a name in its usual written form, from its key's code (None when the
    entries are not the index's for a key, or key is not that key's usual_key)."""
    key_id = index.key_id_of(entries)
    if key_id is None:
        return None
    code = index.name_code_at(key_id)
    if not code or key != usual_key(index.tables.keys[key_id]):
        return None
    narrowed = entries
    if code & NARROWED:  # (what written_form leaves of them, written the usual way)
        narrowed = without_iso_codes(without_bare_county(entries, index) if " " not in key else entries)
    found = _decode_profile(code >> _PROFILE_SHIFT, key) if code & HAS_PROFILE else None
    return bool(code & SURE), _USUAL_VERDICTS[(code >> _VERDICT_SHIFT) & 7], narrowed, found


def encode(key: str, entries: tuple[Entry, ...],
           decided: tuple[bool, Dropped | None, tuple[Entry, ...], NameProfile | None]) -> int:
    """The code of decide()'s answer for a name in its usual written form (ValueError if the
    layout cannot hold it)."""
    sure, verdict, narrowed, found = decided
    code = 1 | _USUAL_VERDICTS.index(verdict) << _VERDICT_SHIFT | (narrowed is not entries) * NARROWED | sure * SURE
    if found is not None:
        code |= HAS_PROFILE | _encode_profile(found, key) << _PROFILE_SHIFT
    return code


def _encode_profile(p: NameProfile, key: str) -> int:
    code = p.demonym | p.high << 1 | p.big << 2 | p.personal << 3 | p.common << 4
    if p is _SHARED_PROFILES[code]:  # (most: no drops)
        return code
    shift = _FLAG_BITS
    for value, (reasons, bits) in zip(_drop_fields(p), _PROFILE_DROPS, strict=True):
        if value is not None:
            if value.code not in reasons or value != _profile_drop(value.code, key):
                raise ValueError(f"{key!r}: a profile drop the codes cannot hold: {value}")
            code |= (reasons.index(value.code) + 1) << shift
        shift += bits
    return code


def _decode_profile(code: int, key: str) -> NameProfile:
    flags = code & 31
    if not code >> _FLAG_BITS:
        return _SHARED_PROFILES[flags]
    fields = []
    shift = _FLAG_BITS
    for reasons, bits in _PROFILE_DROPS:
        at = (code >> shift) & ((1 << bits) - 1)
        fields.append(_profile_drop(reasons[at - 1], key) if at else None)
        shift += bits
    return NameProfile(bool(flags & 1), bool(flags & 2), bool(flags & 4), bool(flags & 8), bool(flags & 16), *fields)


def _drop_fields(p: NameProfile) -> tuple[Dropped | None, ...]:
    return p.sentence_drop, p.word_drop, p.lower_drop, p.weak_alt


def _profile_drop(reason: Drop, key: str) -> Dropped:
    """A profile's drop as profile() makes it: quoting the name when its text has a word."""
    return drop(reason, word=key) if reason in _QUOTING_WORD else drop(reason)


_QUOTING_WORD = frozenset(d for d in Drop if "{word}" in d.value)  # (an Enum's .value is slow to read)


def build_codes(index: GazetteerIndex) -> np.ndarray:
    """The code of every index key (0 for keys without entries), by decide()."""
    keys = index.tables.keys
    out = np.zeros(len(keys), dtype=np.uint32)
    at = index.key_facts_at
    zipf = lexicon.common_word_zipf()
    for key_id, marked_key in enumerate(keys):
        entries = index.entries_of(key_id)
        if entries:
            key = usual_key(marked_key)
            facts = at(2 * key_id + key_facts.ALL), at(2 * key_id + key_facts.WITHOUT_BARE_COUNTY)
            out[key_id] = encode(key, entries, decide(key, entries, facts, True, False, False, index, zipf))
    return out


def sources() -> list[bytes]:
    """What the codes are made from besides the index (code and word lists), for the hash
    that names the index folder."""
    import rapidfuzz  # (alt_unlike's similarity score)

    from geo import reasons, textnorm
    from geo.nlp import similarity

    data = resources.files("geo").joinpath("data")
    files = [Path(__file__), Path(lexicon.__file__), Path(similarity.__file__), Path(reasons.__file__),
             Path(textnorm.__file__)]
    return ([f.read_bytes() for f in files]
            + [data.joinpath(n).read_bytes() for n in ("common_words.tsv", "first_names.txt", "common_given_names.txt",
                                                          "surnames.txt")]
            + [rapidfuzz.__version__.encode()])
