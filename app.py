"""The analyst's incident map (Streamlit). Composition only: the logic lives in geo.view.

Run: `make run`, or `streamlit run app.py` (store: env GEO_STORE, default data/incidents.gpkg).
"""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from geo import paths
from geo.view import panels, sidebar
from geo.view.assets import missing_assets
from geo.view.basemap import ensure_basemap
from geo.view.data import Tables, attribution_text, empty_tables, load_tables, store_version
from geo.view.filters import apply_filters, date_bounds
from geo.view.mapview import build_map

st.set_page_config(page_title="Incident map", page_icon="🗺️", layout="wide")


@st.cache_resource(show_spinner="Preparing the offline basemap…")
def boundary_urls() -> dict[str, str]:
    return ensure_basemap()


@st.cache_resource
def adm1_shapes():
    try:
        from geo.boundaries import load_boundaries

        return load_boundaries("adm1", simplified=True)
    except Exception:  # no gazetteer build: exports of admin-1 counts carry no polygons
        return None


store_path = paths.default_store()
st.title("Incident map")
st.caption(f"Store: `{store_path}`")
if not st.get_option("server.enableStaticServing"):
    st.error("Static file serving is off, so the map cannot load Leaflet. Start the app from the "
             "project folder (it reads .streamlit/config.toml) or pass --server.enableStaticServing true.")
if missing := missing_assets():
    st.warning("Leaflet is not installed locally, so the map cannot draw offline. Run `geo assets` "
               f"(missing: {', '.join(missing)}).")

tables: Tables = empty_tables()
if paths.store_exists(store_path):
    try:
        tables = load_tables(str(store_path), store_version(store_path))
    except Exception as exc:
        st.error(f"Could not read the store {store_path}: {exc}")
else:
    st.info(f"No store at {store_path} yet. Upload articles below, or run `geo ingest data/sample`.")

incidents, mentions, articles = tables.incidents, tables.mentions, tables.articles
filters = sidebar.filter_sidebar(incidents)
map_options = sidebar.map_options_sidebar()

undated = apply_filters(incidents, sidebar.filters_with_dates(filters, None, None), articles)
filtered = apply_filters(incidents, filters, articles) if len(incidents) else incidents
bounds = date_bounds(filtered, filters.time_axis)

panels.metrics_row(filtered, len(incidents), bounds)
panels.timeline_section(undated, filters)
step = panels.playback_section(filters, date_bounds(undated, filters.time_axis))
shown = apply_filters(filtered, sidebar.filters_with_dates(filters, *step), articles) if step else filtered

map_col, side_col = st.columns([5, 2], gap="medium")
with map_col:
    st.subheader("Map")
    fmap = build_map(shown, mentions, boundary_urls(), map_options)
    clicked = st_folium(fmap, key="map", height=map_options.height, use_container_width=True,
                        returned_objects=["last_object_clicked", "last_object_clicked_tooltip"])
with side_col:
    st.subheader("Evidence")
    from_map = panels.evidence_for_click(shown, clicked)

st.subheader(f"Incidents ({len(shown):,})")
from_table = panels.incident_table(shown)
selected = from_table if len(from_table) else from_map
with side_col:
    panels.evidence_cards(selected, mentions)

left, right = st.columns(2, gap="large")
with left:
    st.subheader("Correct a place")
    panels.corrections_section(str(store_path), shown, selected, mentions, articles)
    st.subheader("Add articles")
    panels.upload_section(str(store_path))
with right:
    st.subheader("Download")
    panels.downloads_section(shown, mentions, filters, bounds, adm1_shapes())

panels.attribution_footer(attribution_text())
