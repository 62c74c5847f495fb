"""The Streamlit app's logic with AppTest on a real temp store (GEO_STORE)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest
from view_fixtures import build_real_store, started

from geo import paths
from geo.view.panels import TAB_KEY

APP = str(paths.ROOT / "app.py")


@pytest.fixture(scope="module")
def store(real_gazetteer_dir, tmp_path_factory):
    return build_real_store(tmp_path_factory.mktemp("appstore"))


@pytest.fixture()
def app(store, monkeypatch):
    monkeypatch.setenv("GEO_STORE", str(store))
    return _open(AppTest.from_file(APP, default_timeout=120), "Incidents")


def _open(at: AppTest, tab: str) -> AppTest:
    """Open a tab under the map (only the open one is built); run the app to see it."""
    at.session_state[TAB_KEY] = tab
    return at


@pytest.fixture()
def deferred(monkeypatch):
    """file_id -> (file name, the callable a download button would run), captured as registered."""
    captured: dict[str, tuple[str | None, object]] = {}
    original = MediaFileManager.add_deferred

    def spy(self, data_callable, *args, **kwargs):
        file_id = original(self, data_callable, *args, **kwargs)
        captured[file_id] = (kwargs.get("file_name"), data_callable)
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", spy)
    return captured


def _table(at: AppTest):
    return at.dataframe[0].value


def _download(at: AppTest, deferred: dict, key: str) -> tuple[str, bytes]:
    button = next(b for b in at.get("download_button") if b.proto.id.endswith(key))
    file_name, make = deferred[button.proto.deferred_file_id]
    return file_name, make()


def test_app_runs_and_shows_the_store(app):
    at = started(app)
    assert not at.exception, at.exception
    table = _table(at)
    assert len(table) > 20
    assert at.metric[0].value == f"{len(table):,}"
    assert any("GeoNames" in c.value for c in at.caption)  # attribution from the manifest


def test_the_first_run_draws_the_map_before_the_sidebar_and_timeline(app):
    """A session's first run sends the map (and the numbers) without the sidebar's widgets and
    the timeline, which cost the browser more than the map; the next run (the mounted map asks
    for it) draws them, with the filters the map was drawn with."""
    app.query_params.update({"country": "MEX", "minconf": "0.3"})
    at = app.run()
    assert not at.exception, at.exception
    assert at.get("component_instance")  # the map
    assert not at.multiselect and not at.toggle and not at.get("vega_lite_chart")
    assert any("appear once the map is drawn" in c.value for c in at.sidebar.caption)
    first = _table(at)
    assert set(first["adm0_name"]) == {"Mexico"}  # drawn with the URL's filters already
    at.run()
    assert not at.exception, at.exception
    assert at.multiselect(key="f_countries").value == ["MEX"]
    assert at.slider(key="f_minconf").value == pytest.approx(0.3)
    assert at.get("vega_lite_chart")
    assert _table(at).equals(first)


def test_filters_change_table_and_exports(app, deferred):
    at = started(app)
    everything = _table(at)
    _open(at, "Download").run()
    _, data = _download(at, deferred, "dl_incidents_geojson")
    assert len(json.loads(data)["features"]) == len(everything)

    at.multiselect(key="f_countries").set_value(["MEX"]).run()
    assert not at.exception
    _, data = _download(at, deferred, "dl_incidents_geojson")
    features = json.loads(data)["features"]
    _open(at, "Incidents").run()
    mexico = _table(at)
    assert 0 < len(mexico) < len(everything)
    assert set(mexico["adm0_name"]) == {"Mexico"}
    assert len(features) == len(mexico)
    assert {f["properties"]["adm0_iso3"] for f in features} == {"MEX"}
    _open(at, "Download").run()
    _, csv = _download(at, deferred, "dl_adm1-counts_csv")
    assert b"MX-" in csv and b"US-" not in csv


def test_date_range_narrows_table_and_names_the_files(app, deferred):
    at = started(app)
    everything = _table(at)
    at.date_input(key="f_dates").set_value((date(2024, 2, 1), date(2024, 3, 31))).run()
    narrowed = _table(at)
    assert 0 < len(narrowed) < len(everything)
    assert narrowed["event_date"].astype(str).between("2024-02-01", "2024-03-31").all()
    assert dict(at.query_params)["from"] == ["2024-02-01"] or at.query_params["from"] == "2024-02-01"
    _open(at, "Download").run()
    name, data = _download(at, deferred, "dl_mentions_gpkg")
    assert name == "mentions_2024-02-01_2024-03-31.gpkg" and data.startswith(b"SQLite format 3")
    name, _ = _download(at, deferred, "dl_incidents_geojson")
    assert name == "incidents_2024-02-01_2024-03-31.geojson"


def test_url_state_round_trips(app, store, monkeypatch):
    app.query_params.update({"country": "MEX", "from": "2024-01-10", "to": "2024-06-15", "minconf": "0.3",
                             "bin": "week"})
    at = started(app)
    assert not at.exception
    assert at.multiselect(key="f_countries").value == ["MEX"]
    assert at.date_input(key="f_dates").value == (date(2024, 1, 10), date(2024, 6, 15))
    assert at.slider(key="f_minconf").value == pytest.approx(0.3)
    first = _table(at)
    assert set(first["adm0_name"]) == {"Mexico"}
    # changing a widget rewrites the URL ...
    at.text_input(key="f_query").set_value("cartel").run()
    params = {k: at.query_params[k] for k in at.query_params}
    assert params["q"] in ("cartel", ["cartel"]) and params["country"] in ("MEX", ["MEX"])
    shared = {k: (v[0] if isinstance(v, list) else v) for k, v in params.items()}
    # ... and a new session opened on that URL shows the same view
    monkeypatch.setenv("GEO_STORE", str(store))
    again = _open(AppTest.from_file(APP, default_timeout=120), "Incidents")
    again.query_params.update(shared)
    started(again)
    assert _table(again).equals(_table(at))
    assert {k: again.query_params[k] for k in again.query_params} == params


def test_url_dates_outside_the_data_are_clamped(app):
    app.query_params.update({"from": "1999-01-01", "to": "2024-02-15"})
    at = started(app)
    lo = min(_table(at)["event_date"].astype(str))
    first, last = at.date_input(key="f_dates").value
    assert first.isoformat() == lo and last == date(2024, 2, 15)


def test_bad_url_values_do_not_break_the_app(app):
    app.query_params.update({"prec": "9", "from": "not-a-date", "kind": "bogus"})
    at = app.run()  # the session's first run reads the URL and says what it could not read
    assert not at.exception
    assert len(at.toast) >= 3
    at.run()
    assert not at.exception
    assert len(_table(at)) > 20


def test_correction_updates_store_and_table(real_gazetteer_dir, tmp_path, monkeypatch):
    import re

    from geo.store import IncidentStore

    store = build_real_store(tmp_path)  # its own copy: this test writes to the store
    monkeypatch.setenv("GEO_STORE", str(store))
    app = _open(AppTest.from_file(APP, default_timeout=120), "Incidents")

    with IncidentStore(store) as s:
        incidents = s.incidents()
    # an ambiguous name: the sample has a "Paris" that other gazetteer places share
    target = incidents[incidents["name"] == "Paris"].iloc[0]
    app.query_params["sel"] = target["incident_id"]  # the analyst selected it (a link to it)
    at = started(app)
    # the analyst is looking at the incident's own country and state
    at.multiselect(key="f_countries").set_value([target["adm0_iso3"]]).run()
    at.multiselect(key="f_admin1").set_value([target["adm1_iso"]]).run()
    assert target["incident_id"] in set(_table(at)["incident_id"])
    _open(at, "Correct").run()
    box = next(s for s in at.selectbox if s.key.startswith("corr_incident_"))
    box.set_value(target["incident_id"]).run()
    mention_box = next(s for s in at.selectbox if s.key == f"corr_mention_{target['article_id']}")
    primary = next(m for m in mention_box.options if m.startswith(f"“{target['surface']}”"))
    mention_box.select_index(mention_box.options.index(primary)).run()
    radio = next(r for r in at.radio if r.key.startswith(f"corr_pick_{target['article_id']}_"))
    ids = [int(m.group(1)) for o in radio.options if (m := re.search(r"\(id (\d+)\)$", o))]
    current = int(target["gazetteer_id"])
    assert current in ids and len(ids) >= 2, radio.options
    alternative = next(i for i in ids if i != current)
    radio.set_value(alternative).run()
    at.button(key="corr_save").click().run()
    assert not at.exception, at.exception
    assert any("Saved" in s.value for s in at.success)
    with IncidentStore(store) as s:
        corrections = s.corrections()
        after = s.incidents()
    assert len(corrections) == 1 and int(corrections["gazetteer_id"].iloc[0]) == alternative
    assert int(after.loc[after["article_id"] == target["article_id"], "gazetteer_id"].iloc[0]) == alternative
    # the filters and the selected incident survive the correction
    assert at.multiselect(key="f_countries").value == [target["adm0_iso3"]]
    assert at.multiselect(key="f_admin1").value == [target["adm1_iso"]]
    assert at.session_state["sel"] == target["incident_id"]
    # the app reread the store: the corrected incident is now elsewhere, so it left this view
    moved = after[after["article_id"] == target["article_id"]].iloc[0]
    if moved["adm1_iso"] != target["adm1_iso"]:
        _open(at, "Incidents").run()
        assert target["incident_id"] not in set(_table(at)["incident_id"]) if len(at.dataframe) else True
        _open(at, "Correct").run()
    # "not a place" can be undone: mark the mention so, then give it its place back
    mention_box = next(s for s in at.selectbox if s.key == f"corr_mention_{target['article_id']}")
    primary = next(m for m in mention_box.options if m.startswith(f"“{target['surface']}”"))
    mention_box.select_index(mention_box.options.index(primary)).run()
    radio = next(r for r in at.radio if r.key.startswith(f"corr_pick_{target['article_id']}_"))
    radio.set_value(-1).run()  # not a place
    at.button(key="corr_save").click().run()
    assert not at.exception, at.exception
    mention_box = next(s for s in at.selectbox if s.key == f"corr_mention_{target['article_id']}")
    removed = [o for o in mention_box.options if "not a place" in o]
    assert removed, mention_box.options  # still listed, so it can be given a place again
    mention_box.select_index(mention_box.options.index(removed[0])).run()
    radio = next(r for r in at.radio if r.key.startswith(f"corr_pick_{target['article_id']}_"))
    radio.set_value(current).run()
    at.button(key="corr_save").click().run()
    assert not at.exception, at.exception
    with IncidentStore(store) as s:
        restored = s.incidents()
    assert int(restored.loc[restored["article_id"] == target["article_id"], "gazetteer_id"].iloc[0]) == current


def test_url_map_state_round_trips(app, store):
    from geo.store import IncidentStore

    with IncidentStore(store) as s:
        target = s.incidents().iloc[3]
    app.query_params.update({"layers": "points,heat", "sel": str(target["incident_id"]), "view": "24.8,-107.39,7"})
    at = started(app)
    assert not at.exception, at.exception
    assert at.toggle(key="m_heat").value and not at.toggle(key="m_areas").value
    params = {k: at.query_params[k] for k in at.query_params}
    flat = {k: (v[0] if isinstance(v, list) else v) for k, v in params.items()}
    assert flat["sel"] == str(target["incident_id"]) and flat["layers"] == "points,heat"
    assert flat["view"] == "24.8000,-107.3900,7"
    # the selected incident is first in the table, marked, and its evidence is shown
    table = _table(at)
    assert table.iloc[0]["incident_id"] == target["incident_id"] and table.iloc[0]["sel"] == "●"
    # turning a layer on keeps the selection and the view in the URL
    at.toggle(key="m_areas").set_value(True).run()
    flat = {k: (at.query_params[k][0] if isinstance(at.query_params[k], list) else at.query_params[k])
            for k in at.query_params}
    assert "layers" not in flat or "areas" in flat["layers"]
    assert flat["sel"] == str(target["incident_id"]) and flat["view"] == "24.8000,-107.3900,7"


def test_articles_after_the_range_show_up_without_a_reload(real_gazetteer_dir, tmp_path, monkeypatch):
    from geo.read import ArticleRecord
    from geo.store import IncidentStore

    store = build_real_store(tmp_path)
    monkeypatch.setenv("GEO_STORE", str(store))
    at = started(_open(AppTest.from_file(APP, default_timeout=120), "Incidents"))
    before = _table(at)
    last = max(before["event_date"].astype(str))
    later = date.fromisoformat(last).replace(year=date.fromisoformat(last).year + 1).isoformat()
    with IncidentStore(store) as s:  # as the upload tab does, from another writer
        s.ingest([ArticleRecord(text="Flooding closed roads in Hermosillo, Sonora, officials said.",
                                article_id="later-1", title="Later flooding in Hermosillo", published=later)])
    at.run()
    after = _table(at)
    assert len(after) == len(before) + 1
    assert later in set(after["event_date"].astype(str)) | set(after["published"].astype(str))
    assert at.date_input(key="f_dates").value[1].isoformat() >= later[:10]
    assert "from" not in at.query_params and "to" not in at.query_params


def test_app_without_a_store_explains_and_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("GEO_STORE", str(tmp_path / "none.gpkg"))
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception, at.exception
    assert any("No store at" in i.value for i in at.info)
    assert at.metric[0].value == "0"


def test_app_on_an_unreadable_store_shows_an_error(tmp_path, monkeypatch):
    bad = tmp_path / "bad.gpkg"
    bad.write_text("not a geopackage")
    monkeypatch.setenv("GEO_STORE", str(bad))
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception, at.exception
    assert any("Could not read the store" in e.value for e in at.error)
    assert bad.read_text() == "not a geopackage"  # nothing overwritten


def test_only_the_open_tab_is_built(app):
    """The closed tabs cost nothing on a run (so the map draws first): Evidence opens by
    default, with no table, downloads or correction widgets; opening a tab builds it."""
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception, at.exception
    assert at.session_state[TAB_KEY] == "Evidence"
    assert not at.dataframe and not at.get("download_button")
    assert not [s for s in at.selectbox if s.key and s.key.startswith("corr_")]
    _open(at, "Download").run()
    assert at.get("download_button") and not at.dataframe
    _open(at, "Incidents").run()
    assert len(_table(at)) > 20 and not at.get("download_button")
