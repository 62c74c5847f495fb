"""The geoparser's file-backed index: built once beside the gazetteer, mapped back by any
process, rebuilt when damaged; and the parse path stays free of geopandas/pyproj."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from geoparse_fixture import PLACES, build_tiny_gazetteer

from geo.geoparse_index import build_index, index_folder, load_index, load_tables
from geo.parse import Parser


def test_index_files_load_back_the_same_index(tmp_path):
    db = build_tiny_gazetteer(tmp_path / "gaz")
    in_memory = build_index(db)
    loaded = load_index(db)  # writes the folder beside the gazetteer, then maps it in
    folder = index_folder(db, "tiny-fixture-1")
    assert (folder / "meta.json").exists() and loaded is not in_memory
    for pid, *_ in PLACES:
        assert loaded.places[pid] == in_memory.places[pid]
    for key in ("springfield", "georgia", "us", "u.s.", "mexican", "hamas", "culiacan"):
        assert loaded.entries(key) == in_memory.entries(key)
    assert loaded.entries("springfield") and not loaded.entries("nowhere at all")
    assert loaded.country_points["FR"] == in_memory.country_points["FR"]
    # what the resolver reads of a name alone (geo.key_ranking), the same from the file
    records = [loaded.name_record(i) for i in range(len(loaded.tables.keys))]
    assert records == [in_memory.name_record(i) for i in range(len(in_memory.tables.keys))]
    assert loaded.name_record(loaded.key_id("springfield"))[0] == "springfield"
    text = "Gunmen in Culiacán, Sinaloa, and Springfield, IL; U.S. officials in Paris."
    assert [m.to_dict() for m in Parser(index=loaded).parse(text)] == \
        [m.to_dict() for m in Parser(index=in_memory).parse(text)]


def _truncate_keys(folder):
    (folder / "keys.txt").write_text("only one key", encoding="utf-8")


def _truncate_records(folder):
    records = folder / "key_records.bin"
    records.write_bytes(records.read_bytes()[:-7])


def _truncate_name_records(folder):
    records = folder / "name_records.bin"
    records.write_bytes(records.read_bytes()[:-7])


@pytest.mark.parametrize("damage", [_truncate_keys, _truncate_records, _truncate_name_records],
                         ids=["keys", "key records", "name records"])
def test_damaged_index_is_rebuilt_not_trusted(tmp_path, damage):
    """An index file cut short (a crash while writing or copying) fails the load, and the
    index is rebuilt: no name's entries are read from a half-written file."""
    from geo import geoparse_index
    from geo.geoparse_index import ensure_index_files

    db = build_tiny_gazetteer(tmp_path / "gaz")
    folder = ensure_index_files(db)
    damage(folder)
    with pytest.raises(ValueError):
        load_tables(folder)
    geoparse_index._LOADED.pop(db, None)
    index = load_index(db)
    assert [index.places[place_id].name for place_id, _ in index.entries("springfield")] == ["Springfield"] * 2
    assert len(load_tables(folder).keys) > 1


def test_parse_path_imports_no_geopandas_and_stays_small(real_gazetteer_dir):
    """A fresh process that parses (a derived region included) loads neither geopandas nor
    pyproj; its resident memory is reported by bench/bench_parse.py (target < 400 MB)."""
    code = (
        "import sys, json, psutil\n"
        "from geo.parse import parse\n"
        "ms = parse('Fires burned in southern California and in Culiacan, Sinaloa.')\n"
        "heavy = [m for m in ('geopandas', 'pyproj', 'pandas', 'pyogrio') if m in sys.modules]\n"
        "print(json.dumps({'heavy': heavy, 'kinds': [m.kind for m in ms],"
        " 'rss_mb': psutil.Process().memory_info().rss / 1e6}))\n"
    )
    env = dict(os.environ, GEO_GAZETTEER_DIR=str(real_gazetteer_dir))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["heavy"] == []
    assert "modified_region" in out["kinds"]


def test_names_with_punctuation_and_hashtags_on_the_real_index(real_gazetteer_dir):
    """The name walk crosses word separators as the gazetteer writes them ("St. Louis",
    "Winston-Salem", "U.S."), joins a squashed hashtag, and never starts inside a word."""
    from geo.parse import parse

    text = ("Flooding hit St. Louis, Winston-Salem and Washington, D.C.; #SierraLeone and the "
            "U.S. responded. O'Hare Airport closed in New York City.")
    found = {m.surface: m.name for m in parse(text)}
    assert found["St. Louis"] == "St. Louis" and found["Winston-Salem"] == "Winston-Salem"
    assert found["SierraLeone"] == "Sierra Leone" and found["U.S."] == "United States"
    assert found["New York City"] == "New York City"
    assert "Hare" not in found and "York" not in found and "Louis" not in found


def _rows_from_columns(index, entries):
    """The entries' place rows as the place columns give them (found by id, no cache)."""
    ids = index.tables.place["id"]
    return [index.places.row(int(ids.searchsorted(place_id))) for place_id, _ in entries]


