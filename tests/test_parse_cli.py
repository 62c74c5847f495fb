"""`geo parse` and `geo eval` as a user runs them (real gazetteer)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

GEO = [sys.executable, "-m", "geo"]


def run(args, stdin=None):
    return subprocess.run(GEO + args, input=stdin, capture_output=True, timeout=300)


@pytest.fixture(scope="module")
def gaz(real_gazetteer_dir):
    return real_gazetteer_dir


def test_parse_text_file_with_date_line(gaz, tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("date 2024-01-22\nGunmen attacked Culiacán, Sinaloa on Saturday.\n", encoding="utf-8")
    out = run(["parse", str(f)])
    assert out.returncode == 0, out.stderr
    (doc,) = [json.loads(line) for line in out.stdout.decode().splitlines()]
    assert doc["id"] == "a" and doc["published"] == "2024-01-22"
    text = f.read_text(encoding="utf-8")
    surfaces = [m["surface"] for m in doc["mentions"]]
    assert surfaces == ["Culiacán", "Sinaloa"]
    for m in doc["mentions"]:
        assert text[m["start"]:m["end"]] == m["surface"] and m["lat"] is not None and m["country"] == "MX"


def test_parse_jsonl_and_stdin(gaz, tmp_path):
    f = tmp_path / "docs.jsonl"
    f.write_text(json.dumps({"id": "x1", "text": "Rain in Texas.", "date": "2020-01-01"}) + "\n"
                 + json.dumps({"id": "x2", "text": "Nothing here."}) + "\n")
    out = run(["parse", str(f)])
    docs = [json.loads(line) for line in out.stdout.decode().splitlines()]
    assert [d["id"] for d in docs] == ["x1", "x2"] and docs[0]["published"] == "2020-01-01"
    assert [m["admin1_iso"] for m in docs[0]["mentions"]] == ["US-TX"] and docs[1]["mentions"] == []
    out = run(["parse", "-"], stdin=b"Floods hit \xffSonora.")
    (doc,) = [json.loads(line) for line in out.stdout.decode().splitlines()]
    assert doc["id"] == "stdin" and [m["surface"] for m in doc["mentions"]] == ["Sonora"]


def test_parse_missing_file_is_a_clear_error(gaz, tmp_path):
    out = run(["parse", str(tmp_path / "nope.txt")])
    assert out.returncode == 2 and b"no such file" in out.stderr


def test_eval_prints_metrics_and_writes_errors(shared_dir, gaz, tmp_path):
    errors = tmp_path / "err.txt"
    out = run(["eval", str(shared_dir / "eval" / "lgl.jsonl"), "--limit", "20", "--errors", str(errors)])
    assert out.returncode == 0, out.stderr
    text = out.stdout.decode()
    assert "20 documents" in text and "e2e161" in text and "toponym+modified_region" in text
    assert "MISSED" in errors.read_text() or "SPURIOUS" in errors.read_text()
    out = run(["eval", str(shared_dir / "eval" / "lgl.jsonl"), "--limit", "5", "--json"])
    res = json.loads(out.stdout)
    assert res["docs"] == 5 and 0 <= res["results"]["toponym+modified_region"]["f1"] <= 1


def test_eval_rejects_a_non_jsonl_file(gaz, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n")
    out = run(["eval", str(bad)])
    assert out.returncode == 2 and b"not JSON Lines" in out.stderr


def test_parse_seed_file_date_header(seed_article, gaz, shared_dir):
    raw, expected = seed_article
    out = run(["parse", str(shared_dir / "seeds" / expected["file"])])
    (doc,) = [json.loads(line) for line in out.stdout.decode().splitlines()]
    assert doc["published"] == expected["published"]
    spans = {(m["start"], m["end"]) for m in doc["mentions"]}
    assert spans == {tuple(s) for p in expected["places"] for s in p["spans"]}
