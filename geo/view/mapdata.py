"""The map's data as one payload, sent apart from the map itself so a filter change never remounts it.

The mounted map (Leaflet, the offline basemap, place names) stays put; what changes with the
filters or layers (incident points with their time bar, area shading, choropleths, heatmap,
legend, where to fit) travels as one JSON payload that `js/mapdata.js` applies in place. In the
app it is streamlit-folium's `feature_group_to_add` (evaluated in the mounted frame, no reload);
in a standalone page it is simply part of the page.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import folium
from folium.elements import JSCSSMixin
from folium.plugins import HeatMap, MarkerCluster
from folium.template import Template

from geo.view.elements import FinalTextMacro, js_json

JS_DIR = Path(__file__).parent / "js"
JS_SOURCE = "\n".join((JS_DIR / name).read_text(encoding="utf-8") for name in ("timelayer.js", "mapdata.js"))
PLAY_INTERVAL_MS = 700


class MapScripts(JSCSSMixin, FinalTextMacro):
    """The map's own scripts and the plugins its data layers use, loaded once with the map."""

    default_js = MarkerCluster.default_js + HeatMap.default_js
    default_css = MarkerCluster.default_css

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.js_source }}
        window.incidentViewSync({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self):
        super().__init__()
        self._name = "MapScripts"
        self.js_source = JS_SOURCE


class MapData(FinalTextMacro):
    """Applies one data payload to the map it is added under (directly or through a FeatureGroup)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        window.incidentMapData({{ this.map_name() }}, {{ this.payload_json }});
        {% endmacro %}
        """
    )

    def __init__(self, payload_json: str):
        super().__init__()
        self._name = "MapData"
        self.payload_json = payload_json

    def map_name(self) -> str:
        parent = self._parent
        while parent is not None and not isinstance(parent, folium.Map):
            parent = getattr(parent, "_parent", None)
        if parent is None:
            raise ValueError("MapData must be added to a map or to a layer on a map")
        return parent.get_name()


@dataclass(frozen=True)
class EncodedPayload:
    """A payload as script-safe JSON (without its fit), and a digest of it: the browser redraws
    only when the digest changes, not on a click or a selection."""

    key: str
    body: str
    fit: list | None

    @classmethod
    def encode(cls, data: dict[str, Any]) -> EncodedPayload:
        body = js_json({k: v for k, v in data.items() if k != "fit"})
        return cls(hashlib.sha1(body.encode("utf-8")).hexdigest()[:16], body, data.get("fit"))

    def script_json(self, fit_key: str, fit_on_load: bool) -> str:
        """The JSON the map applies: the data, where to fit, and when (a new fit key, or on load)."""
        head = js_json({"key": self.key, "fit": self.fit, "fitKey": fit_key, "fitOnLoad": fit_on_load})
        return head[:-1] + ("," + self.body[1:] if self.body != "{}" else "}")


def data_group(payload: str) -> folium.FeatureGroup:
    """A feature group carrying the payload (what streamlit-folium evaluates on every change)."""
    group = folium.FeatureGroup(name="incident data", control=False)
    MapData(payload).add_to(group)
    return group
