"""What recognition asks of a name's gazetteer entries, packed per index key at build time.

A name met for the first time used to cost a Python object per entry tuple (its place rows,
a frozenset of kinds, a max over populations, a level per kind subset) before the rules could
read a single fact. These facts depend on the key and its entries alone, so the index keeps
them as one uint64 per key and per variant, made with numpy when the index is built, and a new
name's verdict costs one array read. Layout of a packed value:

    bits  0-23  for each entry kind k (KINDS order), bits 3k..3k+2: the highest level among
                that kind's places as a LEVEL_ORDER rank (4 = a place, or no entry of that kind)
    bits 24-31  which kinds the entries have (bit 24 + k)
    bit  32     the key has "bare county" entries (an alternate name of an admin-2 area)
    bits 33-63  the largest population among the places (capped at 2**31 - 1)

Variant ALL counts every entry; WITHOUT_BARE_COUNTY leaves the bare-county entries out (what
a one-word name keeps: "Scott" alone is a surname far more often than Scott County).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

# kinds and levels as in geo.geoparse_index (not imported: that module imports this one)
KIND_COUNT = 8
ALT_KIND = 3
LEVEL_ORDER = {"country": 0, "region": 1, "admin1": 2, "admin2": 3, "place": 4}
LEVEL_NAMES = ("country", "region", "admin1", "admin2", "place")
ADMIN2_RANK = LEVEL_ORDER["admin2"]
PLACE_RANK = LEVEL_ORDER["place"]
ALL, WITHOUT_BARE_COUNTY = 0, 1
KINDS_SHIFT = 24
BARE_COUNTY_BIT = 1 << 32
POP_SHIFT = 33
POP_CAP = (1 << 31) - 1  # rules compare populations with thresholds far below this
_NO_LEVELS = sum(PLACE_RANK << (3 * k) for k in range(KIND_COUNT))


def kinds_mask(packed: int) -> int:
    """The kinds present, as a bit mask (bit k: kind k)."""
    return (packed >> KINDS_SHIFT) & 0xFF


def max_pop(packed: int) -> int:
    return packed >> POP_SHIFT


def has_bare_county(packed: int) -> bool:
    return bool(packed & BARE_COUNTY_BIT)


def level(packed: int, kinds: Iterable[int] = range(KIND_COUNT)) -> str:
    """The highest level among the places of entries of the given kinds (EntryFacts.level)."""
    return LEVEL_NAMES[min((packed >> (3 * k)) & 7 for k in kinds)]


LEVELS_MASK = (1 << 24) - 1


class LevelTable(dict):
    """level(packed, kinds) for one set of kinds, read as table[packed & LEVELS_MASK]: a
    name's 24 level bits take a few hundred distinct values, so a dict look-up answers
    where level() would take each kind's field in turn."""

    def __init__(self, kinds: Iterable[int]) -> None:
        super().__init__()
        self.kinds = tuple(kinds)

    def __missing__(self, levels: int) -> str:
        found = self[levels] = level(levels, self.kinds)
        return found


def build_packed(entry_off: np.ndarray, entry_kind: np.ndarray, entry_rank: np.ndarray,
                 entry_pop: np.ndarray) -> np.ndarray:
    """Packed facts of every key (uint64, key i's variant v at 2 * i + v), from the index's
    entry arrays (entry_rank, entry_pop: each entry's place's level rank and population)."""
    n = len(entry_off) - 1
    counts = np.diff(entry_off)
    has = counts > 0
    starts = entry_off[:-1][has]  # non-empty keys: reduceat's segments are exactly their entries
    kind = entry_kind.astype(np.int64)
    rank = entry_rank.astype(np.uint64)
    pop = np.minimum(entry_pop.astype(np.int64), POP_CAP).astype(np.uint64)
    bare = (kind == ALT_KIND) & (entry_rank == ADMIN2_RANK)
    bare_key = np.zeros(n, dtype=bool)
    if len(starts):
        bare_key[has] = np.logical_or.reduceat(bare, starts)
    out = np.zeros((n, 2), dtype=np.uint64)
    for variant, keep in ((ALL, np.ones(len(kind), dtype=bool)), (WITHOUT_BARE_COUNTY, ~bare)):
        packed = np.full(n, _NO_LEVELS, dtype=np.uint64)
        if len(starts):
            levels = np.zeros(len(starts), dtype=np.uint64)
            for k in range(KIND_COUNT):
                own = keep & (kind == k)
                best = np.minimum.reduceat(np.where(own, rank, np.uint64(PLACE_RANK)), starts)
                present = np.logical_or.reduceat(own, starts).astype(np.uint64)
                levels |= (best << np.uint64(3 * k)) | (present << np.uint64(KINDS_SHIFT + k))
            top = np.maximum.reduceat(np.where(keep, pop, np.uint64(0)), starts)
            packed[has] = levels | (top << np.uint64(POP_SHIFT))
        out[:, variant] = packed | np.where(bare_key, np.uint64(BARE_COUNTY_BIT), np.uint64(0))
    return out.reshape(-1)


def build_from_entries(entries_per_key: list, place_ids: np.ndarray, place_rank: np.ndarray,
                       place_pop: np.ndarray) -> np.ndarray:
    """build_packed for the index's keys, given as lists of (place_id, kind) entries, and the
    place columns (ids sorted; each place's LEVEL_ORDER rank and population)."""
    counts = np.fromiter(map(len, entries_per_key), dtype=np.int64, count=len(entries_per_key))
    off = np.zeros(len(entries_per_key) + 1, dtype=np.int64)
    np.cumsum(counts, out=off[1:])
    flat = np.array([e for entries in entries_per_key for e in entries], dtype=np.int64).reshape(-1, 2)
    rows = np.searchsorted(place_ids, flat[:, 0])
    return build_packed(off, flat[:, 1], place_rank[rows], place_pop[rows])


def pack_entries(kinds: list[int], level_ranks: list[int], populations: list[int]) -> tuple[int, int]:
    """The packed facts of one tuple of entries, both variants (ALL, WITHOUT_BARE_COUNTY),
    given each entry's kind, its place's LEVEL_ORDER rank and population: build_packed for a
    single key (for entry tuples the index did not give a key, which are rare)."""
    packed = build_packed(np.array([0, len(kinds)], dtype=np.int64), np.array(kinds, dtype=np.int64),
                          np.array(level_ranks, dtype=np.int64), np.array(populations, dtype=np.int64))
    return int(packed[ALL]), int(packed[WITHOUT_BARE_COUNTY])
