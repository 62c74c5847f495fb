"""Incidents versus articles in the app: the count switch, the evidence of every source and the
category filter. Unit tests on small tables, then the real store (data/sample's Culiacán
gunfight, reported by three outlets; data/README.md) through the store, `geo export` and AppTest.
"""

from __future__ import annotations

import csv
import io
import json
import re

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point
from streamlit.testing.v1 import AppTest
from test_store import location  # noqa: F401 - a fixture: an empty store on each backend
from view_fixtures import build_real_store

from geo import paths
from geo.counts import unit_weights
from geo.export import count_units
from geo.filters import CATEGORIES, KINDS, Filters, apply_filters
from geo.view import viewstate
from geo.view.evidence import sources_html
from geo.view.filters import from_query_params, to_query_params
from geo.view.layers import admin_counts, heat_grid
from geo.view.mapview import MapOptions, legend_html
from geo.view.panels import TAB_KEY
from geo.view.symbology import Legend, time_rows
from geo.view.timeline import counts_by_period, timeline_chart

APP = str(paths.ROOT / "app.py")
EVENT_FILES = ("2024-q4.jsonl",)  # holds the multi-outlet Culiacán gunfight and its near-misses
GUNFIGHT_REPORTS = {"sample-0076", "sample-0079", "sample-0080"}  # data/README.md


def _incidents() -> gpd.GeoDataFrame:
    """Four incidents: two in Sonora (one reported by 3 outlets), one in Sinaloa, one in Texas."""
    rows = [
        ("i1", "a1", "2024-03-01", "MX-SON", "Sonora", "MEX", "Mexico", 3, "battles", 29.07, -110.96),
        ("i2", "a2", "2024-03-01", "MX-SON", "Sonora", "MEX", "Mexico", 1, "flood", 29.07, -110.96),
        ("i3", "a3", "2024-03-03", "MX-SIN", "Sinaloa", "MEX", "Mexico", 2, "battles", 24.8, -107.39),
        ("i4", "a4", "2024-03-04", "US-TX", "Texas", "USA", "United States", None, None, 31.0, -100.0),
    ]
    frame = pd.DataFrame(rows, columns=["incident_id", "article_id", "event_date", "adm1_iso", "adm1_name",
                                        "adm0_iso3", "adm0_name", "source_count", "category", "lat", "lon"])
    frame = frame.assign(published=frame["event_date"], precision="place", geo_precision=1, kind="toponym",
                         confidence=0.8, name="somewhere", title="t", country=frame["adm0_iso3"].str[:2])
    return gpd.GeoDataFrame(frame, geometry=[Point(x, y) for x, y in zip(frame["lon"], frame["lat"], strict=True)],
                            crs="EPSG:4326")


# ---- counting incidents or articles ------------------------------------------------------------

def test_unit_weights_count_events_or_their_reports():
    incidents = _incidents()
    assert unit_weights(incidents).tolist() == [1, 1, 1, 1]
    assert unit_weights(incidents, "articles").tolist() == [3, 1, 2, 1]  # no count: one report
    assert unit_weights(incidents.drop(columns="source_count"), "articles").tolist() == [1, 1, 1, 1]
    with pytest.raises(ValueError, match="count unit"):
        unit_weights(incidents, "mentions")


def test_choropleth_counts_are_the_count_exports_counts():
    incidents = _incidents()
    exported = count_units(incidents, "adm1-counts", None).set_index("adm1_iso")
    for unit in ("incidents", "articles"):
        shown = admin_counts(incidents, "adm1_iso", "adm1_name", unit).set_index("adm1_iso")["n"]
        assert shown.to_dict() == exported[unit].to_dict()
    assert admin_counts(incidents, "adm1_iso", "adm1_name", "articles").set_index("adm1_iso")["n"].to_dict() \
        == {"MX-SIN": 2, "MX-SON": 4, "US-TX": 1}
    countries = admin_counts(incidents, "adm0_iso3", "adm0_name", "articles").set_index("adm0_iso3")["n"]
    assert countries.to_dict() == {"MEX": 6, "USA": 1}


