"""The app's controls to correct an incident (geo/view/event_controls.py), with AppTest on a
real store (GeoPackage, and a split on PostGIS): split, undo, merge, event place and
category; the filters and the selection stay."""

from __future__ import annotations

import json

import pandas as pd
from streamlit.testing.v1 import AppTest
from view_fixtures import build_real_store, started

from geo import paths
from geo.store import IncidentStore
from geo.view.event_controls import merge_candidates, place_choices, sources_of
from geo.view.panels import TAB_KEY

APP = str(paths.ROOT / "app.py")
GUNFIGHT = ("sample-0076", "sample-0079", "sample-0080")  # data/README.md: one event
LATER = "sample-0081"  # the same town a week later


def holding(store_path, article_id: str) -> pd.Series:
    with IncidentStore(store_path) as store:
        incidents = store.incidents()
    return next(r for _, r in incidents.iterrows() if article_id in json.loads(r["article_ids"]))


def box(at: AppTest, prefix: str):
    return next(s for s in at.selectbox if s.key and s.key.startswith(prefix))


def test_choices_come_from_the_incident_row() -> None:
    row = {"incident_id": "inc:a", "article_id": "a", "article_ids": '["a", "b"]',
           "sources": '[{"article_id": "b", "title": "<b>T</b>", "source": "W"}]',
           "adm1_iso": "X-1", "adm0_iso3": "XXX", "event_date": "2024-01-05", "mention_id": "b:0-4"}
    assert [s["article_id"] for s in sources_of(row)] == ["a", "b"]
    shown = pd.DataFrame({"incident_id": ["inc:a", "inc:far", "inc:near", "inc:abroad"],
                          "adm1_iso": ["X-1", "X-1", "X-1", "Y-1"],
                          "adm0_iso3": ["XXX", "XXX", "XXX", "YYY"],
                          "event_date": ["2024-01-05", "2024-03-01", "2024-01-06", "2024-01-05"]})
    assert merge_candidates(row, shown)["incident_id"].tolist() == ["inc:near", "inc:far",
                                                                   "inc:abroad"]
    mentions = pd.DataFrame({"mention_id": ["a:0-3", "b:0-4", "c:0-2", "a:5-9"],
                             "article_id": ["a", "b", "c", "a"], "start": [0, 0, 0, 5],
                             "lat": [1.0, 2.0, 3.0, None]})
    assert place_choices(row, mentions)["mention_id"].tolist() == ["b:0-4", "a:0-3"]


def test_split_undo_merge_place_and_category_keep_filters_and_selection(
        real_gazetteer_dir, tmp_path, monkeypatch) -> None:
    store = build_real_store(tmp_path, files=("2024-q4.jsonl",))
    monkeypatch.setenv("GEO_STORE", str(store))
    target = holding(store, GUNFIGHT[0])
    assert target["source_count"] == 3
    app = AppTest.from_file(APP, default_timeout=120)
    app.query_params["sel"] = target["incident_id"]
    app.session_state[TAB_KEY] = "Correct"  # only the open tab is built
    at = started(app)
    at.multiselect(key="f_countries").set_value(["MEX"]).run()
    count = int(at.metric[0].value.replace(",", ""))

    def done(at: AppTest) -> None:
        assert not at.exception, at.exception
        assert not at.error, [e.value for e in at.error]
        assert at.multiselect(key="f_countries").value == ["MEX"]

    # split one source out: one more incident, the selection stays on the rest
    box(at, "ev_split_pick_").set_value(GUNFIGHT[1]).run()
    at.button(key="ev_split").click().run()
    done(at)
    assert any("Split" in s.value for s in at.success)
    assert holding(store, GUNFIGHT[1])["source_count"] == 1
    rest = holding(store, GUNFIGHT[0])
    assert rest["source_count"] == 2 and "analyst" in rest["analyst"]
    assert at.session_state["sel"] == rest["incident_id"]
    assert int(at.metric[0].value.replace(",", "")) == count + 1
    # undo it: the three sources are one incident again
    undo = next(b for b in at.button if b.key and b.key.startswith("ev_undo_"))
    undo.click().run()
    done(at)
    assert holding(store, GUNFIGHT[1])["source_count"] == 3
    assert int(at.metric[0].value.replace(",", "")) == count
    # the whole article out of every incident it reports (here one), then undo that too
    box(at, "ev_split_pick_").set_value(GUNFIGHT[1]).run()
    next(c for c in at.checkbox if c.key.startswith("ev_split_all_")).check().run()
    at.button(key="ev_split").click().run()
    done(at)
    assert holding(store, GUNFIGHT[1])["source_count"] == 1
    with IncidentStore(store) as s:
        assert s.event_corrections(active_only=True)[0].report_index is None
    next(b for b in at.button if b.key and b.key.startswith("ev_undo_")).click().run()
    done(at)
    assert holding(store, GUNFIGHT[1])["source_count"] == 3
    # merge with the same town a week later
    later = holding(store, LATER)["incident_id"]
    box(at, "ev_merge_pick_").set_value(later).run()
    at.button(key="ev_merge").click().run()
    done(at)
    merged = holding(store, LATER)
    assert merged["source_count"] == 4 and at.session_state["sel"] == merged["incident_id"]
    # the state is the event place; then the category
    places = box(at, "ev_place_pick_")
    state = next(o for o in places.options if "Sinaloa" in o and "admin1" in o)
    places.set_value(state.rsplit("(", 1)[1].rstrip(")")).run()  # the label ends in the id
    at.button(key="ev_place").click().run()
    done(at)
    assert holding(store, LATER)["name"] == "Sinaloa"
    box(at, "ev_category_pick_").set_value("protests").run()
    at.button(key="ev_category").click().run()
    done(at)
    final = holding(store, LATER)
    assert final["category"] == "protests" and "set by an analyst" in final["category_evidence"]
    assert at.session_state["sel"] == final["incident_id"]
    assert len([b for b in at.button if b.key and b.key.startswith("ev_undo_")]) == 3


