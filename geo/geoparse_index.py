"""The geoparser's view of the gazetteer: every folded name, and a compact row per place.

Built once from the sqlite `names`/`places` tables into a folder beside the gazetteer
(keyed by the gazetteer's build id and a hash of this code and the alias list), then loaded
in well under a second by any process: place columns are memory-mapped numpy arrays, each
name's record (its entries and its places' rows, marshalled) a slice of one file read by offset
when the name is first met, and only the name keys become a Python dict. Place rows and entry tuples are made on demand (a name's in
one marshal call) and kept in bounded caches.
"""

from __future__ import annotations

import hashlib
import json
import logging
import marshal
import os
import re
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple, TypeAlias

import numpy as np

from geo import key_facts, paths
from geo.gazetteer import BUILD_HINT, GazetteerMissingError
from geo.textnorm import normalize
from geo.types import Place

INDEX_VERSION = "14"  # bump when the file layout changes
# name kinds, most telling first; an entry stores the small integer
# ("after_comma" marks aliases usable only in "<place>, <alias>", e.g. AP "Ga.")
# ("press" marks aliases from geo/data/geoparse_aliases.tsv usable anywhere: "U.S.", "UK")
KINDS = ("name", "demonym", "ascii", "alt", "abbr", "iso", "after_comma", "press")
KIND_CODE = {k: i for i, k in enumerate(KINDS)}
REGION_LEVEL = "region"
LEVELS = ("country", "admin1", "admin2", "place", REGION_LEVEL)
# text columns stored as codes into a vocabulary
_CODED = ("feature_code", "country", "admin1_code", "admin1_iso", "admin2_code")
ROW_CACHE_MAX = 100_000  # place rows kept as Python objects (then the cache starts afresh)
ENTRY_CACHE_MAX = 50_000  # names whose entry tuples are kept


class PlaceRow(NamedTuple):
    """What ranking needs to know about a place, without building a full Place."""

    id: int
    name: str
    level: str
    feature_code: str
    country: str
    admin1_code: str
    admin1_iso: str
    admin2_code: str
    population: int
    lat: float
    lon: float


# an entry of a name: (place_id, kind), kind an index into KINDS ("for place_id, kind in
# entries"). A plain tuple of two ints, which the garbage collector stops tracking (a
# NamedTuple is tracked for as long as it lives), and what marshal gives back.
Entry: TypeAlias = tuple[int, int]


_WORD_START = re.compile(r"[^\w](?=\w)")
WORD_MARK = "\x02"


def marked(folded: str) -> str:
    """' ' + text with every character before a word start replaced by WORD_MARK.

    Keys are stored marked too, so a name matches only from a word start and whatever
    separates its words ("New York", "New-York").
    """
    return _WORD_START.sub(WORD_MARK, " " + folded)


