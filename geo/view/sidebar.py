"""The sidebar: filter widgets whose state lives in the URL (st.query_params).

On a session's first run the widgets are seeded from the URL; afterwards the widgets are the
truth and the URL is rewritten from them after every change, so copying the address shares the view.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd
import streamlit as st

from geo.counts import COUNT_UNITS
from geo.view import viewstate
from geo.view.filters import (
    BINS,
    CATEGORIES,
    GEO_PRECISIONS,
    KINDS,
    TIME_AXES,
    Filters,
    date_bounds,
    from_query_params,
    to_query_params,
)
from geo.view.viewstate import BASEMAPS, LAYERS, ViewState

SEEDED = "_filters_seeded_from_url"
DATES = "f_dates"
BOUNDS = "_f_date_bounds"  # the data's date range on the previous run
SELECTED = "sel"


def _seed_from_url(incidents: pd.DataFrame) -> None:
    if st.session_state.get(SEEDED):
        return
    filters, problems = from_query_params(st.query_params.to_dict())
    for problem in problems:
        st.toast(problem)
    st.session_state["f_axis"] = filters.time_axis
    bounds = date_bounds(incidents, filters.time_axis)
    if bounds:
        start = filters.start or bounds[0]
        end = filters.end or bounds[1]
        st.session_state[DATES] = (start, end)
    st.session_state["f_countries"] = list(filters.countries)
    st.session_state["f_admin1"] = list(filters.admin1)
    st.session_state["f_categories"] = list(filters.categories)
    st.session_state["f_query"] = filters.query
    st.session_state["f_precision"] = list(filters.geo_precision)
    st.session_state["f_kinds"] = list(filters.kinds)
    st.session_state["f_minconf"] = float(filters.min_confidence)
    st.session_state["f_bin"] = filters.bin
    st.session_state[SEEDED] = True


def _labels(incidents: pd.DataFrame, code: str, name: str) -> dict[str, str]:
    if incidents.empty or code not in incidents:
        return {}
    pairs = incidents[[code, name]].dropna(subset=[code]).drop_duplicates(code)
    return {str(c): f"{n} ({c})" if isinstance(n, str) and n else str(c)
            for c, n in sorted(zip(pairs[code], pairs[name], strict=True), key=lambda p: str(p[1]))}


def _keep_chosen(labels: dict[str, str], key: str) -> dict[str, str]:
    chosen = st.session_state.get(key) or []
    return {**labels, **{c: f"{c} (no incidents now)" for c in chosen if c not in labels}}


def _clamp_dates(bounds: tuple[date, date]) -> None:
    """Keep the chosen date range inside the data's (before the date widget is drawn)."""
    lo, hi = bounds
    current = st.session_state.get(DATES)
    previous = st.session_state.get(BOUNDS)
    st.session_state[BOUNDS] = (lo, hi)
    # a shared URL may come from a larger store
    if not current or len(current) != 2:
        st.session_state[DATES] = (lo, hi)
    elif previous and tuple(current) == tuple(previous) and previous != (lo, hi):
        # the analyst was looking at every date: new articles (an upload) widen the view
        st.session_state[DATES] = (lo, hi)
    else:
        first, last = (min(max(d, lo), hi) for d in current)
        if (first, last) != tuple(current):
            st.session_state[DATES] = (first, last)


def _date_filter(picked: object, bounds: tuple[date, date]) -> tuple[date | None, date | None]:
    """(start, end) of the date widget's value; (None, None) for the data's whole range."""
    start = end = None
    if isinstance(picked, (tuple, list)) and len(picked) == 2:
        start, end = picked
    elif isinstance(picked, (tuple, list)) and len(picked) == 1:
        start = end = picked[0]  # the second click has not happened yet
    if (start, end) == bounds:
        return None, None  # the full range: no date filter, and none in the URL
    return start or bounds[0], end or bounds[1]


def _filters(values: dict, bounds: tuple[date, date] | None) -> Filters:
    """The filters the sidebar's values describe (keys: the widgets' session-state keys)."""
    start, end = _date_filter(values.get(DATES), bounds) if bounds else (None, None)
    categories, kinds = values.get("f_categories") or [], values.get("f_kinds") or []
    return Filters(start=start, end=end, time_axis=values["f_axis"], countries=tuple(values.get("f_countries") or ()),
                   admin1=tuple(values.get("f_admin1") or ()), categories=tuple(c for c in CATEGORIES if c in categories),
                   query=(values.get("f_query") or "").strip(),
                   geo_precision=tuple(sorted(values.get("f_precision") or ())),
                   kinds=tuple(k for k in KINDS if k in kinds), min_confidence=float(values.get("f_minconf") or 0.0),
                   bin=values["f_bin"])


FILTER_KEYS = ("f_axis", DATES, "f_countries", "f_admin1", "f_categories", "f_query", "f_precision", "f_kinds",
               "f_minconf", "f_bin")


def prepare_filters(incidents: pd.DataFrame) -> Filters:
    """The filters of this run, read from the widgets' state before the widgets are drawn.

    The map is drawn before the sidebar (the browser then starts loading it first); a widget's
    value on a run is its session state (seeded from the URL on the first run, set by the
    browser on a change), so the sidebar drawn later shows these same filters.
    """
    _seed_from_url(incidents)
    bounds = date_bounds(incidents, st.session_state["f_axis"])
    if bounds:
        _clamp_dates(bounds)
    return _filters({k: st.session_state.get(k) for k in FILTER_KEYS}, bounds)


