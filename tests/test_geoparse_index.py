"""The geoparser's file-backed index: built once beside the gazetteer, mapped back by any
process, rebuilt when damaged; and the parse path stays free of geopandas/pyproj."""

from __future__ import annotations

import json
import os
import subprocess
import sys

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
    text = "Gunmen in Culiacán, Sinaloa, and Springfield, IL; U.S. officials in Paris."
    assert [m.to_dict() for m in Parser(index=loaded).parse(text)] == \
        [m.to_dict() for m in Parser(index=in_memory).parse(text)]


def test_damaged_index_is_rebuilt_not_trusted(tmp_path):
    db = build_tiny_gazetteer(tmp_path / "gaz")
    folder = index_folder(db, "tiny-fixture-1")
    from geo.geoparse_index import ensure_index_files

    ensure_index_files(db)
    (folder / "keys.txt").write_text("only one key", encoding="utf-8")  # truncated by a crash
    try:
        load_tables(folder)
        raise AssertionError("a damaged index must not load")
    except ValueError:
        pass
    from geo import geoparse_index

    geoparse_index._LOADED.pop(db, None)
    index = load_index(db)
    assert index.entries("springfield")
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
