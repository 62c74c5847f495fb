"""The incidents layer with its time bar: scrubbing and playback run in the browser.

The page carries every (location, day) row of the filtered incidents once; the time bar (play,
window mode, slider, current dates and count) shows any window by adding and removing only the
markers that change, so a step never reruns the app or reloads the map's frame.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.plugins import MarkerCluster
from folium.template import Template

from geo.counts import SINGULAR
from geo.view.elements import js_json

JS_SOURCE = (Path(__file__).parent / "js" / "timelayer.js").read_text(encoding="utf-8")
PLAY_INTERVAL_MS = 700


class IncidentTimeLayer(JSCSSMixin, MacroElement):
    """Clustered incident markers plus the time bar (see js/timelayer.js)."""

    default_js = MarkerCluster.default_js
    default_css = MarkerCluster.default_css

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.js_source }}
        window.incidentTimeLayer({{ this._parent.get_name() }}, {{ this.rows_json }}, {{ this.opts_json }});
        window.incidentViewSync({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, rows: pd.DataFrame, day0: date | None, step_days: int = 1, show: bool = True,
                 unit: str = "incidents"):
        super().__init__()
        self._name = "IncidentTimeLayer"
        self.js_source = JS_SOURCE
        self.rows_json = js_json(rows[["lat", "lon", "n", "color", "radius", "day", "popup"]].to_numpy().tolist()
                                 if len(rows) else [])
        self.opts_json = js_json({"day0": day0.isoformat() if day0 else None, "step": step_days,
                                  "interval": PLAY_INTERVAL_MS, "show": show,
                                  "unit": [SINGULAR[unit], unit]})