def placeholder() -> None:
    """The sidebar on a session's first run, before its widgets come (see app.py)."""
    st.sidebar.header("Filters")
    st.sidebar.caption("The filters and layers appear once the map is drawn…")


def filter_sidebar(incidents: pd.DataFrame) -> Filters:
    """Draw the filter widgets and return the filters they describe."""
    prepare_filters(incidents)  # idempotent: seeds and clamps before any widget is drawn
    sb = st.sidebar
    sb.header("Filters")
    values: dict = {}
    values["f_axis"] = sb.radio("Time axis", list(TIME_AXES), format_func=TIME_AXES.get, key="f_axis",
                                horizontal=True)
    bounds = date_bounds(incidents, values["f_axis"])
    if bounds:
        values[DATES] = sb.date_input("Date range", min_value=bounds[0], max_value=bounds[1], key=DATES)
    else:
        sb.caption("No dated incidents in the store yet.")

    # a chosen unit stays chosen when the data no longer has it (a correction moved its only
    # incident away, say): the analyst's filter is theirs to change, not the data's
    countries = _keep_chosen(_labels(incidents, "adm0_iso3", "adm0_name"), "f_countries")
    chosen = values["f_countries"] = sb.multiselect("Country", list(countries), format_func=countries.get,
                                                    key="f_countries", placeholder="All countries")
    pool = incidents[incidents["adm0_iso3"].isin(chosen)] if chosen and not incidents.empty else incidents
    admin1 = _keep_chosen(_labels(pool, "adm1_iso", "adm1_name"), "f_admin1")
    values["f_admin1"] = sb.multiselect("State / province (admin-1)", list(admin1), format_func=admin1.get,
                                        key="f_admin1", placeholder="All")
    values["f_categories"] = sb.multiselect(
        "Category", list(CATEGORIES), format_func=CATEGORIES.get, key="f_categories",
        placeholder="All categories", help="Kinds of event (ACLED and EM-DAT names); see docs/events.md")
    values["f_query"] = sb.text_input("Search titles and text", key="f_query", placeholder="e.g. drought")
    values["f_precision"] = sb.multiselect("Geo precision", list(GEO_PRECISIONS), format_func=GEO_PRECISIONS.get,
                                           key="f_precision")
    values["f_kinds"] = sb.multiselect("Mention kinds", list(KINDS), format_func=KINDS.get, key="f_kinds")
    values["f_minconf"] = sb.slider("Minimum confidence", 0.0, 1.0, step=0.05, key="f_minconf")
    values["f_bin"] = sb.radio("Timeline bins", list(BINS), format_func=BINS.get, key="f_bin", horizontal=True)
    return _filters(values, bounds)


def url_view() -> viewstate.MapView | None:
    """The map view the browser last wrote into the URL (None when absent or unreadable)."""
    raw = st.query_params.get(viewstate.VIEW_PARAM)
    try:
        return viewstate.parse_view(raw) if raw else None
    except ValueError:
        return None


def sync_url(filters: Filters, state: ViewState) -> None:
    """Rewrite the URL from the filters and the map state (the browser keeps the view current)."""
    wanted = {**to_query_params(filters), **viewstate.to_query_params(state)}
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


def set_date_range(start: date, end: date) -> None:
    """Move the date slider (used by the timeline brush and playback callbacks)."""
    st.session_state[DATES] = (start, end)


def _seed_map_state() -> None:
    if st.session_state.get("_map_seeded_from_url"):
        return
    state, problems = viewstate.from_query_params(st.query_params.to_dict())
    for problem in problems:
        st.toast(problem)
    for layer in LAYERS:
        st.session_state[f"m_{layer}"] = layer in state.layers
    st.session_state["m_basemap"] = state.basemap
    st.session_state["m_count"] = state.count
    st.session_state[SELECTED] = state.selected
    st.session_state["_map_seeded_from_url"] = True


def prepare_map_state() -> ViewState:
    """The map state of this run, read from the layer widgets' state before they are drawn."""
    _seed_map_state()
    return ViewState(view=url_view(), layers=tuple(k for k in LAYERS if st.session_state.get(f"m_{k}")),
                     basemap=st.session_state["m_basemap"], selected=st.session_state.get(SELECTED),
                     count=st.session_state["m_count"])


def map_sidebar() -> ViewState:
    """The layer toggles (the map has no layer control of its own) and the selected incident."""
    _seed_map_state()
    sb = st.sidebar
    sb.header("Map layers")
    layers = tuple(k for k, label in LAYERS.items() if sb.toggle(label, key=f"m_{k}"))
    basemap = sb.radio("Base map", list(BASEMAPS), horizontal=True, key="m_basemap", format_func=BASEMAPS.get)
    count = sb.radio("Count", list(COUNT_UNITS), horizontal=True, key="m_count", format_func=COUNT_UNITS.get,
                     help="Incidents: each real-world event once, however many outlets reported it. "
                          "Articles: every report of those events (coverage). Markers, choropleths, "
                          "heatmap and timeline follow this switch.")
    return ViewState(view=url_view(), layers=layers, basemap=basemap, selected=st.session_state.get(SELECTED),
                     count=count)


def layer_choice(state: ViewState) -> tuple:
    """What the layer widgets choose (not the view or the selection, which the map sets)."""
    return state.layers, state.basemap, state.count


def filters_with_dates(filters: Filters, start: date | None, end: date | None) -> Filters:
    return replace(filters, start=start, end=end)


def current_map_state(state: ViewState) -> ViewState:
    """The map state after this run's clicks (a click on the map selects an incident)."""
    return replace(state, selected=st.session_state.get(SELECTED))
