"""The map's own URL state: view (centre and zoom), active layers, base map, what the map counts
(incidents or articles) and the selected incident.

Kept apart from `Filters` (which says *which* incidents) because it says *how* they are looked
at. Like the filters it round-trips through short URL parameters, only non-default values are
written, and unreadable values are reported and replaced by the default (a URL is user input).

The view parameter is written by the map itself (in the browser, on every pan or zoom), so
panning never reruns the app; the app reads it back when it has to redraw the map.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from geo.counts import COUNT_UNITS

# layer key -> label (the sidebar's toggles, in this order)
LAYERS: dict[str, str] = {
    "points": "Incident points",
    "areas": "Areas mentioned (admin-1, country, regions)",
    "adm1": "Choropleth: incidents per admin-1",
    "adm0": "Choropleth: incidents per country",
    "heat": "Heatmap",
}
DEFAULT_LAYERS: tuple[str, ...] = ("points", "areas")
BASEMAPS: dict[str, str] = {"outlines": "Outlines (offline)", "osm": "OpenStreetMap (online)"}
VIEW_PARAM = "view"
INCIDENT_ID = re.compile(r"[A-Za-z0-9._:~-]{1,80}")
MAX_ZOOM = 18


@dataclass(frozen=True)
class MapView:
    """Centre (lat, lon) and zoom of the map."""

    lat: float
    lon: float
    zoom: int

    def to_param(self) -> str:
        return f"{self.lat:.4f},{self.lon:.4f},{self.zoom}"


@dataclass(frozen=True)
class ViewState:
    view: MapView | None = None  # None: fit the map to the filtered incidents
    layers: tuple[str, ...] = DEFAULT_LAYERS
    basemap: str = "outlines"
    selected: str | None = None  # incident_id
    count: str = "incidents"  # what markers, choropleths, heatmap and timeline count (COUNT_UNITS)


_PARAMS = {"view": VIEW_PARAM, "layers": "layers", "basemap": "base", "selected": "sel", "count": "count"}
PARAM_NAMES: tuple[str, ...] = tuple(_PARAMS.values())


def parse_view(text: str) -> MapView:
    parts = text.split(",")
    if len(parts) != 3:
        raise ValueError("expected lat,lon,zoom")
    lat, lon, zoom = float(parts[0]), float(parts[1]), int(float(parts[2]))
    if not (-90 <= lat <= 90 and -540 <= lon <= 540 and 0 <= zoom <= MAX_ZOOM):
        raise ValueError("latitude, longitude or zoom out of range")
    lon = (lon + 180) % 360 - 180  # a world-copy pan can report lon beyond +-180
    return MapView(round(lat, 4), round(lon, 4), zoom)


def to_query_params(state: ViewState) -> dict[str, str]:
    default = ViewState()
    params: dict[str, str] = {}
    if state.view is not None:
        params[VIEW_PARAM] = state.view.to_param()
    if state.layers != default.layers:
        params["layers"] = ",".join(state.layers) if state.layers else "-"
    if state.basemap != default.basemap:
        params["base"] = state.basemap
    if state.selected:
        params["sel"] = state.selected
    if state.count != default.count:
        params["count"] = state.count
    return params


def from_query_params(params: Mapping[str, str | Iterable[str]]) -> tuple[ViewState, list[str]]:
    values: dict[str, object] = {}
    problems: list[str] = []
    by_param = {v: k for k, v in _PARAMS.items()}
    for param, raw in params.items():
        name = by_param.get(param)
        if name is None:
            continue
        text = (raw if isinstance(raw, str) else ",".join(raw)).strip()
        try:
            values[name] = _parse(name, text)
        except ValueError as exc:
            problems.append(f"ignored URL parameter {param}={text[:60]!r}: {exc}")
    return replace(ViewState(), **values), problems


def _parse(name: str, text: str) -> object:
    if name == "view":
        return parse_view(text)
    if name == "layers":
        items = () if text in ("", "-") else tuple(dict.fromkeys(s.strip() for s in text.split(",") if s.strip()))
        for item in items:
            if item not in LAYERS:
                raise ValueError(f"unknown layer {item!r}; expected some of {', '.join(LAYERS)}")
        return tuple(k for k in LAYERS if k in items)
    if name == "basemap":
        if text not in BASEMAPS:
            raise ValueError(f"expected one of {', '.join(BASEMAPS)}")
        return text
    if name == "count":
        if text not in COUNT_UNITS:
            raise ValueError(f"expected one of {', '.join(COUNT_UNITS)}")
        return text
    if not INCIDENT_ID.fullmatch(text):
        raise ValueError("not an incident id")
    return text
