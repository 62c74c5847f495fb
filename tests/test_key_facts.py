"""The per-key facts packed at index build (geo.key_facts) say what EntryFacts says of the
same entries: kinds, largest population, highest level per kind subset, with and without
the bare-county entries a one-word name drops."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
from geoparse_fixture import build_tiny_gazetteer

from geo import key_facts
from geo.geoparse_index import KINDS, build_index, load_index
from geo.name_verdict import _not_bare_county, packed_facts, without_bare_county

SUBSETS = [None, *[tuple(c) for n in (1, 2, 3, 4) for c in combinations(range(len(KINDS)), n)]]


def _as_entry_facts(packed: int, kinds: tuple[int, ...] | None) -> str:
    return key_facts.level(packed) if kinds is None else key_facts.level(packed, kinds)


def _check_key(index, key_id: int) -> None:
    entries = index.entries_of(key_id)
    narrowed = index.derived(entries, "no_bare_county", _not_bare_county)
    for variant, ents in ((key_facts.ALL, entries), (key_facts.WITHOUT_BARE_COUNTY, narrowed)):
        packed = index.key_facts_at(2 * key_id + variant)
        facts = index.facts(ents)
        assert key_facts.kinds_mask(packed) == sum(1 << k for k in facts.kinds)
        assert key_facts.max_pop(packed) == min(facts.max_pop, key_facts.POP_CAP)
        assert key_facts.has_bare_county(packed) == (narrowed is not entries)
        for kinds in SUBSETS:
            assert _as_entry_facts(packed, kinds) == facts.level(kinds), (key_id, variant, kinds)


def _pack(kinds: list[int], ranks: list[int], pops: list[int]) -> int:
    """The packed facts of one tuple of entries, worked out one entry at a time (the
    reference build_packed's array arithmetic must agree with)."""
    best = [key_facts.PLACE_RANK] * key_facts.KIND_COUNT
    mask = bare = top = 0
    for kind, rank, pop in zip(kinds, ranks, pops, strict=True):
        best[kind] = min(best[kind], rank)
        mask |= 1 << kind
        bare |= kind == key_facts.ALT_KIND and rank == key_facts.ADMIN2_RANK
        top = max(top, pop)
    levels = sum(r << (3 * k) for k, r in enumerate(best))
    return (levels | (mask << key_facts.KINDS_SHIFT) | (key_facts.BARE_COUNTY_BIT if bare else 0)
            | (min(top, key_facts.POP_CAP) << key_facts.POP_SHIFT))


def test_pack_reads_back_what_was_packed():
    # a town (rank 4) as a name, a state (rank 2) as an alternate name, an admin-2 alternate name
    packed, without = key_facts.pack_entries([0, 3, 3], [4, 2, 3], [5_000, 3_000_000, 40_000])
    assert key_facts.kinds_mask(packed) == 0b1001
    assert key_facts.max_pop(packed) == 3_000_000
    assert key_facts.has_bare_county(packed) and key_facts.has_bare_county(without)
    assert key_facts.level(packed) == "admin1"
    assert key_facts.level(packed, (0,)) == "place"
    assert key_facts.level(packed, (1, 2)) == "place"  # no entry of those kinds
    assert key_facts.max_pop(without) == 3_000_000 and key_facts.level(without, (3,)) == "admin1"
    assert key_facts.max_pop(key_facts.pack_entries([0], [0], [5_000_000_000])[0]) == key_facts.POP_CAP
    empty = key_facts.pack_entries([], [], [])[0]
    assert key_facts.kinds_mask(empty) == 0 and key_facts.level(empty) == "place" and key_facts.max_pop(empty) == 0


def test_build_packed_agrees_with_pack_key_by_key():
    rng = np.random.default_rng(7)
    counts = rng.integers(0, 5, size=300)
    off = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    n = int(off[-1])
    kind, rank = rng.integers(0, 8, size=n).astype(np.int8), rng.integers(0, 5, size=n).astype(np.int8)
    pop = rng.integers(0, 3_000_000_000, size=n)
    packed = key_facts.build_packed(off, kind, rank, pop)
    for i in range(len(counts)):
        a, b = off[i], off[i + 1]
        ks, rs, ps = kind[a:b].tolist(), rank[a:b].tolist(), pop[a:b].tolist()
        keep = [not (k == key_facts.ALT_KIND and r == key_facts.ADMIN2_RANK) for k, r in zip(ks, rs, strict=True)]
        bare = key_facts.BARE_COUNTY_BIT if not all(keep) else 0
        assert packed[2 * i] == _pack(ks, rs, ps)
        kept = [[x for x, k in zip(col, keep, strict=True) if k] for col in (ks, rs, ps)]
        assert packed[2 * i + 1] == _pack(*kept) | bare
        assert key_facts.pack_entries(ks, rs, ps) == (packed[2 * i], packed[2 * i + 1])


def test_tiny_index_facts_match_entry_facts_and_survive_the_files(tmp_path):
    db = build_tiny_gazetteer(tmp_path / "gaz")
    in_memory, loaded = build_index(db), load_index(db)
    assert np.array_equal(in_memory.tables.key_facts, loaded.tables.key_facts)
    for code in loaded.key_ids.values():
        if code & 1:
            _check_key(loaded, code >> 2)


def test_real_index_facts_match_entry_facts(real_gazetteer_dir):
    index = load_index()
    ids = [code >> 2 for code in index.key_ids.values() if code & 1]
    assert len(ids) > 100_000
    for key_id in ids[::211]:  # a spread of some 3,000 names
        _check_key(index, key_id)
    for key in ("scott", "georgia", "paris", "u.s.", "mexican", "washington county"):
        _check_key(index, index.key_id(key))


@pytest.mark.parametrize("key", ["scott", "clay", "washington", "paris", "jordan"])
def test_entries_without_bare_county_as_derived_gives_them(real_gazetteer_dir, key):
    """The written form narrows a one-word name's entries without their facts: the same."""
    index = load_index()
    entries = index.entries(key)
    narrowed = without_bare_county(entries, index)
    assert narrowed == index.derived(entries, "no_bare_county", _not_bare_county)
    assert (narrowed is entries) == (not key_facts.has_bare_county(index.key_facts_at(2 * index.key_id(key))))


@pytest.mark.parametrize("key", ["scott", "georgia", "paris", "jordan", "mexican", "clay"])
def test_facts_worked_out_from_rows_equal_the_stored_ones(real_gazetteer_dir, key):
    """A tuple the index did not give the key (a copy) takes the slow path: same facts."""
    index = load_index()
    entries = index.entries(key)
    copy = tuple(list(entries))
    assert copy is not entries
    assert index.key_id_of(entries) == index.key_id(key) and index.key_id_of(copy) is None
    assert packed_facts(copy, index) == packed_facts(entries, index)


def test_entry_facts_make_rows_when_first_asked(real_gazetteer_dir):
    index = load_index()
    entries = tuple(list(index.entries("georgia")))  # a tuple the facts cache has not seen
    facts = index.facts(entries)
    assert facts.memo == {}
    assert facts.rows == tuple(index.places.get(place_id) for place_id, _ in entries)
    assert facts.kinds == frozenset(kind for _, kind in entries)
    assert facts.max_pop == max(r.population for r in facts.rows)
    assert facts.level() == "country"
    with pytest.raises(AttributeError):
        facts.no_such_fact  # noqa: B018


def test_level_tables_answer_as_level(real_gazetteer_dir):
    index = load_index()
    ids = [code >> 2 for code in index.key_ids.values() if code & 1][::997]
    tables = {kinds: key_facts.LevelTable(kinds) for kinds in SUBSETS if kinds is not None}
    for key_id in ids:
        for variant in (key_facts.ALL, key_facts.WITHOUT_BARE_COUNTY):
            packed = index.key_facts_at(2 * key_id + variant)
            for kinds, table in tables.items():
                assert table[packed & key_facts.LEVELS_MASK] == key_facts.level(packed, kinds)