def test_timeline_markers_and_heatmap_follow_the_unit():
    incidents = _incidents()
    by_day = counts_by_period(incidents, "event_date", "day", "articles")
    assert list(by_day.columns) == ["period", "articles"] and by_day["articles"].tolist() == [4, 0, 2, 1]
    assert counts_by_period(incidents, "event_date")["incidents"].tolist() == [2, 0, 1, 1]
    spec = json.dumps(timeline_chart(by_day).to_dict())
    assert '"title": "Articles"' in spec and '"field": "articles"' in spec
    rows, _, _, _ = time_rows(incidents, "event_date", unit="articles")
    assert rows["n"].sum() == 7
    # i1 and i2 share a spot and a day, with different colours: one row each
    assert sorted(rows["n"].tolist()) == [1, 1, 2, 3]
    plain, _, _, _ = time_rows(incidents, "event_date")
    assert plain["n"].sum() == 4
    heat = {(a, b): w for a, b, w in heat_grid(incidents, 1.0, weights=unit_weights(incidents, "articles"))}
    assert heat[(29.0, -111.0)] == 1.0 and heat[(25.0, -107.0)] == 0.5  # 4 and 2 of a peak of 4


def test_legend_names_categories_by_their_labels():
    _, _, _, legend = time_rows(_incidents(), "event_date")
    labels = [label for label, _ in legend.colors]
    assert labels[:2] == ["Battles (armed clashes)", "Flood"] and labels[-1] == "other / uncategorised"


def test_legend_says_what_is_counted():
    legend = Legend("category", [("battles", "#1f78b4")], [], False)
    options = MapOptions(show_admin1_choropleth=True, show_heatmap=True, count_unit="articles")
    text = legend_html(legend, 5, 0, 3, options)
    assert "cluster: n articles" in text and "Articles per area" in text and "density of articles" in text
    assert "n incidents" in legend_html(legend, 5, 0, 3, MapOptions())


def test_the_switch_lives_in_the_url():
    state = viewstate.ViewState(count="articles")
    params = viewstate.to_query_params(state)
    assert params == {"count": "articles"}
    assert viewstate.from_query_params(params) == (state, [])
    assert "count" not in viewstate.to_query_params(viewstate.ViewState())
    back, problems = viewstate.from_query_params({"count": "tweets"})
    assert back.count == "incidents" and problems and "count" in problems[0]


# ---- the category filter -----------------------------------------------------------------------

def test_category_filter_keeps_only_those_categories():
    incidents = _incidents()
    every = Filters.everything()
    battles = apply_filters(incidents, Filters(categories=("battles",), kinds=tuple(KINDS)))
    assert battles["incident_id"].tolist() == ["i1", "i3"]
    two = apply_filters(incidents, Filters(categories=("battles", "flood"), kinds=tuple(KINDS)))
    assert two["incident_id"].tolist() == ["i1", "i2", "i3"]
    assert len(apply_filters(incidents, every)) == 4  # no category chosen: the uncategorised too
    assert apply_filters(incidents.drop(columns="category"), Filters(categories=("flood",))).empty


def test_category_url_round_trip_and_bad_values():
    f = Filters(categories=("battles", "flood"))
    params = to_query_params(f)
    assert params == {"cat": "battles,flood"}
    assert from_query_params(params) == (f, [])
    assert from_query_params({"cat": "FLOOD,battles"})[0].categories == ("battles", "flood")  # taxonomy order
    back, problems = from_query_params({"cat": "battles,<script>"})
    assert back.categories == () and len(problems) == 1
    assert set(CATEGORIES) >= {"battles", "protests", "flood", "earthquake", "disease_outbreak", "other"}


def test_download_names_carry_the_categories():
    from geo.view.exports import export_filename

    name = export_filename("incidents", Filters(countries=("MEX",), categories=("battles", "flood")), "csv")
    assert name.startswith("incidents_MEX_battles+flood_") and name.endswith(".csv")
    assert export_filename("incidents", Filters(categories=("flood",)), "csv") != \
        export_filename("incidents", Filters(categories=("battles",)), "csv")


# ---- the evidence of every source --------------------------------------------------------------

HOSTILE = "<img src=x onerror=alert(1)>"


