"""The CLI on hostile input (real parser, gazetteer and store): one JSONL reader for every
command, a rejects file that is always written, CSV dialects, future dates, exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geo.cli import main
from geo.errors import GeoError, InputError, SetupError, StoreError

SEPARATORS = ("\u0085", "\u2028", "\u2029", "\x0b", "\x1c")


@pytest.fixture(autouse=True)
def _needs_parser(real_gazetteer_dir: Path) -> None:
    pytest.importorskip("geo.parse")


@pytest.fixture
def separators_jsonl(tmp_path: Path) -> Path:
    """One document per line; each text holds a character str.splitlines() would split on."""
    f = tmp_path / "docs.jsonl"
    f.write_text("".join(json.dumps({"id": f"d{i}", "text": f"Floods hit Lima ({i}).{ch}Rain in Texas.",
                                     "published": "2024-05-02", "date": "2024-05-02"},
                                    ensure_ascii=False) + "\n"
                         for i, ch in enumerate(SEPARATORS)), encoding="utf-8")
    assert any(ch in f.read_text(encoding="utf-8") for ch in ("\u2028", "\u0085"))
    return f


def test_parse_reads_one_document_per_line(separators_jsonl: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", str(separators_jsonl)]) == 0
    docs = [json.loads(line) for line in capsys.readouterr().out.split("\n") if line]
    assert [d["id"] for d in docs] == [f"d{i}" for i in range(len(SEPARATORS))]
    for doc in docs:
        assert {m["surface"] for m in doc["mentions"]} >= {"Lima", "Texas"}


def test_parse_stdin_jsonl_splits_on_newline_only(separators_jsonl: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(separators_jsonl.read_bytes())))
    assert main(["parse", "-"]) == 0
    assert len([line for line in capsys.readouterr().out.split("\n") if line]) == len(SEPARATORS)


def test_eval_reads_one_document_per_line(separators_jsonl: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", str(separators_jsonl), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["docs"] == len(SEPARATORS)


def test_ingest_reads_one_document_per_line(separators_jsonl: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ingest", str(separators_jsonl), "--store", str(tmp_path / "s.gpkg")]) == 0
    assert f"read {len(SEPARATORS)}, stored {len(SEPARATORS)}," in capsys.readouterr().out


def test_rejects_file_is_written_with_lone_surrogates(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": "ok", "published": "2024-05-02", "text": "Floods hit Lima."}\n'
                      '{"id": "bad\\ud800", "published": "2024-13-45\\udfff", "text": "x"}\n'
                      '{"id": "far", "published": "2099-01-01", "text": "Rain in Quito."}\n'
                      '{"id": "s\\ud800", "published": "2024-05-02", "text": "Rain \\ud800 in '
                      'Quito."}\n', encoding="utf-8")
    rejects = tmp_path / "rejects.jsonl"
    assert main(["ingest", str(source), "--store", str(tmp_path / "s.gpkg"), "--rejects",
                 str(rejects)]) == 0
    out = capsys.readouterr()
    assert "read 4, stored 2, already present 0, rejected 2" in out.out
    lines = [json.loads(line) for line in rejects.read_text(encoding="utf-8").splitlines()]
    assert [r["record_id"] for r in lines] == ["bad\ufffd", "far"]
    assert "in the future" in lines[1]["reason"]
    assert "surrogate" in out.err  # the stored one carries a note


def test_future_days_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "far", "published": "2099-01-01", "text": "Rain in Lima."})
                      + "\n", encoding="utf-8")
    assert main(["ingest", str(source), "--store", str(tmp_path / "s.gpkg"),
                 "--future-days", "off"]) == 0
    assert "stored 1" in capsys.readouterr().out


def test_semicolon_csv_and_delimiter_option(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.csv"
    source.write_text("id;published;text\n1;2024-05-02;Floods hit Lima, Peru.\n"
                      '2;2024-05-02;"Rain in Quito; more tomorrow.\n', encoding="utf-8")
    store = tmp_path / "s.gpkg"
    assert main(["ingest", str(source), "--store", str(store)]) == 0
    out = capsys.readouterr()
    assert "read 2, stored 1, already present 0, rejected 1" in out.out
    assert "malformed CSV row" in out.err
    assert main(["ingest", str(source), "--store", str(store), "--delimiter", "|"]) == 0
    assert "no 'text' column" in capsys.readouterr().err


@pytest.mark.parametrize("argv, message", [
    (["stats", "--store", "{tmp}/missing.gpkg"], "no store at"),
    (["export", "--store", "{tmp}/missing.gpkg"], "no store at"),
    (["ingest", "--store", "{tmp}/s.gpkg"], "give at least one path"),
    (["ingest", "{tmp}/a.txt", "--store", "{tmp}/s.gpkg", "--date", "July 1"], "not ISO 8601"),
    (["ingest", "{tmp}/a.txt", "--store", "{tmp}", ], "is a folder"),
    (["parse", "{tmp}/nope.txt"], "no such file"),
    (["eval", "{tmp}/a.txt"], "not JSON Lines"),
])
def test_errors_exit_2_with_the_message(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        argv: list[str], message: str) -> None:
    (tmp_path / "a.txt").write_text("Floods in Lima.", encoding="utf-8")
    assert main([a.format(tmp=tmp_path) for a in argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"geo {argv[0]}: ") and message in err


def test_project_errors_share_one_root_and_keep_their_builtin() -> None:
    from geo.build.sources import SourceError
    from geo.export import ExportError
    from geo.gazetteer import GazetteerMissingError
    from geo.read import ReadError
    from geo.view.assets import UnknownAssetError

    for error, builtin in [(ReadError, ValueError), (ExportError, ValueError),
                           (GazetteerMissingError, RuntimeError), (SourceError, RuntimeError),
                           (UnknownAssetError, KeyError), (InputError, ValueError),
                           (SetupError, RuntimeError), (StoreError, RuntimeError)]:
        assert issubclass(error, GeoError) and issubclass(error, builtin), error


def test_eval_with_lone_surrogates_writes_its_errors(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    corpus, errors = tmp_path / "c.jsonl", tmp_path / "errors.txt"
    corpus.write_text('{"id": "s", "text": "Rain \\ud800 in Lima.", "toponyms": []}\n',
                      encoding="utf-8")
    assert main(["eval", str(corpus), "--errors", str(errors)]) == 0
    assert "1 documents" in capsys.readouterr().out
    assert "Lima" in errors.read_text(encoding="utf-8")