class RecordFile:
    """A file of records read by offset (os.pread). What is read stays in the page cache, not
    in the process: a memory map would count each page touched as resident, and with it the
    pages the kernel maps around it (the records of a few thousand names: ~50 MB)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd = os.open(path, os.O_RDONLY)
        self._size = os.fstat(self._fd).st_size

    def __reduce__(self) -> tuple:
        return RecordFile, (self.path,)  # another process opens the file again (a descriptor is per process)

    def __len__(self) -> int:
        return self._size

    def read(self, start: int, end: int) -> bytes:
        return os.pread(self._fd, end - start, start)

    def __del__(self) -> None:
        os.close(self._fd)


def _reader_of(data: bytes) -> Callable[[int, int], memoryview]:
    view = memoryview(data)
    return lambda start, end: view[start:end]


@dataclass
class Tables:
    """The index as arrays: what is written to disk and memory-mapped back."""

    place: dict[str, np.ndarray]  # id, level, population, lat, lon, name_off + coded columns
    names: bytes  # utf-8 place names, cut by place["name_off"]
    vocab: dict[str, Sequence[str]]  # coded column -> its values
    keys: list[str]  # marked name keys; a trailing-prefix flag is in key_flags
    key_flags: np.ndarray  # 1: a name, 2: the start of a longer name (bit mask)
    key_off: np.ndarray  # key i's record is key_records[key_off[i]:key_off[i+1]] (empty: no entries)
    key_records: bytes | RecordFile  # per key, marshal of (its entries, its places' row tuples)
    build_id: str
    key_facts: np.ndarray  # what recognition asks of key i's entries, at 2i and 2i+1 (geo.key_facts)
    name_off: np.ndarray  # key i's name record is name_records[name_off[i]:name_off[i+1]] (empty: none)
    name_records: bytes | RecordFile  # per key, what the resolver asks of the name alone (geo.key_ranking)
    name_codes: np.ndarray | None = None  # what recognition decides from key i alone (geo.name_verdict)


_as_place_row = tuple.__new__  # PlaceRow from a tuple of its fields, without its Python __new__


class PlaceTable:
    """place id -> PlaceRow, made on demand from the columns (a mapping for the rules)."""

    def __init__(self, t: Tables) -> None:
        self._t = t
        self._ids = t.place["id"]
        self._cache: dict[int, PlaceRow] = {}
        # each column's .item, which gives a Python int or float straight from the array (a
        # numpy scalar and its conversion cost several times more), and the names as a
        # memoryview, sliced without making an array
        p = t.place
        self._id_at, self._level_at, self._name_at = p["id"].item, p["level"].item, p["name_off"].item
        self._coded_at = [(p[c].item, t.vocab[c]) for c in _CODED]
        self._pop_at, self._lat_at, self._lon_at = p["population"].item, p["lat"].item, p["lon"].item
        self._names = memoryview(t.names)

    def row(self, i: int) -> PlaceRow:
        off = self._name_at
        return PlaceRow(self._id_at(i), str(self._names[off(i):off(i + 1)], "utf-8"), LEVELS[self._level_at(i)],
                        *[vocab[at(i)] for at, vocab in self._coded_at],
                        self._pop_at(i), self._lat_at(i), self._lon_at(i))

    def by_row(self, i: int, place_id: int) -> PlaceRow:
        row = self._cache.get(place_id)
        if row is None:
            if len(self._cache) >= ROW_CACHE_MAX:
                self._cache.clear()
            row = self._cache[place_id] = self.row(i)
        return row

    def add_rows(self, rows: tuple[tuple, ...]) -> None:
        """Keep these row tuples (as a key record holds them) as PlaceRows, but for places
        already kept (the rules may hold those)."""
        cache = self._cache
        if len(cache) + len(rows) > ROW_CACHE_MAX:
            cache.clear()
        for r in rows:
            if r[0] not in cache:
                cache[r[0]] = _as_place_row(PlaceRow, r)

    def rows(self, place_ids: tuple[int, ...]) -> tuple[PlaceRow, ...]:
        """The rows of these places (all in the index), read from the kept rows in one C loop
        where they are all kept (a name's, after its entries were read)."""
        rows = tuple(map(self._cache.get, place_ids))
        return tuple(map(self.__getitem__, place_ids)) if None in rows else rows

    def get(self, place_id: int, default: PlaceRow | None = None) -> PlaceRow | None:
        row = self._cache.get(place_id)
        if row is not None:
            return row
        i = int(np.searchsorted(self._ids, place_id))
        if i >= len(self._ids) or self._ids[i] != place_id:
            return default
        return self.by_row(i, place_id)

    def __getitem__(self, place_id: int) -> PlaceRow:
        row = self.get(place_id)
        if row is None:
            raise KeyError(place_id)
        return row

    def __contains__(self, place_id: object) -> bool:
        return isinstance(place_id, int | np.integer) and self.get(int(place_id)) is not None

    def __len__(self) -> int:
        return len(self._ids)

    def __iter__(self) -> Iterator[int]:
        return iter(self._ids.tolist())

    def values(self) -> Iterator[PlaceRow]:
        return (self.row(i) for i in range(len(self._ids)))


_LEVEL_ORDER = key_facts.LEVEL_ORDER
FACTS_CACHE_MAX = 100_000


_KIND_SETS: dict[frozenset[int], frozenset[int]] = {}  # each set of kinds, kept once


class EntryFacts:
    """What the rules ask about one tuple of entries, computed once per tuple.

    Entry tuples come from the index's cache (or from `derived`), so the same tuple object
    returns for every occurrence of a name; `memo` holds rule results keyed by their inputs.
    Few objects per name, as the garbage collector walks each one in every full collection:
    the rows are a tuple, a set of kinds is shared by every name with that set, and the
    levels are kept in the memo.
    """

    __slots__ = ("entries", "_places", "rows", "kinds", "max_pop", "memo")

    def __init__(self, entries: tuple[Entry, ...], places: PlaceTable) -> None:
        self.entries = entries
        self._places = places
        self.memo: dict = {}

    def __getattr__(self, name: str):
        # rows, kinds and max_pop are made when first asked: most tuples are asked only for
        # their memo (recognition reads geo.key_facts, the resolver its memo)
        if name not in ("rows", "kinds", "max_pop"):
            raise AttributeError(name)
        get = self._places.get
        rows = self.rows = tuple([get(place_id) for place_id, _ in self.entries])
        kinds = frozenset([kind for _, kind in self.entries])
        self.kinds = _KIND_SETS.setdefault(kinds, kinds)
        self.max_pop = max([r.population for r in rows if r is not None], default=0)
        return getattr(self, name)

    def level(self, kinds: tuple[int, ...] | None = None) -> str:
        """The highest level among the places (country > region > admin1 > ...), counting
        only entries of the given kinds."""
        # (memo key: the kinds as given, a tuple of ints or None, which no rule's key is)
        best = self.memo.get(kinds)
        if best is None:
            order = _LEVEL_ORDER
            best = "place"
            for (_, kind), row in zip(self.entries, self.rows, strict=True):
                if row is not None and (kinds is None or kind in kinds) and order.get(row.level, 9) < order[best]:
                    best = row.level
            self.memo[kinds] = best
        return best


@dataclass
class GazetteerIndex:
    tables: Tables
    db_path: Path
    key_ids: dict[str, int] = field(repr=False, default_factory=dict)  # marked key -> id*4 + flags
    places: PlaceTable = field(init=False, repr=False)
    near_table: Any = field(default=None, init=False, repr=False)  # geo.key_ranking's, made when first asked

    def __post_init__(self) -> None:
        t = self.tables
        if not self.key_ids:
            self.key_ids = dict(zip(t.keys, (np.arange(len(t.keys), dtype=np.int64) * 4
                                             + t.key_flags).tolist(), strict=True))
        self.places = PlaceTable(t)
        self._record_at = t.key_off.item
        records = t.key_records
        self._read_record = records.read if isinstance(records, RecordFile) else _reader_of(records)
        self._entries: dict[int, tuple[Entry, ...]] = {}
        self.cached_entries = self._entries.get  # key id -> entries made before (the matcher's fast path)
        self._key_of: dict[int, int] = {}  # id of an entries tuple in _entries -> its key id
        self._facts: dict[int, EntryFacts] = {}
        self.name_memo: dict = {}  # per-name rule results of the recognition step (geo.extract)
        self.first_word_codes: dict[str, int] = {}  # written first word -> key code (geo.extract)
        self.key_facts_at = t.key_facts.item  # key id * 2 + variant -> packed facts (geo.key_facts)
        if t.name_codes is not None:
            self.name_code_at = t.name_codes.item  # key id -> its code (geo.name_verdict)
        self._ids = t.place["id"]
        self.country_points = country_points_of(t.place, t.vocab)
        self._name_at = t.name_off.item
        names = t.name_records
        self._read_name = names.read if isinstance(names, RecordFile) else _reader_of(names)

    @property
    def build_id(self) -> str:
        return self.tables.build_id

    def entries_of(self, key_id: int) -> tuple[Entry, ...]:
        """The entries of a key (by id), most telling kind first."""
        found = self._entries.get(key_id)
        if found is None:
            off = self._record_at
            a, b = off(key_id), off(key_id + 1)
            if a == b:
                found = ()
            else:
                # one C call gives the entries and their places' rows (the rules look at every
                # entry's place), where reading them from the columns took a call per field
                found, rows = marshal.loads(self._read_record(a, b))
                self.places.add_rows(rows)
            if len(self._entries) >= ENTRY_CACHE_MAX:
                self._entries.clear()
                self._key_of.clear()
            self._entries[key_id] = found
            self._key_of[id(found)] = key_id
        return found

    def name_record(self, key_id: int) -> tuple | None:
        """What the resolver asks of a key's name alone, worked out at build (see
        geo.key_ranking.name_record), or None."""
        at = self._name_at
        a, b = at(key_id), at(key_id + 1)
        return marshal.loads(self._read_name(a, b)) if a != b else None

    def key_id_of(self, entries: tuple[Entry, ...]) -> int | None:
        """The id of the key entries_of gave these entries for (the same tuple), else None:
        what recognition reads a name's key_facts by, without marking and looking up its key."""
        key_id = self._key_of.get(id(entries))
        return key_id if key_id is not None and self._entries.get(key_id) is entries else None

    def facts(self, entries: tuple[Entry, ...]) -> EntryFacts:
        """Cached facts about a tuple of entries (kept alive by the cache, so ids stay unique)."""
        f = self._facts.get(id(entries))
        if f is None or f.entries is not entries:
            if len(self._facts) >= FACTS_CACHE_MAX:
                self._facts.clear()
            f = self._facts[id(entries)] = EntryFacts(entries, self.places)
        return f

    def derived(self, entries: tuple[Entry, ...], name: str, keep) -> tuple[Entry, ...]:
        """entries filtered by keep(entry, row), cached under name (the same tuple each time)."""
        f = self.facts(entries)
        out = f.memo.get(name)
        if out is None:
            out = tuple(e for e, row in zip(entries, f.rows, strict=True) if keep(e, row))
            if len(out) == len(entries):
                out = entries
            f.memo[name] = out
        return out

    def entries(self, key: str) -> tuple[Entry, ...]:
        key_id = self.key_id(key)
        return () if key_id is None else self.entries_of(key_id)

    def key_id(self, key: str) -> int | None:
        """The id of a folded name that has entries (None: not a name)."""
        code = self.key_ids.get(marked(key), 0)
        return code >> 2 if code & 1 else None

    def place(self, place_id: int) -> PlaceRow | None:
        return self.places.get(place_id)

    def full_place(self, place_id: int) -> Place | None:
        """The full gazetteer row (alt names included) straight from sqlite."""
        con = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True)
        try:
            con.row_factory = sqlite3.Row
            row = con.execute("SELECT * FROM places WHERE id = ?", (place_id,)).fetchone()
        finally:
            con.close()
        if row is None:
            return None
        d = dict(row)
        return Place(
            id=d["id"], name=d["name"], level=d["level"], feature_class=d.get("feature_class"),
            feature_code=d.get("feature_code"), country=d.get("country"),
            country_iso3=d.get("country_iso3"), admin1_code=d.get("admin1_code"),
            admin1_iso=d.get("admin1_iso"), admin2_code=d.get("admin2_code"),
            population=int(d.get("population") or 0), lat=float(d["lat"]), lon=float(d["lon"]),
            alt_names=[a for a in (d.get("alt_names") or "").split("|") if a],
        )


