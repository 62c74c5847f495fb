"""The map in the app: when to redraw it, where it looks, and the selection it shows.

The mounted map (Leaflet, basemap, place names) changes only with the base map choice; the data
(points, areas, legend) and the selection ring travel as streamlit-folium feature groups, which
the mounted frame applies in place: a filter or layer change never reloads the map, and anything
else (a click, a table selection, a correction of another incident) redraws nothing, so the
analyst's pan and zoom stay. On a filter change the map fits the filtered incidents; on a layer
change it keeps the view.
"""

from __future__ import annotations

import hashlib

import folium
import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.view import sidebar
from geo.view.filters import Filters, to_query_params
from geo.view.layers import COORD_DECIMALS, lat_lon
from geo.view.mapdata import EncodedPayload, data_group
from geo.view.mapview import MapOptions, build_base_map, map_payload
from geo.view.panels import evidence_for_click
from geo.view.viewstate import MapView, ViewState

MOUNT = "_map_mount"
CLICKS_SEEN = "_map_clicks_seen"
CLICK_HITS = "_map_click_hits"
PAN_TO = "_map_pan_to"
SELECTED_ZOOM = 9
RETURNED = ["last_object_clicked", "last_object_clicked_tooltip", "last_object_clicked_count"]


def mount_view(previous: dict | None, basemap: str, url_view: MapView | None) -> dict:
    """The base map's choice and opening view, fixed while the same map stays mounted. Pure.

    The base map's page must not change on a rerun, or streamlit-folium would remount it: so it
    keeps the view it first opened at (the URL's, or none: fit to the incidents) until the analyst
    picks another base map, which opens at the view they are looking at.
    """
    if previous is not None and previous["basemap"] == basemap:
        return previous
    return {"basemap": basemap, "view": url_view}


@st.cache_data(max_entries=6, show_spinner=False)
def _payload(data_key: object, filters_key: tuple, layers_key: tuple, _shown: gpd.GeoDataFrame,
             _mentions: gpd.GeoDataFrame, _boundary_urls: dict[str, str], axis: str, step_days: int
             ) -> EncodedPayload:
    """The map's data for one filter and layer choice (cached: a click or a selection rebuilds nothing)."""
    return EncodedPayload.encode(
        map_payload(_shown, _mentions, _boundary_urls, MapOptions.from_layers(*layers_key), axis, step_days))


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
    """Draw the map; returns the incidents at a spot the analyst just clicked (else empty).

    The base map is rebuilt on every run (a rendered folium map cannot be rendered again) from the
    same inputs, so its page is identical and streamlit-folium keeps it mounted; the data goes as
    a feature group, which the mounted map applies in place (fitting when the filters changed).
    """
    options = MapOptions.from_layers(state.layers, state.basemap, state.count)
    mount = mount_view(st.session_state.get(MOUNT), state.basemap, state.view)
    st.session_state[MOUNT] = mount
    fmap = build_base_map(boundary_urls, mount["basemap"], mount["view"], label_tiers)
    filters_key = tuple(sorted(to_query_params(filters).items()))
    payload = _payload(data_key, filters_key, (state.layers, state.basemap, state.count), shown, mentions, boundary_urls,
                       filters.time_axis, 7 if filters.bin == "week" else 1)
    groups = [data_group(payload.script_json(_digest(filters_key), mount["view"] is None))]
    row = selected_row(shown, state.selected)
    center = None
    pan = st.session_state.pop(PAN_TO, None)
    if pan and row is not None:
        coords = lat_lon(gpd.GeoDataFrame([row], geometry=[row.geometry], crs="EPSG:4326")).iloc[0]
        if pd.notna(coords["lat"]):
            center = (round(float(coords["lat"]), COORD_DECIMALS), round(float(coords["lon"]), COORD_DECIMALS))
    result = st_folium(fmap, key="map", height=options.height, use_container_width=True,
                       returned_objects=RETURNED, center=center, zoom=SELECTED_ZOOM if center else None,
                       feature_group_to_add=groups + [ring for ring in [_selection_ring(row)] if ring])
    return _new_click(shown, result)


def _digest(value: object) -> str:
    return hashlib.sha1(repr(value).encode("utf-8")).hexdigest()[:12]


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
