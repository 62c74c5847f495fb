"""The analyst's incident map (Streamlit). Composition only: the logic lives in geo.view.

Run: `make run`, or `streamlit run app.py` (store: env GEO_STORE, default data/incidents.gpkg).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo import paths
from geo.view import event_controls, mappanel, panels, sidebar
from geo.view.assets import ensure_bundles, missing_assets
from geo.view.basemap import ensure_basemap
from geo.view.data import (
    attribution_text,
    empty_catalog,
    empty_view,
    load_catalog,
    load_view,
    selected_elsewhere,
    sources_of,
    store_version,
)
from geo.view.labels import ensure_labels
from geo.view.layout import LAYOUT_CSS, NARROW_SIDEBAR_JS
from geo.view.physical import physical_urls
from geo.view.preload import first_paint_links, preload_html

st.set_page_config(page_title="Incident map", page_icon="🗺️", layout="wide", initial_sidebar_state="auto")
st.html(LAYOUT_CSS)
# the files the map's first paint waits for, asked for at once (geo/view/preload.py)
bundles = ensure_bundles()
first_paint = first_paint_links((bundles.get("leaflet", ""), bundles.get("leaflet_css", "")))
st.html(NARROW_SIDEBAR_JS + preload_html(first_paint), unsafe_allow_javascript=True)
# fixed slots, created before anything that may or may not show (spinners, notices): the map
# keeps its place in the page on every rerun, so it is never remounted by a shifted position
headline_slot, map_slot, timeline_slot, tabs_slot = st.container(), st.container(), st.container(), st.container()


def tabs() -> list:
    # only the open tab is built (a tab switch reruns): the closed tabs' table, widgets and
    # downloads would otherwise hold up the browser's first drawing of the map
    return tabs_slot.tabs(list(panels.TABS), key=panels.TAB_KEY, on_change="rerun")


@st.cache_resource(show_spinner="Preparing the offline basemap…")
def boundary_urls() -> dict[str, str]:
    return {**ensure_basemap(), **physical_urls()}


@st.cache_resource(show_spinner="Preparing the place names…")
def label_tiers() -> list[dict]:
    return ensure_labels()


@st.cache_resource
def adm1_shapes():
    try:
        from geo.boundaries import load_boundaries

        return load_boundaries("adm1", simplified=True)
    except Exception:  # no gazetteer build: exports of admin-1 counts carry no polygons
        return None


store_path = paths.default_store()
serving = st.get_option("server.enableStaticServing")
if not serving:
    st.error("Static file serving is off, so the map cannot load Leaflet. Start the app from the "
             "project folder (it reads .streamlit/config.toml) or pass --server.enableStaticServing true.")
if missing := missing_assets():
    st.warning("Leaflet is not installed locally, so the map cannot draw offline. Run `geo assets` "
               f"(missing: {', '.join(missing)}).")

# the page's parts are sent to the browser in the order they are made here (each keeps its
# slot): the map first, so the browser starts loading it before it draws the sidebar, the
# numbers, the timeline and the tabs. Uploads are the exception: they are stored before the
# store is read, so new articles show on this very run
upload_tabs = tabs() if st.session_state.get(panels.TAB_KEY) == panels.UPLOAD_TAB else None
if upload_tabs is not None:
    with upload_tabs[panels.TABS.index(panels.UPLOAD_TAB)]:
        panels.upload_section(str(store_path))

# never every row: the filters' choices, counts and timeline come from SQL, the rows shown are
# those passing the filters, at most the map's point cap of them (geo/view/window.py)
# (the empty stand-ins are made only when needed: building empty GeoDataFrames costs 0.1-0.4 s)
catalog, view = None, None
version = store_version(store_path) if paths.store_exists(store_path) else None
if paths.store_exists(store_path):
    try:
        catalog = load_catalog(str(store_path), version)
    except Exception as exc:
        st.error(f"Could not read the store {store_path}: {exc}")
        version = None
else:
    st.info(f"No store at {store_path} yet. Add articles in the tab below, or run `geo ingest data/sample`.")
catalog = catalog if catalog is not None else empty_catalog()

# the sidebar's values, read before its widgets are drawn (after the map, below)
filters = sidebar.prepare_filters(catalog.units)
state = sidebar.prepare_map_state()
sidebar.sync_url(filters, state)  # now, so the URL carries a filter change before the map redraws

if version is not None:
    try:
        view = load_view(str(store_path), version, filters)
    except Exception as exc:
        st.error(f"Could not read the store {store_path}: {exc}")
view = view if view is not None else empty_view()
shown, mentions, articles, bounds = view.shown, view.mentions, view.articles, view.bounds

urls, tiers = boundary_urls(), label_tiers()
with map_slot:
    clicked = mappanel.map_panel(shown, mentions, filters, state, urls, tiers, version)
with headline_slot:
    panels.metrics_row(view.headline, catalog.total, bounds)
    if view.capped:
        st.caption(f"The map, table and downloads hold the {len(shown):,} most reported of these "
                   f"{view.headline.incidents:,} incidents: narrow the filters to see them all.")
# the timeline (a Vega chart) and the sidebar's widgets cost the browser more than the whole
# map: they come from the session's second run on, which the mounted map asks for once it is
# drawn, so the map paints first (at once when the map cannot draw: no run would follow)
complete = st.session_state.get(panels.PAGE_COMPLETE) or not serving or bool(missing)
st.session_state[panels.PAGE_COMPLETE] = True
with timeline_slot:
    if complete:
        panels.timeline_section(view.daily, filters, state.count)
    else:
        panels.timeline_placeholder()
if complete:
    drawn_filters, drawn_state = sidebar.filter_sidebar(catalog.units), sidebar.map_sidebar()
    if drawn_filters != filters or sidebar.layer_choice(drawn_state) != sidebar.layer_choice(state):
        st.rerun()  # the widgets would show other values than the map (not expected): draw them again
else:
    sidebar.placeholder()
st.sidebar.caption(f"Store: `{store_path}`")

state = sidebar.current_map_state(state)
# the selected incident stays inspectable after a correction moved it out of the filters
selected = mappanel.selected_row(shown, state.selected)
if selected is None and version is not None:
    selected, view = selected_elsewhere(str(store_path), version, view, state.selected)
    mentions, articles = view.mentions, view.articles
tab_evidence, tab_table, tab_correct, _, tab_download = upload_tabs or tabs()
evidence = clicked if len(clicked) else (shown.iloc[0:0] if selected is None else pd.DataFrame([selected]))
if tab_evidence.open:
    with tab_evidence:
        sources = sources_of(str(store_path), version, evidence.head(panels.MAX_EVIDENCE_CARDS))
        panels.evidence_cards(evidence, mentions, sources)
if tab_table.open:
    with tab_table:
        listed = f" (the {len(shown):,} most reported listed)" if view.capped else ""
        st.caption(f"{view.headline.incidents:,} incidents under the current filters{listed}. "
                   "Choose a row to select it on the map.")
        panels.incident_table(shown, state.selected, mappanel.select_from_table)
if tab_correct.open:
    with tab_correct:
        event_controls.event_controls(str(store_path), evidence.head(1), shown, mentions)
        st.markdown("#### Correct a place")
        panels.corrections_section(str(store_path), shown, evidence.head(1), mentions, articles)
if tab_download.open:
    with tab_download:
        panels.downloads_section(shown, mentions, filters, bounds, adm1_shapes())

sidebar.sync_url(filters, state)
panels.attribution_footer(attribution_text())
