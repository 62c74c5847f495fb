"""Analyst corrections of incidents (split, merge, event place, category): the pure core on
small reports, and the real store on both backends (real gazetteer, boundaries, GeoPackage
and PostGIS), reapplied after an incremental merge, `--reprocess` and a rebuild, and undone."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from geo.cluster import Incident
from geo.events import EventReport
from geo.read import ArticleRecord, read_paths
from geo.store import IncidentStore, StoreError
from geo.store.event_corrections import EventCorrection, apply_event_corrections
from geo.store.schema import SCHEMA_VERSION

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
FIXTURE_V3 = Path(__file__).resolve().parent / "data" / "store_v3.gpkg"
# data/README.md, "Events for merging": 0076, 0079 and 0080 are one gunfight in Culiacán;
# 0081 is the same town a week later, 0082 the neighbouring state the same night
GUNFIGHT, LATER, SONORA = ("sample-0076", "sample-0079", "sample-0080"), "sample-0081", \
    "sample-0082"


def report(article_id: str, index: int = 0, category: str = "battles") -> EventReport:
    return EventReport(article_id, index, "main", None, "Town", "AA", "AA-N", None, 1.0, 1.0, 1,
                       "", date(2024, 1, 1), 1, "", date(2024, 1, 1), category, "shot", "x")


def incident(*reports: EventReport, component: str = "blk:x") -> Incident:
    return Incident(f"inc:{reports[0].article_id}", list(reports), component=component)


def correction(fid: int, kind: str, key: tuple[str, int | None], **more: object,
               ) -> EventCorrection:
    return EventCorrection(fid, kind, key[0], key[1], **more)


def groups(incidents: list[Incident]) -> list[list[str]]:
    return sorted(sorted(r.article_id for r in i.reports) for i in incidents)


def test_split_merge_category_and_place_apply_in_the_order_they_were_made() -> None:
    a, b, c, d = report("a"), report("b"), report("c"), report("d")
    clustered = [incident(a, b, c), incident(d, component="blk:d")]
    split = correction(1, "split", ("b", 0))
    out = apply_event_corrections(clustered, [split])
    assert groups(out) == [["a", "c"], ["b"], ["d"]]
    moved = next(i for i in out if i.article_ids == ["b"])
    assert "set by an analyst" in moved.reasons[("b", 0)] and "split out" in moved.analyst
    assert moved.component == "blk:x"  # still in its block: merging it again splits it again
    merged = apply_event_corrections(clustered, [
        split, correction(2, "merge", ("b", 0), other_article_id="d", other_report_index=0)])
    assert groups(merged) == [["a", "c"], ["b", "d"]]
    assert {i.component for i in merged} == {"blk:d"}  # the two blocks are one now
    # a later split wins over an earlier merge
    again = apply_event_corrections(clustered, [
        correction(1, "merge", ("a", 0), other_article_id="d", other_report_index=0),
        correction(2, "split", ("d", None))])
    assert groups(again) == [["a", "b", "c"], ["d"]]
    categorised = apply_event_corrections(clustered, [
        correction(1, "category", ("c", 0), category="protests"),
        correction(2, "place", ("c", 0), start=0, end=4, surface="Town")])
    target = next(i for i in categorised if "c" in i.article_ids)
    assert target.category == "protests" and "set by an analyst" in target.category_evidence
    assert target.anchor.key == ("c", 0) and "set by an analyst" in target.anchor.place_reason
    untouched = next(i for i in categorised if i.article_ids == ["d"])
    assert untouched is clustered[1] and untouched.category == "battles"


def test_corrections_of_reports_not_in_the_batch_change_nothing() -> None:
    clustered = [incident(report("a"), report("b"))]
    out = apply_event_corrections(clustered, [
        correction(1, "split", ("zz", 0)),
        correction(2, "merge", ("a", 0), other_article_id="zz", other_report_index=0)])
    assert out == clustered


@pytest.fixture(scope="module")
def sample(real_gazetteer_dir: Path) -> dict[str, ArticleRecord]:
    wanted = {*GUNFIGHT, LATER, SONORA}
    return {r.article_id: r for r in read_paths([SAMPLE]).records if r.article_id in wanted}


@pytest.fixture(params=["gpkg", "postgis"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str | Path:
    if request.param == "postgis":
        return request.getfixturevalue("postgis_url")
    return tmp_path / "store.gpkg"


def untouched(analyst: object) -> bool:
    """No analyst note (NULL reads as None or NaN)."""
    return analyst is None or analyst != analyst or analyst == ""


def incident_of(store: IncidentStore, article_id: str) -> str:
    return str(store.backend.execute(
        "SELECT incident_id FROM article_incidents WHERE article_id = ? AND report_index = 0",
        (article_id,)).fetchone()[0])


def sources(store: IncidentStore, article_id: str) -> list[str]:
    row = store.incidents().set_index("incident_id").loc[incident_of(store, article_id)]
    return sorted(json.loads(row["article_ids"]))


def test_split_survives_incremental_merge_reprocess_and_rebuild_then_undo(
        location: str | Path, sample: dict[str, ArticleRecord]) -> None:
    first, second, third = GUNFIGHT
    with IncidentStore(location) as store:
        store.ingest([sample[first], sample[second]])
        assert sources(store, first) == [first, second]
        fid = store.split_incident(incident_of(store, first), second)
        assert sources(store, first) == [first] and sources(store, second) == [second]
        link = store.backend.read_frame("SELECT reason FROM article_incidents WHERE "
                                        f"article_id = '{second}'")["reason"].iloc[0]
        assert "set by an analyst" in link
        store.ingest([sample[third]])  # links to both: the block is merged again
        assert sources(store, first) == [first, third] and sources(store, second) == [second]
        store.reprocess_all()
        assert sources(store, second) == [second]
        store.rebuild_incidents()
        assert sources(store, first) == [first, third] and sources(store, second) == [second]
        row = store.incidents().set_index("incident_id").loc[incident_of(store, second)]
        assert "split out by an analyst" in row["analyst"] and row["source_count"] == 1
        assert [c.fid for c in store.event_corrections(active_only=True)] == [fid]
        assert store.stats()["event_corrections"] == 1
        store.undo_event_correction(fid)
        assert sources(store, first) == sorted(GUNFIGHT)
        assert store.event_corrections(active_only=True) == []
        assert store.stats()["event_corrections"] == 0
        assert not store.event_corrections()[0].active  # kept as history


def test_merge_place_and_category_survive_reprocess_and_rebuild_then_undo(
        location: str | Path, sample: dict[str, ArticleRecord]) -> None:
    with IncidentStore(location) as store:
        store.ingest([sample[a] for a in (*GUNFIGHT, LATER, SONORA)])
        before = len(store.incidents())
        gunfight = incident_of(store, GUNFIGHT[0])
        merged = store.merge_incidents(gunfight, incident_of(store, LATER))
        assert sources(store, LATER) == sorted([*GUNFIGHT, LATER])
        assert len(store.incidents()) == before - 1
        sinaloa = store.mentions(article_id=GUNFIGHT[2])
        state = sinaloa[(sinaloa["surface"] == "Sinaloa") & (sinaloa["level"] == "admin1")]
        placed = store.set_incident_place(incident_of(store, LATER), state["mention_id"].iloc[0])
        categorised = store.set_incident_category(incident_of(store, LATER), "protests")

        def check() -> None:
            incidents = store.incidents().set_index("incident_id")
            row = incidents.loc[incident_of(store, LATER)]
            assert sorted(json.loads(row["article_ids"])) == sorted([*GUNFIGHT, LATER])
            assert row["name"] == "Sinaloa" and row["level"] == "admin1"
            assert row["adm1_iso"] == "MX-SIN" and "set by an analyst" in row["reason"]
            assert row["category"] == "protests"
            assert "set by an analyst" in row["category_evidence"]
            assert all(word in row["analyst"] for word in ("merged", "place", "category"))
            assert len(incidents) == before - 1
            assert untouched(incidents.loc[incident_of(store, SONORA), "analyst"])

        check()
        store.reprocess_all()
        check()
        store.rebuild_incidents()
        check()
        store.undo_event_correction(placed)
        row = store.incidents().set_index("incident_id").loc[incident_of(store, LATER)]
        assert row["name"] == "Culiacán" and row["category"] == "protests"
        store.undo_event_correction(categorised)
        store.undo_event_correction(merged)
        assert sources(store, LATER) == [LATER] and len(store.incidents()) == before
        row = store.incidents().set_index("incident_id").loc[incident_of(store, GUNFIGHT[0])]
        assert row["category"] != "protests" and untouched(row["analyst"])


def test_a_merge_with_an_incident_outside_the_batch_brings_it_in(
        tmp_path: Path, sample: dict[str, ArticleRecord]) -> None:
    """The merged incident is rewritten whenever either side is merged again."""
    with IncidentStore(tmp_path / "s.gpkg") as store:
        store.ingest([sample[GUNFIGHT[0]], sample[SONORA]])
        store.merge_incidents(incident_of(store, GUNFIGHT[0]), incident_of(store, SONORA))
        store.ingest([sample[GUNFIGHT[1]]])  # joins the gunfight's block only
        assert sources(store, SONORA) == sorted([GUNFIGHT[0], GUNFIGHT[1], SONORA])
        assert len(store.incidents()) == 1


# one article telling two events: the Culiacán gunfight and the Navojoa shootout the same night
BRIDGE = ArticleRecord(
    "Four people were killed before dawn on Tuesday when gunmen fought National Guard troops in "
    "the Las Quintas neighbourhood of Culiacán, Sinaloa; and early on Tuesday three suspected "
    "gunmen were killed in a shootout with army soldiers on the outskirts of Navojoa, Sonora.",
    article_id="bridge", title="Deadly night of gunfights in Sinaloa and Sonora",
    published="2024-12-25")


def incidents_with(store: IncidentStore, article_id: str) -> dict[str, list[str]]:
    """Every incident an article reports -> its sources."""
    table = store.incidents().set_index("incident_id")
    found = store.backend.execute("SELECT DISTINCT incident_id FROM article_incidents WHERE "
                                  "article_id = ?", (article_id,)).fetchall()
    return {i: sorted(json.loads(table.loc[i]["article_ids"])) for (i,) in found}


def test_split_a_whole_article_out_of_the_two_incidents_it_bridges_then_undo(
        tmp_path: Path, sample: dict[str, ArticleRecord],
        capsys: pytest.CaptureFixture[str]) -> None:
    from geo.cli import main

    first, second, _ = GUNFIGHT
    path = tmp_path / "s.gpkg"
    with IncidentStore(path) as store:
        store.ingest([sample[first], sample[second], sample[SONORA], BRIDGE])
        joined = {i: s for i, s in incidents_with(store, "bridge").items() if len(s) > 1}
        assert sorted(joined.values()) == [["bridge", first, second], ["bridge", SONORA]]
        fid = store.split_article("bridge", "a round-up, not a report")
        assert sources(store, first) == [first, second] and sources(store, SONORA) == [SONORA]
        assert all(s == ["bridge"] for s in incidents_with(store, "bridge").values())
        done = store.event_corrections()[0]
        assert "out of every incident" in done.describe() and done.report_index is None
        store.rebuild_incidents()  # kept through a rebuild
        assert sources(store, first) == [first, second] and sources(store, SONORA) == [SONORA]
        with pytest.raises(StoreError, match="single source"):
            store.split_article("bridge")
        with pytest.raises(StoreError, match="reports no incident"):
            store.split_article("nothing")
        store.undo_event_correction(fid)
        again = {i: s for i, s in incidents_with(store, "bridge").items() if len(s) > 1}
        assert sorted(again.values()) == sorted(joined.values())
        gunfight = incident_of(store, first)
    # the CLI: `split --all` takes it out of both; an article not in the incident is refused
    store_args = ["--store", str(path)]
    assert main(["incidents", "split", incident_of_path(path, SONORA), first, "--all",
                 *store_args]) == 2
    assert "not a source" in capsys.readouterr().err
    assert main(["incidents", "split", gunfight, "bridge", "--all", *store_args]) == 0
    assert "out of every incident" in capsys.readouterr().out
    with IncidentStore(path) as store:
        assert sources(store, first) == [first, second] and sources(store, SONORA) == [SONORA]


def incident_of_path(path: Path, article_id: str) -> str:
    with IncidentStore(path) as store:
        return incident_of(store, article_id)


def test_bad_corrections_are_refused_with_the_reason(
        tmp_path: Path, sample: dict[str, ArticleRecord]) -> None:
    with IncidentStore(tmp_path / "s.gpkg") as store:
        store.ingest([sample[GUNFIGHT[0]], sample[SONORA]])
        lone = incident_of(store, SONORA)
        with pytest.raises(StoreError, match="single source"):
            store.split_incident(lone, SONORA)
        with pytest.raises(StoreError, match="no incident"):
            store.merge_incidents(lone, "inc:nothing")
        with pytest.raises(StoreError, match="itself"):
            store.merge_incidents(lone, lone)
        with pytest.raises(StoreError, match="not a source"):
            store.split_incident(lone, GUNFIGHT[0])
        with pytest.raises(StoreError, match="unknown category"):
            store.set_incident_category(lone, "aliens")
        with pytest.raises(StoreError, match="no mention"):
            store.set_incident_place(lone, "nope:1-2")
        fid = store.set_incident_category(lone, "protests")
        store.undo_event_correction(fid)
        with pytest.raises(StoreError, match="already undone"):
            store.undo_event_correction(fid)
        with pytest.raises(StoreError, match="no event correction"):
            store.undo_event_correction(999)
        assert len(store.event_corrections()) == 1


def test_a_store_written_by_the_previous_version_is_upgraded_and_corrected(
        tmp_path: Path, real_gazetteer_dir: Path) -> None:
    path = tmp_path / "v3.gpkg"
    shutil.copy(FIXTURE_V3, path)
    with IncidentStore(path) as store:
        version = store.backend.execute(
            "SELECT value FROM store_meta WHERE key = 'schema_version'").fetchone()[0]
        assert int(version) == SCHEMA_VERSION
        merged = incident_of(store, GUNFIGHT[0])
        assert len(sources(store, GUNFIGHT[0])) == 3
        store.split_incident(merged, GUNFIGHT[1])
        assert sources(store, GUNFIGHT[1]) == [GUNFIGHT[1]]
    with IncidentStore(path) as again:
        assert len(again.event_corrections()) == 1


def test_cli_corrects_lists_and_undoes(tmp_path: Path, sample: dict[str, ArticleRecord],
                                       capsys: pytest.CaptureFixture[str]) -> None:
    from geo.cli import main

    path = tmp_path / "s.gpkg"
    with IncidentStore(path) as store:
        store.ingest([sample[a] for a in GUNFIGHT])
        merged = incident_of(store, GUNFIGHT[0])
    store_args = ["--store", str(path)]
    assert main(["incidents", "split", merged, GUNFIGHT[2], "--note", "a follow-up",
                 *store_args]) == 0
    assert "2 incidents now" in capsys.readouterr().out
    assert main(["incidents", "set-category", merged, "protests", *store_args]) == 0
    capsys.readouterr()
    assert main(["incidents", "corrections", *store_args]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert len(listed) == 2 and "#1 split sample-0080#0" in listed[0] and "a follow-up" in \
        listed[0] and "protests" in listed[1]
    assert main(["incidents", "undo", "1", *store_args]) == 0
    assert "undone: #1" in capsys.readouterr().out
    assert main(["incidents", "corrections", *store_args]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1
    assert main(["incidents", "corrections", "--all", *store_args]) == 0
    assert "[undone]" in capsys.readouterr().out
    # bad input: a clear message on stderr and exit code 2, nothing stored
    for bad, why in ((["undo", "1"], "already undone"), (["merge", merged, merged], "itself"),
                     (["set-category", merged, "aliens"], "unknown category"),
                     (["split", "inc:nope", GUNFIGHT[0]], "no incident")):
        assert main(["incidents", *bad, *store_args]) == 2
        assert why in capsys.readouterr().err
    assert main(["incidents", "split", merged, GUNFIGHT[0], "--store",
                 str(tmp_path / "missing.gpkg")]) == 2
    assert "no store" in capsys.readouterr().err
    with IncidentStore(path) as store:
        assert len(store.event_corrections()) == 2
        assert sources(store, GUNFIGHT[0]) == sorted(GUNFIGHT)
    # the commands that derive incidents again keep the corrections in force
    assert main(["incidents", "split", merged, GUNFIGHT[2], *store_args]) == 0
    for command in (["ingest", "--reprocess", "--quiet"], ["incidents", "rebuild"]):
        assert main([*command, *store_args]) == 0
        with IncidentStore(path) as store:
            assert sources(store, GUNFIGHT[2]) == [GUNFIGHT[2]]
            assert sources(store, GUNFIGHT[0]) == sorted(GUNFIGHT[:2])
            row = store.incidents().set_index("incident_id").loc[incident_of(store,
                                                                             GUNFIGHT[0])]
            assert row["category"] == "protests"