def test_sources_html_lists_every_source_escaped_with_why_it_joined():
    incident = {"incident_id": "inc:1", "category": "battles", "source_count": 2, "first_reported": "2024-12-24",
                "merge_confidence": 0.9, "category_evidence": f"Battles (armed clashes): title: gunfight {HOSTILE}"}
    sources = pd.DataFrame([
        {"incident_id": "inc:1", "article_id": "a", "role": "main", "reason": "first report: no other report",
         "similarity": 1.0, "sentence": "A gunfight in Culiacán.", "place_name": "Culiacán",
         "event_date": "2024-12-24", "title": "Gunfight", "source": "Wire A", "url": "https://example.org/a",
         "published": "2024-12-24"},
        {"incident_id": "inc:1", "article_id": "b", "role": "main",
         "reason": f"matches a: text similarity 0.61 {HOSTILE}", "similarity": 0.692,
         "sentence": f"Shots in Culiacán {HOSTILE}", "place_name": "Culiacán", "event_date": None,
         "title": "<script>alert(2)</script>", "source": "<b>Wire B</b>", "url": "javascript:alert(3)",
         "published": "2024-12-25"},
        {"incident_id": "inc:other", "article_id": "c", "title": "not this incident's"},
    ])
    html = sources_html(incident, sources)
    assert html.count('<li class="source"') == 2 and "not this incident" not in html
    assert "Sources (2)" in html and "2 sources" in html and "merge confidence 0.90" in html
    assert "Why it joined: matches a: text similarity 0.61" in html and "score 0.69" in html
    assert "<mark>Culiacán</mark>" in html
    assert 'href="https://example.org/a"' in html and "javascript:" not in html
    for raw in ("<img", "<script>", "<b>Wire B</b>"):
        assert raw not in html
    assert "&lt;script&gt;alert(2)" in html and "&lt;b&gt;Wire B&lt;/b&gt;" in html
    assert "Battles (armed clashes)</span> <span" in html and "title: gunfight" in html


# ---- both store backends -----------------------------------------------------------------------

@pytest.fixture
def small_store(location):  # noqa: F811 - the fixture imported from test_store
    from test_store import ARTICLES, open_store

    s = open_store(location)
    s.ingest(ARTICLES)
    yield s
    s.close()


def test_category_prefilter_and_sources_on_both_backends(small_store):
    everything = small_store.incidents()
    categories = sorted(everything["category"].dropna().unique())
    assert len(categories) >= 2
    for chosen in [(categories[0],), tuple(categories[:2]), ("drought",)]:
        f = Filters(categories=tuple(c for c in CATEGORIES if c in chosen), kinds=tuple(KINDS))
        got = small_store.incidents(f)
        assert sorted(got["incident_id"]) == sorted(apply_filters(everything, f)["incident_id"])
        assert set(got["category"]) <= set(chosen)
    sources = small_store.incident_sources(everything["incident_id"].tolist())
    per_incident = sources.groupby("incident_id").size()
    assert per_incident.to_dict() == dict(zip(everything["incident_id"], everything["source_count"], strict=True))
    first = sources[sources["article_id"] == "a1"].iloc[0]
    assert (first["title"], first["source"], first["url"]) == ("Townville attack", "Wire", "https://example.org/1")
    assert first["reason"] and first["similarity"] is not None
    assert small_store.incident_sources([]).empty


# ---- the real store ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample_store(real_gazetteer_dir, tmp_path_factory):
    return build_real_store(tmp_path_factory.mktemp("eventstore"), files=EVENT_FILES)


def _gunfight(store_path) -> pd.Series:
    from geo.store import IncidentStore

    with IncidentStore(store_path) as s:
        incidents = s.incidents()
    holds = incidents["article_ids"].map(lambda ids: GUNFIGHT_REPORTS <= set(json.loads(ids or "[]")))
    assert holds.sum() == 1, "the three reports of data/README.md's gunfight should be one incident"
    return incidents[holds].iloc[0]


def test_real_store_gives_every_source_with_its_reason(sample_store):
    from geo.store import IncidentStore

    gunfight = _gunfight(sample_store)
    with IncidentStore(sample_store) as s:
        sources = s.incident_sources([gunfight["incident_id"]])
    assert set(sources["article_id"]) == GUNFIGHT_REPORTS and len(sources) == gunfight["source_count"]
    assert sources["source"].nunique() == 3 and sources["url"].str.startswith("https://").all()
    assert sources["reason"].str.contains("text similarity").all()
    assert sources["similarity"].between(0, 1).all() and sources["sentence"].str.contains("Culiac").all()
    assert sources["published"].is_monotonic_increasing
    html = sources_html(gunfight.to_dict(), sources)
    assert html.count('<li class="source"') == 3