def test_key_records_give_the_columns_rows_and_plain_entries(tmp_path):
    """A key's record (entries and their places' rows, one marshal call) agrees with the place
    columns, in the in-memory and the mapped index; entries are plain (place_id, kind) tuples,
    which the garbage collector stops tracking; a key that only starts longer names has none."""
    import gc

    db = build_tiny_gazetteer(tmp_path / "gaz")
    for index in (build_index(db), load_index(db)):
        for key in ("springfield", "georgia", "us", "mexican", "hamas", "culiacan", "paris"):
            entries = index.entries(key)
            assert entries and all(type(e) is tuple and len(e) == 2 for e in entries)
            assert [index.places[place_id] for place_id, _ in entries] == _rows_from_columns(index, entries)
        assert [kind for _, kind in index.entries("georgia")] == sorted(kind for _, kind in index.entries("georgia"))
        assert index.entries("united") == ()  # only the start of "United States"
        gc.collect()
        gc.collect()  # (the outer tuple is made before its items: untracked one pass later)
        assert not gc.is_tracked(index.entries("springfield"))


def test_key_records_write_each_string_once(tmp_path):
    """Within a record, equal strings (the places' names, levels, countries) are one object:
    marshal writes them once and refers back to them, and the rows it gives back share them."""
    import marshal

    index = load_index(build_tiny_gazetteer(tmp_path / "gaz"))
    key_id = index.key_id("springfield")
    record = index._read_record(index._record_at(key_id), index._record_at(key_id + 1))
    _, rows = marshal.loads(record)
    assert len(rows) >= 2 and rows[0][1] == rows[1][1] == "Springfield"
    assert rows[0][1] is rows[1][1] and rows[0][2] is rows[1][2] and rows[0][4] is rows[1][4]
    assert record.count(b"Springfield") == 1


def test_key_records_on_the_real_index(real_gazetteer_dir):
    """On the real gazetteer: every entry's row from its key record equals the row read from
    the place columns, for names with many places and with aliases."""
    db = real_gazetteer_dir / "gazetteer.sqlite"
    index = load_index(db)
    for key in ("springfield", "washington", "georgia", "u.s.", "eu", "middle east", "sierraleone",
                "mexicans", "culiacan", "st. louis"):
        entries = index.entries(key)
        assert entries, key
        assert [index.places[place_id] for place_id, _ in entries] == _rows_from_columns(index, entries)


def test_entry_facts_share_kind_sets_and_agree_with_the_rows(tmp_path):
    """EntryFacts keeps one frozenset per set of kinds (every name with that set shares it),
    its rows are the entries' places in order, and a level counts only the kinds asked."""
    from geo.geoparse_index import KIND_CODE

    index = load_index(build_tiny_gazetteer(tmp_path / "gaz"))
    springfield, paris = index.facts(index.entries("springfield")), index.facts(index.entries("paris"))
    assert springfield.kinds == paris.kinds == {KIND_CODE["name"]} and springfield.kinds is paris.kinds
    assert springfield.rows == tuple(index.places[place_id] for place_id, _ in index.entries("springfield"))
    assert springfield.max_pop == max(row.population for row in springfield.rows)
    georgia = index.facts(index.entries("georgia"))
    assert georgia.level() == "country" and georgia.level((KIND_CODE["abbr"],)) == "place"
    assert georgia.level() == "country"  # the memo gives back what was worked out


def test_record_file_reads_by_offset_and_pickles_by_path(tmp_path):
    """The key records are read by offset from their file; a pickled reader (a parser sent to
    another process) opens the file again rather than carrying a descriptor number."""
    import pickle

    from geo.geoparse_index import RecordFile

    path = tmp_path / "records.bin"
    path.write_bytes(b"0123456789")
    records = RecordFile(path)
    assert len(records) == 10 and records.read(2, 5) == b"234"
    again = pickle.loads(pickle.dumps(records))
    assert again.path == path and again.read(7, 10) == b"789"




def test_names_that_differ_only_in_their_separators_keep_every_entry(real_gazetteer_dir):
    """Keys are stored marked ("huai'an" and "huai an" are one key): on the real gazetteer
    every place of every such name is in the key's entries, with its most telling kind or a
    more telling one (a
    later name's entries used to replace the earlier one's: the city of Huai'an, 2.5 million
    people, was left with only the alternate names of small places)."""
    import sqlite3

    from geo.geoparse_index import KIND_CODE, marked

    db = real_gazetteer_dir / "gazetteer.sqlite"
    index = load_index(db)
    con = sqlite3.connect(db)
    try:
        names = con.execute("SELECT norm, place_id, kind, name FROM names").fetchall()
    finally:
        con.close()
    by_marked: dict[str, set[str]] = {}
    for norm, *_ in names:
        by_marked.setdefault(marked(norm), set()).add(norm)
    alike = {mk for mk, norms in by_marked.items() if len(norms) > 1}
    assert len(alike) > 100  # hyphens, apostrophes and blanks: thousands of names
    best: dict[tuple[str, int], int] = {}
    for norm, place_id, kind, name in names:
        mk = marked(norm)
        if mk in alike and place_id in index.places and (len(norm) >= 3 or name.isupper()):
            code = KIND_CODE.get(kind, 3)
            best[mk, place_id] = min(code, best.get((mk, place_id), code))
    assert best
    for (mk, place_id), kind in best.items():
        entries = dict(index.entries_of(index.key_ids[mk] >> 2))
        # (the press aliases may make a name more telling still: "St Louis")
        assert place_id in entries and entries[place_id] <= kind, (mk, place_id)