def country_points_of(place: dict[str, np.ndarray], vocab: dict[str, Sequence[str]]) -> dict[str, tuple[float, float]]:
    """Each country code's point (its country row's lat, lon)."""
    cc = vocab["country"]
    return {cc[int(place["country"][i])]: (float(place["lat"][i]), float(place["lon"][i]))
            for i in np.flatnonzero(place["level"] == LEVELS.index("country")) if cc[int(place["country"][i])]}


# -- building -------------------------------------------------------------------------------
def _usable_key(norm: str, kind: str, name: str) -> bool:
    # keys without a Latin letter can never match English prose; one-letter keys are noise;
    # two-letter keys only as codes ("CA" for California), never as words ("Of", "Us")
    if len(norm) < 2 or not any("a" <= c <= "z" for c in norm):
        return False
    return kind in ("abbr", "iso") or len(norm) >= 3 or name.isupper()


def build_index(db_path: Path) -> GazetteerIndex:
    """Read the sqlite gazetteer into an index (a few seconds; load_index caches it on disk)."""
    return GazetteerIndex(build_tables(db_path), Path(db_path))


def build_tables(db_path: Path) -> Tables:
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
        places: dict[int, PlaceRow] = {}
        # equal strings are one object (names, levels, codes, countries), so that a record
        # marshals each once and refers back to it after (see _key_records)
        same: dict[str, str] = {}
        share = same.setdefault
        for r in con.execute(
            "SELECT id, name, level, feature_code, country, admin1_code, admin1_iso, admin2_code,"
            " population, lat, lon FROM places"
        ):
            row = PlaceRow(r[0], share(r[1], r[1]), *[share(v or "", v or "") for v in r[2:8]],
                           int(r[8] or 0), float(r[9]), float(r[10]))
            places[row.id] = row
        by_key: dict[str, list[Entry]] = {}
        for norm, place_id, kind, name in con.execute("SELECT norm, place_id, kind, name FROM names"):
            if place_id not in places or not _usable_key(norm, kind, name):
                continue
            by_key.setdefault(norm, []).append((place_id, KIND_CODE.get(kind, 3)))
    finally:
        con.close()
    _add_demonym_plurals(by_key)
    _add_squashed_names(by_key, places)
    _add_aliases(by_key, places)
    tables = _to_tables(by_key, places, meta.get("build_id", "unknown"))
    from geo import name_verdict  # (it reads an index: imported here, once this module is loaded)

    tables.name_codes = name_verdict.build_codes(GazetteerIndex(tables, Path(db_path)))
    return tables


