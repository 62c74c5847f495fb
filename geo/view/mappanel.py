"""The map in the app: when to redraw it, where it looks, and the selection it shows.

The map's page changes only when the filters, layers or data change. Anything else (a click,
a table selection, a correction of another incident) gives the same page, so streamlit-folium
keeps the mounted map and the analyst's pan and zoom; the selection ring and the pan to a table
row travel as a small dynamic feature group and centre, which do not remount the map.
On a filter change the map fits the filtered incidents; on a layer change it keeps the view.
"""

from __future__ import annotations

from dataclasses import dataclass

import folium
import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.view import sidebar
from geo.view.filters import Filters, to_query_params
from geo.view.layers import COORD_DECIMALS, lat_lon
from geo.view.mapview import MapOptions, build_map
from geo.view.panels import evidence_for_click
from geo.view.viewstate import MapView, ViewState

BUILD = "_map_build"
CLICKS_SEEN = "_map_clicks_seen"
CLICK_HITS = "_map_click_hits"
PAN_TO = "_map_pan_to"
SELECTED_ZOOM = 9
RETURNED = ["last_object_clicked", "last_object_clicked_tooltip", "last_object_clicked_count"]


@dataclass(frozen=True)
class MapPlan:
    key: tuple
    view: MapView | None  # None: fit to the incidents


def plan_view(previous: dict | None, filters_key: tuple, layers_key: tuple, data_key: object,
              url_view: MapView | None) -> MapPlan:
    """Where the (re)built map should look. Pure, so the rules are testable:

    same filters, layers and data: the page already drawn (the browser keeps the view);
    filters changed: fit to the filtered incidents; first run, layers or data changed: the
    analyst's current view from the URL (fit when there is none).
    """
    key = (filters_key, layers_key, data_key)
    if previous is not None and previous["key"] == key:
        return MapPlan(key, previous["view"])
    if previous is not None and previous["key"][0] != filters_key:
        return MapPlan(key, None)
    return MapPlan(key, url_view)


def _selection_ring(row: pd.Series | None) -> folium.FeatureGroup | None:
    if row is None:
        return None
    group = folium.FeatureGroup(name="selected")
    coords = lat_lon(gpd.GeoDataFrame([row], geometry=[row.geometry], crs="EPSG:4326")).iloc[0]
    if pd.isna(coords["lat"]):
        return None
    folium.CircleMarker([coords["lat"], coords["lon"]], radius=15, color="#ffd400", weight=4, fill=False,
                        interactive=False, class_name="selected-ring").add_to(group)
    return group


def selected_row(shown: pd.DataFrame, selected: str | None) -> pd.Series | None:
    if not selected or shown.empty:
        return None
    hit = shown[shown["incident_id"].astype(str) == selected]
    return hit.iloc[0] if len(hit) else None


def map_panel(shown: gpd.GeoDataFrame, mentions: gpd.GeoDataFrame, filters: Filters, state: ViewState,
              boundary_urls: dict[str, str], label_tiers: list[dict], data_key: object) -> pd.DataFrame:
    """Draw the map; returns the incidents at a spot the analyst just clicked (else empty)."""
    options = MapOptions.from_layers(state.layers, state.basemap, state.count)
    plan = plan_view(st.session_state.get(BUILD), tuple(sorted(to_query_params(filters).items())),
                     (state.layers, state.basemap, state.count), data_key, state.view)
    # rebuilt on every run (a rendered folium map cannot be rendered again), but from the same
    # inputs and view, so the page is identical and streamlit-folium keeps the mounted map
    fmap = build_map(shown, mentions, boundary_urls, options, plan.view, filters.time_axis,
                     7 if filters.bin == "week" else 1, label_tiers)
    st.session_state[BUILD] = {"key": plan.key, "view": plan.view}
    row = selected_row(shown, state.selected)
    center = None
    pan = st.session_state.pop(PAN_TO, None)
    if pan and row is not None:
        coords = lat_lon(gpd.GeoDataFrame([row], geometry=[row.geometry], crs="EPSG:4326")).iloc[0]
        if pd.notna(coords["lat"]):
            center = (round(float(coords["lat"]), COORD_DECIMALS), round(float(coords["lon"]), COORD_DECIMALS))
    result = st_folium(fmap, key="map", height=options.height, use_container_width=True,
                       returned_objects=RETURNED, center=center, zoom=SELECTED_ZOOM if center else None,
                       feature_group_to_add=_selection_ring(row))
    return _new_click(shown, result)


def _new_click(shown: gpd.GeoDataFrame, result: dict | None) -> pd.DataFrame:
    """The incidents at a new click (the returned value repeats the last click on every rerun)."""
    count = (result or {}).get("last_object_clicked_count")
    if not result or not count or count == st.session_state.get(CLICKS_SEEN):
        ids = st.session_state.get(CLICK_HITS) or []
        return shown[shown["incident_id"].astype(str).isin(ids)] if ids else shown.iloc[0:0]
    st.session_state[CLICKS_SEEN] = count
    hits = evidence_for_click(shown, result)
    st.session_state[CLICK_HITS] = hits["incident_id"].astype(str).tolist()
    if len(hits):
        st.session_state[sidebar.SELECTED] = str(hits.iloc[0]["incident_id"])
    return hits


def select_from_table(incident_id: str | None) -> None:
    """A table row was chosen: select it, pan the map to it, forget the last map click."""
    st.session_state[sidebar.SELECTED] = incident_id
    st.session_state[CLICK_HITS] = []
    if incident_id:
        st.session_state[PAN_TO] = True
