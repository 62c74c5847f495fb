"""The build itself: no-op when up to date, never half-replaced, user GeoNames dumps."""

from __future__ import annotations

import json
import sqlite3

import pytest

from geo import build as gbuild
from geo.build import tables
from geo.gazetteer import Gazetteer

ROWS = [
    # id, name, ascii, alternates, lat, lon, class, code, cc, cc2, a1, a2, a3, a4, pop, ...
    ["900001", "Villa Prueba", "Villa Prueba", "Prueba,Villa de Prueba", "24.5", "-107.5", "P", "PPL",
     "MX", "", "25", "006", "", "", "1234", "", "10", "America/Mazatlan", "2024-01-01"],
    ["900002", "Ciudad Ficticia", "Ciudad Ficticia", "", "29.1", "-110.9", "P", "PPLA2",
     "MX", "", "26", "", "", "", "55000", "", "200", "America/Hermosillo", "2024-01-01"],
    ["900003", "Sinaloa State", "Sinaloa State", "", "25.0", "-107.5", "A", "ADM1",
     "MX", "", "25", "", "", "", "0", "", "0", "America/Mazatlan", "2024-01-01"],
    ["900004", "A River", "A River", "", "25.0", "-107.5", "H", "STM",
     "MX", "", "25", "", "", "", "0", "", "0", "America/Mazatlan", "2024-01-01"],
]


@pytest.fixture()
def dump_dir(tmp_path):
    d = tmp_path / "geonames"
    d.mkdir()
    (d / "cities500.txt").write_text("\n".join("\t".join(r) for r in ROWS) + "\n", encoding="utf-8")
    return d


def test_reads_official_geonames_format(dump_dir):
    df = tables.read_geonames_places(dump_dir / "cities500.txt")
    assert list(df["id"]) == [900001, 900002, 900003, 900004]
    places = tables.places_table(df, {"MX": "MEX"}, {"MX.25": "MX-SIN"})
    assert set(places["id"]) == {900001, 900002}  # feature class P only
    row = places.set_index("id").loc[900001]
    assert row["admin1_iso"] == "MX-SIN" and row["admin2_code"] == "MX.25.006"
    assert "Villa de Prueba" in row["alt_names"].split("|")


def test_latin_filter_drops_other_scripts():
    s = tables.latin_names(__import__("pandas").Series(["Culiacán|Кульякан|クリアカン|12|Cln"]))
    assert list(s) == ["Culiacán", "Cln"]


@pytest.mark.slow
def test_build_from_user_dump_then_noop(dump_dir, tmp_path):
    out = tmp_path / "gaz"
    logs: list[str] = []
    manifest = gbuild.build_gazetteer(out_dir=out, geonames_dir=dump_dir, use_cache=False, log=logs.append)
    assert manifest["geonames_dump"] == str(dump_dir)
    g = Gazetteer(out / "gazetteer.sqlite")
    hit = g.lookup("Villa de Prueba")[0]
    assert hit.id == 900001 and hit.admin1_iso == "MX-SIN"
    assert g.lookup("Guadalajara", level="place") == []  # packaged places replaced by the dump
    assert g.lookup("Sonora")[0].admin1_iso == "MX-SON"  # admin units still there
    # a second build with nothing changed is a no-op and says so
    logs.clear()
    again = gbuild.build_gazetteer(out_dir=out, geonames_dir=dump_dir, use_cache=False, log=logs.append)
    assert again["build_id"] == manifest["build_id"] and "up to date" in logs[0]


def test_failed_build_keeps_the_good_one(tmp_path, monkeypatch):
    out = tmp_path / "gaz"
    out.mkdir()
    for f in gbuild.OUTPUT_FILES:
        (out / f).write_text("{}" if f.endswith(".json") else "good")
    (out / "manifest.json").write_text(json.dumps({"build_id": "old"}))

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    import geo.build.pipeline as pipeline

    monkeypatch.setattr(pipeline, "build_into", explode)
    with pytest.raises(RuntimeError, match="disk full"):
        gbuild.build_gazetteer(out_dir=out, use_cache=False, log=lambda *_: None)
    assert json.loads((out / "manifest.json").read_text())["build_id"] == "old"
    assert (out / "gazetteer.sqlite").read_text() == "good"
    assert not list(tmp_path.glob(".gaz-tmp-*"))


def test_real_build_is_current(real_gazetteer_dir):
    m = gbuild.current_build(real_gazetteer_dir)
    assert m is not None and m["build_id"] == gbuild.build_id()
    con = sqlite3.connect(real_gazetteer_dir / "gazetteer.sqlite")
    assert con.execute("SELECT value FROM meta WHERE key='build_id'").fetchone()[0] == m["build_id"]