def _to_tables(by_key: dict[str, list[Entry]], places: dict[int, PlaceRow], build_id: str) -> Tables:
    rows = sorted(places.values(), key=lambda p: p.id)
    vocab: dict[str, list[str]] = {}
    place: dict[str, np.ndarray] = {
        "id": np.array([p.id for p in rows], dtype=np.int64),
        "level": np.array([LEVELS.index(p.level) for p in rows], dtype=np.int8),
        "population": np.array([p.population for p in rows], dtype=np.int64),
        "lat": np.array([p.lat for p in rows], dtype=np.float64),
        "lon": np.array([p.lon for p in rows], dtype=np.float64),
    }
    for col in _CODED:
        values = [getattr(p, col) for p in rows]
        vocab[col] = sorted(set(values))
        code = {v: i for i, v in enumerate(vocab[col])}
        place[col] = np.array([code[v] for v in values], dtype=np.int32)
    encoded = [p.name.encode("utf-8") for p in rows]
    place["name_off"] = np.concatenate([[0], np.cumsum([len(b) for b in encoded])]).astype(np.int64)
    # marked keys; a name key that also starts a longer one gets flag 2 (the matcher walks on)
    marked_keys: dict[str, list[Entry]] = {}
    norm_of: dict[str, str] = {}  # marked key -> the name it was made from
    for key, entries in by_key.items():
        mk = marked(key)
        if mk in marked_keys:  # "huai'an" and "huai an" mark alike: one key with both names' entries
            entries, key = _merged(marked_keys[mk], norm_of[mk], entries, key)
        entries.sort(key=_kind_of)
        marked_keys[mk] = entries
        norm_of[mk] = key
    flags: dict[str, int] = dict.fromkeys(marked_keys, 1)
    for mk in marked_keys:
        for j in range(2, len(mk)):
            if not mk[j].isalnum():
                prefix = mk[:j]
                flags[prefix] = flags.get(prefix, 0) | 2
    keys = list(flags)
    entries_per_key = [marked_keys.get(k, ()) for k in keys]
    records = _key_records(entries_per_key, places)
    offsets = np.zeros(len(keys) + 1, dtype=np.int64)
    np.cumsum([len(r) for r in records], out=offsets[1:])
    rank_of_level = np.array([key_facts.LEVEL_ORDER[lv] for lv in LEVELS], dtype=np.int8)
    facts = key_facts.build_from_entries(entries_per_key, place["id"], rank_of_level[place["level"]],
                                         place["population"])
    name_records = _name_records(keys, norm_of, entries_per_key, places, country_points_of(place, vocab))
    name_off = np.zeros(len(keys) + 1, dtype=np.int64)
    np.cumsum([len(r) for r in name_records], out=name_off[1:])
    return Tables(place, b"".join(encoded), vocab, keys, np.array([flags[k] for k in keys], dtype=np.int8),
                  offsets, b"".join(records), build_id, facts, name_off, b"".join(name_records))


