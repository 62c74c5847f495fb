"""The sidebar's values read before its widgets are drawn (the app draws the map first) are the
values the widgets then show, through URL seeding, widget changes and date clamping."""

from __future__ import annotations

from datetime import date

from streamlit.testing.v1 import AppTest


def _sidebar_script() -> None:
    import pandas as pd
    import streamlit as st

    from geo.view import sidebar

    days = pd.date_range("2024-01-05", periods=6, freq="30D").strftime("%Y-%m-%d")
    units = pd.DataFrame({
        "adm0_iso3": ["MEX", "MEX", "USA", "USA", "KEN", "KEN"],
        "adm0_name": ["Mexico", "Mexico", "United States", "United States", "Kenya", "Kenya"],
        "adm1_iso": ["MX-SIN", "MX-JAL", "US-TX", "US-CA", "KE-17", "KE-18"],
        "adm1_name": ["Sinaloa", "Jalisco", "Texas", "California", "Kisumu", "Nyeri"],
        "event_date": days, "published": [d[:8] + "28" for d in days]})
    if st.session_state.get("shrink"):  # a store with fewer dates (the URL came from a larger one)
        units = units.iloc[2:4]
    before, layers_before = sidebar.prepare_filters(units), sidebar.prepare_map_state()
    st.write("the map would be drawn here")
    after, layers_after = sidebar.filter_sidebar(units), sidebar.map_sidebar()
    st.session_state["checked"] = (before, after, sidebar.layer_choice(layers_before),
                                   sidebar.layer_choice(layers_after))


def _same(at: AppTest) -> object:
    assert not at.exception, at.exception
    before, after, layers_before, layers_after = at.session_state["checked"]
    assert before == after
    assert layers_before == layers_after
    return before


def test_values_read_before_the_widgets_are_the_widgets_values():
    at = AppTest.from_function(_sidebar_script, default_timeout=60)
    at.query_params.update({"country": "MEX,USA", "from": "2024-02-01", "minconf": "0.3", "layers": "points,heat"})
    filters = _same(at.run())
    assert filters.countries == ("MEX", "USA") and filters.start == date(2024, 2, 1)
    assert filters.min_confidence == 0.3

    at.multiselect(key="f_admin1").set_value(["US-TX"]).run()
    assert _same(at).admin1 == ("US-TX",)
    at.date_input(key="f_dates").set_value((date(2024, 3, 1), date(2024, 4, 1))).run()
    assert (_same(at).start, _same(at).end) == (date(2024, 3, 1), date(2024, 4, 1))
    at.radio(key="f_axis").set_value("published").run()
    assert _same(at).time_axis == "published"
    at.text_input(key="f_query").set_value("  drought ").run()
    assert _same(at).query == "drought"
    at.slider(key="f_minconf").set_value(0.65).run()
    at.radio(key="f_bin").set_value("week").run()
    at.toggle(key="m_adm1").set_value(True).run()
    at.radio(key="m_count").set_value("articles").run()
    filters = _same(at)
    assert (filters.min_confidence, filters.bin) == (0.65, "week")
    assert at.session_state["checked"][2] == (("points", "adm1", "heat"), "outlines", "articles")

    # the data's dates shrink under the chosen range (publication dates 28 Mar to 28 Apr now):
    # both read the range clamped into the data's
    at.session_state["shrink"] = True
    filters = _same(at.run())
    assert (filters.start, filters.end) == (date(2024, 3, 28), date(2024, 4, 1))
