"""The app's upload: every good record stored, every bad one listed with its file's name.
On the real parser, gazetteer and store."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from geo import paths
from geo.read import read_paths
from geo.view.upload import ingest_uploads, safe_name

BAD_LINES = ['{"id": "deep", "text": "a", "n": ' + "[" * 200_000 + "]" * 200_000 + "}",
             '{"id": "huge", "text": "a", "n": ' + "9" * 5000 + "}",
             '{"id": "old", "text": "Rain.", "published": "0001-01-01T00:00:00+01:00"}',
             '{"id": "lone\\ud800", "text": 5}']


@pytest.fixture(autouse=True)
def _needs_parser(real_gazetteer_dir: Path) -> None:
    pytest.importorskip("geo.parse")


def test_bad_lines_among_good_records_store_the_good_ones(tmp_path: Path) -> None:
    sample = sorted((paths.ROOT / "data" / "sample").glob("2024-q*.jsonl"))
    lines = [line for f in sample for line in f.read_text(encoding="utf-8").splitlines()
             if line.strip()]
    good = len(read_paths(sample).records)
    middle = len(lines) // 2
    mixed = "\n".join(lines[:middle] + BAD_LINES + lines[middle:]) + "\n"
    csv_text = 'id,text\nc1,Floods hit Lima on Tuesday.\nc2,"never closed\nc3,Rain in Quito.\n'
    uploads = [("../../etc/articles 2024.jsonl", mixed.encode("utf-8")),
               ("more.csv", io.BytesIO(csv_text.encode("utf-8")))]
    outcome = ingest_uploads(uploads, tmp_path / "s.gpkg")
    assert outcome.error is None
    assert outcome.stored == good + 2 and outcome.files == 2
    assert sorted(r.record_id or r.source for r in outcome.rejects) == sorted(
        ["old", "lone\ufffd", f"../../etc/articles 2024.jsonl:{middle + 1}",
         f"../../etc/articles 2024.jsonl:{middle + 2}", "more.csv:3"])
    assert all(r.source.startswith(("../../etc/articles 2024.jsonl:", "more.csv:"))
               for r in outcome.rejects)
    assert f"stored {good + 2}" in outcome.summary()
    uploads[1] = ("more.csv", csv_text.encode("utf-8"))
    again = ingest_uploads(uploads, tmp_path / "s.gpkg")
    assert (again.stored, again.already_present) == (0, good + 2)


def test_a_broken_store_is_reported_not_raised(tmp_path: Path) -> None:
    outcome = ingest_uploads([("a.txt", b"Floods in Lima.")], tmp_path)  # a folder, not a store
    assert outcome.error and outcome.stored == 0


def test_uploaded_names_never_become_paths() -> None:
    assert safe_name("../../etc/passwd.jsonl") == "passwd.jsonl"
    assert safe_name("a b;c.csv") == "a_b_c.csv" and safe_name("") == "upload"