def _name_records(keys: list[str], norm_of: dict[str, str], entries_per_key: list[list[Entry]],
                  places: dict[int, PlaceRow], country_points: dict[str, tuple[float, float]]) -> list[bytes]:
    """Each key's name record (geo.key_ranking.name_record), b"" for a key whose entries are
    not worth one (key_ranking.worth_a_record)."""
    from geo import key_ranking  # (here: the resolver's ranking imports this module)

    view = key_ranking.BuildView(places, country_points)
    worth = key_ranking.worth_a_record
    return [key_ranking.name_record(norm_of[k], tuple(entries), view) if worth(entries) else b""
            for k, entries in zip(keys, entries_per_key, strict=True)]


def _kind_of(e: Entry) -> int:
    return e[1]


def _merged(entries: list[Entry], key: str, other: list[Entry], other_key: str) -> tuple[list[Entry], str]:
    """The entries of two names that differ only in what separates their words, as one list
    (a place in both keeps its most telling kind: "Huai'an" is the city's name, "Huai An" an
    alternate name), and the name the most telling entry came from (what the ranking's
    alternate-name tests compare with)."""
    kinds: dict[int, int] = {}
    for place_id, kind in entries + other:
        kinds[place_id] = min(kind, kinds.get(place_id, kind))
    best_key = other_key if min(map(_kind_of, other)) < min(map(_kind_of, entries)) else key
    return list(kinds.items()), best_key