def test_a_split_in_the_app_is_written_to_a_postgis_store(real_gazetteer_dir, tmp_path,
                                                          postgis_url, monkeypatch) -> None:
    from geo.store.copy import copy_store

    gpkg = build_real_store(tmp_path, files=("2024-q4.jsonl",))
    with IncidentStore(gpkg) as source, IncidentStore(postgis_url) as destination:
        copy_store(source.backend, destination.backend)
    target = holding(postgis_url, GUNFIGHT[0])
    monkeypatch.setenv("GEO_STORE", postgis_url)
    app = AppTest.from_file(APP, default_timeout=120)
    app.query_params["sel"] = target["incident_id"]
    app.session_state[TAB_KEY] = "Correct"  # only the open tab is built
    at = app.run()
    box(at, "ev_split_pick_").set_value(GUNFIGHT[2]).run()
    at.button(key="ev_split").click().run()
    assert not at.exception and not at.error, at.exception or [e.value for e in at.error]
    assert holding(postgis_url, GUNFIGHT[2])["source_count"] == 1
    assert holding(postgis_url, GUNFIGHT[0])["source_count"] == 2
    with IncidentStore(postgis_url) as store:
        assert [c.kind for c in store.event_corrections()] == ["split"]


def test_controls_follow_a_change_made_meanwhile_and_store_nothing_twice(
        real_gazetteer_dir, tmp_path, monkeypatch) -> None:
    """Another analyst splits the incident first: the app rereads the store, shows the incident
    as it is now (a single source: nothing to split) and the stale click stores nothing."""
    store = build_real_store(tmp_path, files=("2024-q4.jsonl",))
    monkeypatch.setenv("GEO_STORE", str(store))
    target = holding(store, GUNFIGHT[0])
    app = AppTest.from_file(APP, default_timeout=120)
    app.query_params["sel"] = target["incident_id"]
    app.session_state[TAB_KEY] = "Correct"  # only the open tab is built
    at = app.run()
    box(at, "ev_split_pick_").set_value(GUNFIGHT[1]).run()
    with IncidentStore(store) as s:  # meanwhile, another analyst takes its first source out
        s.split_incident(target["incident_id"], GUNFIGHT[0])
    at.button(key="ev_split").click().run()
    assert not at.exception, at.exception
    assert any("nothing to split" in c.value for c in at.caption)
    with IncidentStore(store) as s:
        assert len(s.event_corrections()) == 1
    assert holding(store, GUNFIGHT[1])["source_count"] == 2
