"""`geo ingest`, `geo stats`, `geo export` on the real parser, gazetteer and boundaries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geo import paths
from geo.cli import main


@pytest.fixture(autouse=True)
def _needs_parser(real_gazetteer_dir: Path) -> None:
    pytest.importorskip("geo.parse", reason="geo.parse (the geoparser helper's) not there yet")


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def test_ingest_twice_then_stats_and_export(seed_article: tuple[str, dict], tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    _, expected = seed_article
    seed = paths.shared_dir() / "seeds" / expected["file"]
    store = tmp_path / "s.gpkg"
    assert main(["ingest", str(seed), "--store", str(store)]) == 0
    assert "read 1, stored 1, already present 0, rejected 0" in capsys.readouterr().out
    assert main(["ingest", str(seed), "--store", str(store)]) == 0
    assert "read 1, stored 0, already present 1, rejected 0" in capsys.readouterr().out

    assert main(["stats", "--store", str(store), "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert (stats["articles"], stats["incidents"]) == (1, 1)
    assert stats["incidents_by_country"] == {"MEX": 1}

    assert main(["export", "--store", str(store), "--layer", "incidents", "--format",
                 "geojson", "--country", "MX", "--from", "2024-01-01"]) == 0
    captured = capsys.readouterr()
    feature = json.loads(captured.out)["features"][0]
    assert feature["properties"]["adm1_iso"] == "MX-SON"
    assert feature["properties"]["event_date"] == expected["event_date"]
    meta = json.loads(captured.err.strip().splitlines()[-1])  # metadata goes to stderr
    assert meta["filter"] == {"start": "2024-01-01", "countries": ["MX"]}

    out = tmp_path / "out" / "incidents.csv"
    assert main(["export", "--store", str(store), "--format", "csv", "-o", str(out)]) == 0
    assert out.read_text().startswith("incident_id,latitude,longitude")
    sidecar = json.loads(Path(f"{out}.meta.json").read_text())
    assert sidecar["layer"] == "incidents" and sidecar["feature_count"] == 1

    assert main(["export", "--store", str(store), "--format", "gpkg"]) == 2
    assert "give --output" in capsys.readouterr().err


def test_bad_dates_and_missing_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["export", "--store", str(tmp_path / "s.gpkg"), "--from", "22/01/2024"])
    assert "not a date" in capsys.readouterr().err
    assert main(["stats", "--store", str(tmp_path / "missing.gpkg")]) == 2
    text = tmp_path / "a.txt"
    text.write_text("Floods in Lima.")
    assert main(["ingest", str(text), "--store", str(tmp_path / "s.gpkg"), "--date",
                 "July 1"]) == 2
    assert "not ISO 8601" in capsys.readouterr().err


def test_rejects_file_and_if_empty(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [
        {"id": "ok", "published": "2024-05-02", "text": "Floods hit Lima on Tuesday."},
        {"id": "bad-date", "published": "02/05/2024", "text": "Floods hit Quito."},
        {"id": "no-text", "published": "2024-05-02"},
    ])
    store, rejects = tmp_path / "s.gpkg", tmp_path / "rejects.jsonl"
    assert main(["ingest", str(source), "--store", str(store), "--rejects", str(rejects)]) == 0
    assert "read 3, stored 1, already present 0, rejected 2" in capsys.readouterr().out
    lines = [json.loads(line) for line in rejects.read_text().splitlines()]
    assert {r["record_id"]: r["reason"][:20] for r in lines} == {
        "bad-date": "published '02/05/202", "no-text": "missing 'text' field"}
    assert main(["ingest", str(source), "--store", str(store), "--if-empty"]) == 0
    assert "nothing to do" in capsys.readouterr().out
    assert main(["ingest", str(source), "--store", str(store), "--strict"]) == 1


def test_plain_text_with_date_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = tmp_path / "note.txt"
    text.write_text("A bomb exploded in Kabul yesterday, killing three people.")
    store = tmp_path / "s.gpkg"
    assert main(["ingest", str(text), "--store", str(store), "--date", "2024-03-10"]) == 0
    capsys.readouterr()
    assert main(["export", "--store", str(store), "--format", "geojson"]) == 0
    props = json.loads(capsys.readouterr().out)["features"][0]["properties"]
    assert (props["published"], props["event_date"], props["time_precision"]) == \
        ("2024-03-10", "2024-03-09", 1)
    assert props["adm0_iso3"] == "AFG"


def test_sample_corpus_as_make_run_does(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sample = paths.ROOT / "data" / "sample"
    if not any(sample.glob("*.jsonl")):
        pytest.skip("data/sample not written yet (another helper's task)")
    store = tmp_path / "s.gpkg"
    assert main(["ingest", str(sample), "--store", str(store), "--if-empty",
                 "--workers", "2"]) == 0
    out = capsys.readouterr().out
    read = int(out.split("read ")[1].split(",")[0])
    stored = int(out.split("stored ")[1].split(",")[0])
    rejected = int(out.split("rejected ")[1].split(" ")[0])
    assert stored >= 60 and read == stored + rejected
    assert main(["stats", "--store", str(store), "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert len(stats["incidents_by_country"]) >= 10
    assert stats["located_incidents"] >= 0.9 * stats["incidents"]


def test_reprocess_after_a_gazetteer_rebuild(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    text = tmp_path / "note.txt"
    text.write_text("date 2024-03-10\nA bomb exploded in Kabul yesterday, killing three.")
    store = tmp_path / "s.gpkg"
    assert main(["ingest", str(text), "--store", str(store)]) == 0
    assert main(["ingest", "--reprocess", "--store", str(store)]) == 0
    assert "reprocessed 1 stored articles" in capsys.readouterr().out
    assert main(["ingest", "--store", str(store)]) == 2


def test_untrusted_ids_cannot_drive_the_terminal(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    source = write_jsonl(tmp_path / "evil.jsonl", [{"id": "x\x1b[2Jy", "published": "bad"}])
    assert main(["ingest", str(source), "--store", str(tmp_path / "s.gpkg")]) == 0
    err = capsys.readouterr().err
    assert "\x1b" not in err and "x\\x1b[2Jy" in err


def test_missing_gazetteer_is_one_clear_error(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    text = tmp_path / "a.txt"
    text.write_text("date 2024-01-01\nFloods in Lima.")
    env = {**os.environ, "GEO_GAZETTEER_DIR": str(tmp_path / "nowhere")}
    done = subprocess.run([sys.executable, "-m", "geo", "ingest", str(text), "--store",
                           str(tmp_path / "s.gpkg")], capture_output=True, text=True, env=env,
                          timeout=120)
    assert done.returncode == 2
    assert "geo gazetteer build" in done.stderr