def _key_records(entries_per_key: list[list[Entry]], places: dict[int, PlaceRow]) -> list[bytes]:
    """Each key's record: marshal of (its entries, the row tuples of their places, each once),
    b"" for a key that only starts longer names.

    Equal strings are one object (the name of a key's places, their levels, codes, countries),
    so marshal writes a string once per record and refers back to it after: making strings is
    most of what loading a record costs. They are not interned (loading an interned string
    also looks it up in the interpreter's table, which costs more than making it)."""
    row_of = {pid: tuple(p) for pid, p in places.items()}  # (their strings are shared: build_tables)
    dumps = marshal.dumps
    return [dumps((tuple(entries), tuple([row_of[pid] for pid in dict.fromkeys([pid for pid, _ in entries])])))
            if entries else b"" for entries in entries_per_key]


def _alias_rows() -> list[tuple[str, str, str]]:
    text = resources.files("geo").joinpath("data", "geoparse_aliases.tsv").read_text(encoding="utf-8")
    rows = []
    for line in text.splitlines():
        if line and not line.startswith("#"):
            alias, target, usage = line.split("\t")
            rows.append((alias, target, usage))
    return rows


ALIAS_KIND = KIND_CODE["press"]
AFTER_COMMA_KIND = KIND_CODE["after_comma"]


def _add_aliases(by_key: dict[str, list[Entry]], places: dict[int, PlaceRow]) -> None:
    """Press abbreviations and macro-regions from geo/data/geoparse_aliases.tsv."""
    countries = {p.country: p.id for p in places.values() if p.level == "country"}
    admin1 = {p.admin1_iso: p.id for p in places.values() if p.level == "admin1" and p.admin1_iso}
    best_place: dict[tuple[str, str, str], PlaceRow] = {}
    for p in places.values():
        if p.level == "place":
            k = (normalize(p.name), p.country, p.admin1_iso)
            if k not in best_place or best_place[k].population < p.population:
                best_place[k] = p
    next_region_id = -1
    for alias, target, usage in _alias_rows():
        kind, _, value = target.partition(":")
        place_id = None
        if kind == "country":
            place_id = countries.get(value)
        elif kind == "admin1":
            place_id = admin1.get(value)
        elif kind == "place":
            name, cc, a1 = value.split("|")
            row = best_place.get((normalize(name), cc, a1))
            place_id = row.id if row else None
        elif kind == "region":
            lat, lon = (float(x) for x in value.split(","))
            place_id = next_region_id
            next_region_id -= 1
            places[place_id] = PlaceRow(place_id, alias, REGION_LEVEL, "RGN", "", "", "", "", 0, lat, lon)
        if place_id is None:
            continue
        # a region's name is its name; "press" marks a short form used like a code ("EU")
        code = AFTER_COMMA_KIND if usage == "after_comma" else (
            KIND_CODE["name"] if kind == "region" and usage != "press" else ALIAS_KIND)
        entries = by_key.setdefault(normalize(alias), [])
        entries[:] = [e for e in entries if e[0] != place_id]  # the alias's usage wins
        entries.append((place_id, code))