def test_real_store_category_filter_sql_equals_apply_filters(sample_store):
    from geo.store import IncidentStore

    with IncidentStore(sample_store) as s:
        everything = s.incidents()
        present = everything["category"].dropna().value_counts()
        assert len(present) >= 3  # the sample's fourth quarter has several kinds of event
        for categories in [(present.index[0],), tuple(present.index[1:3]), ("drought",)]:
            f = Filters(categories=tuple(c for c in CATEGORIES if c in categories), kinds=tuple(KINDS))
            got = s.incidents(f)
            assert set(got["incident_id"]) == set(apply_filters(everything, f)["incident_id"])
            assert set(got["category"]) <= set(categories)
            assert len(got) == int(present.reindex(list(categories)).fillna(0).sum())


def test_geo_export_category_option(sample_store, capsys):
    from geo.cli import main

    gunfight = _gunfight(sample_store)
    category = gunfight["category"]
    assert main(["export", "--layer", "incidents", "--format", "csv", "--store", str(sample_store),
                 "--category", category]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows and {r["category"] for r in rows} == {category}
    assert gunfight["incident_id"] in {r["incident_id"] for r in rows}
    assert main(["export", "--layer", "adm1-counts", "--format", "csv", "--store", str(sample_store),
                 "--category", category]) == 0
    counts = {r["adm1_iso"]: r for r in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    assert int(counts["MX-SIN"]["articles"]) >= int(counts["MX-SIN"]["incidents"]) + 2  # 3 reports, 1 event
    assert main(["export", "--store", str(sample_store), "--category", "bombing"]) == 2
    assert "unknown category bombing" in capsys.readouterr().err


@pytest.fixture()
def app(sample_store, monkeypatch):
    monkeypatch.setenv("GEO_STORE", str(sample_store))
    return AppTest.from_file(APP, default_timeout=180)


def _evidence(at: AppTest) -> str:
    return "".join(h.proto.body for h in at.get("html") if "evidence" in h.proto.body)


def test_app_evidence_lists_every_source_of_the_selected_incident(app, sample_store):
    gunfight = _gunfight(sample_store)
    app.query_params["sel"] = gunfight["incident_id"]
    at = app.run()
    assert not at.exception, at.exception
    html = _evidence(at)
    assert html.count('<li class="source"') == 3
    for article in GUNFIGHT_REPORTS:
        assert f'data-article="{article}"' in html
    assert html.count("Why it joined: matches sample-") == 3 and len(re.findall(r"score 0\.\d\d", html)) == 3


def test_app_count_switch_and_category_filter(app, sample_store):
    app.session_state[TAB_KEY] = "Incidents"  # the table's tab (only the open tab is built)
    # the timeline comes from the second run on (in a browser, the one the mounted map asks for)
    at = app.run()
    assert not at.get("vega_lite_chart")
    at.run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    incidents, articles = int(metrics["Incidents"].replace(",", "")), int(metrics["Articles"].replace(",", ""))
    assert articles > incidents  # the gunfight alone has 3 articles for 1 incident

    def chart_title(at: AppTest) -> str:
        spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
        return spec["encoding"]["y"]["title"]

    assert chart_title(at) == "Incidents"
    at.radio(key="m_count").set_value("articles").run()
    assert not at.exception, at.exception
    assert at.query_params["count"] == "articles" and chart_title(at) == "Articles"

    category = _gunfight(sample_store)["category"]
    at.multiselect(key="f_categories").set_value([category]).run()
    assert not at.exception, at.exception
    assert at.query_params["cat"] == category
    table = at.dataframe[0].value
    assert 0 < len(table) < incidents and set(table["category"]) == {category}
    assert table["source_count"].max() >= 3  # the gunfight's row says how many outlets reported it
    from geo.store import IncidentStore

    with IncidentStore(sample_store) as s:
        chosen = s.incidents(Filters(categories=(category,)))
    assert set(table["incident_id"]) == set(chosen["incident_id"])
