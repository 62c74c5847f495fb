"""What the app reads for a filter (geo/view/window.py) on the real store, on both backends:
SQL counts, days and units agree with the exact filter on every row, and past the row cap
only the cap's most reported incidents are read."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from view_fixtures import build_real_store

from geo import paths
from geo.counts import unit_weights
from geo.filters import Filters, apply_filters, date_bounds
from geo.store import IncidentStore
from geo.store.copy import copy_store
from geo.view import window
from geo.view.panels import TAB_KEY
from geo.view.timeline import daily_counts

APP = str(paths.ROOT / "app.py")


@pytest.fixture(scope="module", params=["gpkg", "postgis"])
def real_location(request, real_gazetteer_dir, tmp_path_factory) -> str:
    gpkg = build_real_store(tmp_path_factory.mktemp("window"))
    if request.param == "gpkg":
        yield str(gpkg)
        return
    cluster = request.getfixturevalue("postgis_cluster")
    name = f"window_{id(request)}"
    url = cluster.create_database(name)
    with IncidentStore(gpkg) as source, IncidentStore(url) as destination:
        copy_store(source.backend, destination.backend)
    yield url
    cluster.drop_database(name)


def _filters(incidents: pd.DataFrame) -> list[Filters]:
    busiest = incidents["adm0_iso3"].value_counts().index[0]
    admin1 = incidents.loc[incidents["adm0_iso3"] == busiest, "adm1_iso"].dropna().iloc[0]
    return [Filters(), Filters(countries=(busiest,)), Filters(admin1=(admin1,)),
            Filters(start=date(2024, 2, 1), end=date(2024, 4, 30)),
            Filters(time_axis="published", start=date(2024, 3, 1), end=date(2024, 3, 31)),
            Filters(query="police"), Filters(kinds=("toponym",), min_confidence=0.5),
            Filters(countries=(busiest,), start=date(2024, 5, 1), query="killed")]


def test_sql_counts_agree_with_the_exact_filter(real_location) -> None:
    with IncidentStore(real_location) as store:
        everything = store.incidents()
        assert len(everything) > 20
        for filters in _filters(everything):
            exact = store.incidents(filters)
            assert len(exact), filters  # each filter keeps something: the test can fail
            head = window.sql.headline(store.backend, filters)
            assert head.incidents == len(exact), filters
            assert head.articles == int(unit_weights(exact, "articles").sum()), filters
            assert head.countries == exact["adm0_iso3"].nunique(), filters
            undated = store.incidents(window.undated(filters))
            from_sql = window.sql.daily_counts(store.backend, filters)
            in_memory = daily_counts(undated, filters.time_axis)
            pd.testing.assert_frame_equal(from_sql, in_memory, check_dtype=False)


def test_catalog_offers_every_unit_and_the_date_bounds(real_location) -> None:
    with IncidentStore(real_location) as store:
        everything = store.incidents()
        catalog = window.read_catalog(store)
    assert catalog.total == len(everything)
    for axis in ("event_date", "published"):
        assert date_bounds(catalog.units, axis) == date_bounds(everything, axis)
    for code, name in (("adm0_iso3", "adm0_name"), ("adm1_iso", "adm1_name")):
        units = everything[[code, name]].dropna(subset=[code]).drop_duplicates()
        offered = catalog.units[[code, name]].dropna(subset=[code]).drop_duplicates()
        assert set(map(tuple, offered.to_numpy())) == set(map(tuple, units.to_numpy()))


def test_view_under_the_cap_is_the_exact_filter(real_location) -> None:
    with IncidentStore(real_location) as store:
        everything, mentions = store.incidents(), store.mentions()
        for filters in _filters(everything):
            base = window.read_undated(store, filters, cap=len(everything))
            assert base.incidents is not None
            view = window.read_view(store, filters, base, cap=len(everything))
            exact = apply_filters(everything, filters, store.articles())
            assert list(view.shown["incident_id"]) == list(exact["incident_id"])
            assert not view.capped and view.headline.incidents == len(exact)
            assert view.bounds == date_bounds(exact, filters.time_axis)
            undated = apply_filters(everything, window.undated(filters), store.articles())
            assert set(view.mentions["article_id"]) == set(mentions["article_id"]) & set(
                undated["article_id"])


def test_past_the_cap_only_the_most_reported_are_read(real_location) -> None:
    cap = 7
    with IncidentStore(real_location) as store:
        everything = store.incidents()
        for filters in _filters(everything)[:4]:
            exact = store.incidents(filters)
            base = window.read_undated(store, filters, cap=cap)
            if len(store.incidents(window.undated(filters))) <= cap:
                continue
            assert base.incidents is None  # counted in SQL, not read
            view = window.read_view(store, filters, base, cap=cap)
            assert len(view.shown) == min(cap, len(exact))
            assert set(view.shown["incident_id"]) <= set(exact["incident_id"])
            assert view.capped == (len(exact) > cap)
            assert view.headline.incidents == len(exact)
            assert view.bounds == date_bounds(exact, filters.time_axis)
            # the most reported first: nothing left out was reported more than what is shown
            left_out = exact[~exact["incident_id"].isin(view.shown["incident_id"])]
            if len(left_out):
                assert unit_weights(left_out, "articles").max() <= unit_weights(
                    view.shown, "articles").min()
            assert set(view.mentions["article_id"]) <= set(view.shown["article_id"])
            # the shown incidents' articles, without their text (read for a correction only)
            assert set(view.articles["article_id"]) == set(view.shown["article_id"].astype(str))
            assert "text" not in view.articles.columns and view.articles["title"].notna().any()


def test_a_capped_view_reads_the_corrected_article_text_from_the_store(real_location) -> None:
    from geo.view.panels import correction_context

    with IncidentStore(real_location) as store:
        filters = Filters()
        view = window.read_view(store, filters, window.read_undated(store, filters, cap=3), cap=3)
        articles = store.articles().set_index("article_id")
    assert "text" not in view.articles.columns
    article_id = str(view.shown["article_id"].iloc[0])
    assert correction_context(real_location, view.articles, article_id) == articles.loc[article_id, "text"]
    # with the text in the view (an uncapped view, or the selection's article), it is used as is
    with_text = pd.DataFrame({"article_id": [article_id], "text": ["from the view"]})
    assert correction_context(real_location, with_text, article_id) == "from the view"
    assert correction_context(real_location, view.articles, "no-such-article") is None


def test_selection_outside_the_view_brings_its_mentions(real_location) -> None:
    with IncidentStore(real_location) as store:
        everything = store.incidents()
        mentions = store.mentions()
        target = everything[everything["article_id"].isin(mentions["article_id"])].iloc[-1]
        filters = Filters(countries=("ZZZ",))  # shows nothing
        view = window.read_view(store, filters, window.read_undated(store, filters))
        assert view.shown.empty
        selection = window.read_selection(store, target["incident_id"])
    assert selection.incident["incident_id"] == target["incident_id"]
    joined = window.with_selection(view, selection)
    assert (joined.mentions["article_id"] == target["article_id"]).sum() == (
        mentions["article_id"] == target["article_id"]).sum()
    assert list(joined.articles["article_id"]) == [target["article_id"]]


def test_app_past_the_cap_shows_the_counts_and_the_capped_rows(real_location, monkeypatch) -> None:
    monkeypatch.setattr(window, "ROW_CAP", 5)
    monkeypatch.setenv("GEO_STORE", real_location)
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state[TAB_KEY] = "Incidents"  # the table's tab (only the open tab is built)
    at.run()
    assert not at.exception, at.exception
    with IncidentStore(real_location) as store:
        everything = store.incidents()
        shown = apply_filters(everything, Filters(), store.articles())
    assert len(at.dataframe[0].value) == 5
    incidents = next(m for m in at.metric if m.label == "Incidents")
    assert incidents.value == f"{len(shown):,}"
    assert any("most reported" in c.value for c in at.caption)