SQUASH_MIN_POP = 100_000


def _add_squashed_names(by_key: dict[str, list[Entry]], places: dict[int, PlaceRow]) -> None:
    """ "#SierraLeone", "#NewYork": hashtags drop the spaces of well-known multi-word names."""
    for key, entries in list(by_key.items()):
        if " " not in key:
            continue
        big = [(place_id, kind) for place_id, kind in entries if kind in (0, 2)  # name, ascii
               and (places[place_id].level in ("country", "admin1") or places[place_id].population >= SQUASH_MIN_POP)]
        if big:
            squashed = key.replace(" ", "")
            if squashed not in by_key:
                by_key[squashed] = big


def _add_demonym_plurals(by_key: dict[str, list[Entry]]) -> None:
    """ "Russians", "Palestinians", "Iraqis": plural demonyms name the same place."""
    demonym = KIND_CODE["demonym"]
    for key, entries in list(by_key.items()):
        dems = [e for e in entries if e[1] == demonym]
        if dems and " " not in key and not key.endswith(("s", "sh", "ch", "ese")):
            plural = by_key.setdefault(key + "s", [])
            known = {place_id for place_id, _ in plural}
            plural.extend(e for e in dems if e[0] not in known)


# -- the file beside the gazetteer ----------------------------------------------------------
_ARRAYS = ("key_flags", "key_off", "name_off")


def save_tables(t: Tables, folder: Path) -> None:
    """Write the tables into folder (written beside it, then renamed into place)."""
    tmp = folder.with_name(f"{folder.name}.{os.getpid()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for name, arr in t.place.items():
        np.save(tmp / f"place_{name}.npy", arr)
    for name in _ARRAYS:
        np.save(tmp / f"{name}.npy", getattr(t, name))
    (tmp / "names.bin").write_bytes(t.names)
    (tmp / "key_records.bin").write_bytes(t.key_records)
    (tmp / "name_records.bin").write_bytes(t.name_records)
    np.save(tmp / "key_facts.npy", t.key_facts)
    np.save(tmp / "name_codes.npy", t.name_codes)
    (tmp / "keys.txt").write_text("\n".join(t.keys), encoding="utf-8")
    (tmp / "meta.json").write_text(json.dumps({"build_id": t.build_id, "vocab": t.vocab,
                                               "columns": sorted(t.place)}), encoding="utf-8")
    try:
        tmp.rename(folder)
    except OSError:  # another process got there first: use theirs
        shutil.rmtree(tmp, ignore_errors=True)


def load_tables(folder: Path) -> Tables:
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    # plain ndarray views of the mapped files: still memory-mapped, but indexed without
    # numpy.memmap's Python-level __getitem__ (half the cost of making a place row)
    place = {c: np.asarray(np.load(folder / f"place_{c}.npy", mmap_mode="r")) for c in meta["columns"]}
    arrays = {name: np.asarray(np.load(folder / f"{name}.npy", mmap_mode="r")) for name in _ARRAYS}
    names = _map_bytes(folder / "names.bin")
    # (where os.pread is missing, the records are read into memory)
    records, name_records = (RecordFile(folder / f) if hasattr(os, "pread") else (folder / f).read_bytes()
                      for f in ("key_records.bin", "name_records.bin"))
    # a tuple of strings, which the garbage collector stops tracking (a list of 688,000 keys
    # kept alive would be walked, string by string, by every full collection: ~80 ms each)
    keys = tuple((folder / "keys.txt").read_text(encoding="utf-8").split("\n"))
    if len(keys) != len(arrays["key_flags"]):
        raise ValueError(f"{folder}: keys and flags disagree")
    if len(records) != arrays["key_off"][-1] or len(name_records) != arrays["name_off"][-1]:
        raise ValueError(f"{folder}: key records and offsets disagree")
    # read into memory (11 MB), not mapped: a new name reads it at a random place
    facts = np.load(folder / "key_facts.npy")
    if len(facts) != 2 * len(keys):
        raise ValueError(f"{folder}: keys and key facts disagree")
    codes = np.load(folder / "name_codes.npy")  # (in memory, as the facts)
    if len(codes) != len(keys):
        raise ValueError(f"{folder}: keys and name codes disagree")
    # (tuples too, for the same reason: 34,000 codes)
    vocab = {col: tuple(values) for col, values in meta["vocab"].items()}
    return Tables(place, names, vocab, keys, key_records=records, build_id=meta["build_id"],
                  key_facts=facts, name_records=name_records, name_codes=codes, **arrays)


def _map_bytes(path: Path) -> np.ndarray | bytes:
    return np.asarray(np.memmap(path, dtype=np.uint8, mode="r")) if path.stat().st_size else b""


def index_folder(db_path: Path, build_id: str) -> Path:
    # the index depends on the gazetteer build, this module, the packed key facts, the alias
    # list, what the name codes are made from and what the name records are made by
    # (geo.key_ranking and the modules it calls)
    from geo import name_verdict  # (see build_tables)

    h = hashlib.sha256(Path(__file__).read_bytes())
    h.update(Path(key_facts.__file__).read_bytes())
    for source in name_verdict.sources():
        h.update(source)
    for module in _RANKING_MODULES:
        h.update(resources.files("geo").joinpath(module).read_bytes())
    h.update(resources.files("geo").joinpath("data", "geoparse_aliases.tsv").read_bytes())
    h.update(b"marshal %d" % marshal.version)  # the key records' format
    return db_path.parent / f"geoparse-index-{build_id}-v{INDEX_VERSION}-{h.hexdigest()[:8]}"


# what geo.key_ranking's name records depend on, beside this module
_RANKING_MODULES = ("key_ranking.py", "resolve_weights.py", "resolve_local.py", "distance.py", "textnorm.py",
                    "nlp/similarity.py")


def _read_build_id(db_path: Path) -> str:
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        row = con.execute("SELECT value FROM meta WHERE key = 'build_id'").fetchone()
    finally:
        con.close()
    return row[0] if row else f"mtime{int(db_path.stat().st_mtime)}"


def ensure_index_files(db_path: Path) -> Path:
    """Build the index folder for a gazetteer if it is missing (`geo gazetteer build` calls this)."""
    db_path = Path(db_path)
    folder = index_folder(db_path, _read_build_id(db_path))
    if not (folder / "meta.json").exists():
        save_tables(build_tables(db_path), folder)
        for stale in folder.parent.glob("geoparse-index-*"):
            if stale != folder and not stale.name.endswith(".tmp"):
                shutil.rmtree(stale, ignore_errors=True) if stale.is_dir() else stale.unlink(missing_ok=True)
    return folder


_LOCK = threading.Lock()
_LOADED: dict[Path, GazetteerIndex] = {}


def load_index(db_path: Path | None = None) -> GazetteerIndex:
    """The index for a gazetteer db (default: the project's), cached in memory and on disk."""
    db_path = Path(db_path or paths.gazetteer_db())
    with _LOCK:
        if db_path in _LOADED:
            return _LOADED[db_path]
        if not db_path.exists():
            raise GazetteerMissingError(f"no gazetteer at {db_path}: {BUILD_HINT}")
        try:
            folder = index_folder(db_path, _read_build_id(db_path))
        except sqlite3.DatabaseError as exc:
            raise GazetteerMissingError(f"gazetteer at {db_path} is unreadable ({exc}): {BUILD_HINT}") from exc
        tables = None
        if (folder / "meta.json").exists():
            try:
                tables = load_tables(folder)
            except (OSError, ValueError, KeyError) as exc:  # a damaged index is rebuilt, never trusted
                logging.getLogger(__name__).info("rebuilding the parser index %s: %s", folder, exc)
                shutil.rmtree(folder, ignore_errors=True)
        if tables is None:
            try:
                folder = ensure_index_files(db_path)
                tables = load_tables(folder)
            except OSError:  # read-only gazetteer folder: keep it in memory only
                tables = build_tables(db_path)
        index = _LOADED[db_path] = GazetteerIndex(tables, db_path)
        return index
