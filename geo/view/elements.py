"""Folium elements the stock plugins do not offer, written for size and safety.

- `FinalTextMacro`: the base of our elements: their rendered macros go into the page as they are.
- `AreaLayer`: polygons either fetched from a static GeoJSON file the browser caches (admin
  boundaries: the page carries only the per-area counts) or given inline (derived regions).

All data goes into the page through `js_json`, which escapes `<`, `>` and `&`, so nothing in it
can close a script tag; HTML shown in popups and tooltips is escaped before it gets here.
"""

from __future__ import annotations

import json
import re
from typing import Any

from branca.element import Element, MacroElement
from folium.map import Layer
from folium.template import Template

_JINJA_OPENERS = re.compile(r"\{(?=[{%#])")


def js_json(value: Any) -> str:
    """JSON that is safe inside a <script> element and in folium's templates."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                       ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, code)
    # folium passes rendered scripts through Jinja again: "{{", "{%" and "{#" (which JSON syntax
    # never produces, so they are inside strings) must not reach it, or article text would be
    # evaluated as a template (or break the page with a template syntax error)
    return _JINJA_OPENERS.sub(r"\\u007b", text)


class RawText(Element):
    """Text placed in the page as it is (no template pass)."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


class FinalTextMacro(MacroElement):
    """A MacroElement whose rendered macros are final text, put into the page as they are.

    branca's MacroElement.render wraps each rendered macro in an Element, which compiles it as a
    Jinja template again: for our scripts (tens of kB) that was most of the map's server time on
    every run, ahead of the map's first paint. Listed after folium's base classes (`class
    X(Layer, FinalTextMacro)`), it takes MacroElement's place in the chain of render() calls.
    """

    def render(self, **kwargs: Any) -> None:
        figure = self.get_root()
        macros = self._template.module.__dict__
        for part, section in (("header", figure.header), ("html", figure.html), ("script", figure.script)):
            macro = macros.get(part)
            if macro is not None:
                section.add_child(RawText(macro(self, kwargs)), name=self.get_name())
        for element in self._children.values():
            element.render(**kwargs)


class AreaLayer(Layer, FinalTextMacro):
    """Polygons keyed by `key`, styled per key from `values` = {key: [n, fill_color, tooltip_html]}.

    With `url` the GeoJSON is fetched (and cached by the browser); with `data` it is inline.
    `values=None` draws every feature in the base style (used for the offline basemap).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.featureGroup();
        (function () {
            var group = {{ this.get_name() }};
            var values = {{ this.values_json }};
            var key = {{ this.key_json }};
            var base = {{ this.style_json }};
            var minZoom = {{ this.min_zoom_json }};
            var layer = null, loading = false;
            function build(gj) {
                layer = L.geoJSON(gj, {
                    filter: values ? function (f) {
                        return Object.prototype.hasOwnProperty.call(values, f.properties[key]); } : null,
                    style: function (f) {
                        var s = Object.assign({}, base);
                        if (values) { s.fillColor = values[f.properties[key]][1]; }
                        return s;
                    },
                    onEachFeature: values ? function (f, l) {
                        l.bindTooltip(values[f.properties[key]][2], {sticky: true}); } : null,
                    {% if this.canvas %}pane: {{ this.pane_json }}, renderer: L.canvas({padding: 0.5, pane: {{ this.pane_json }}}),{% endif %}
                    interactive: values !== null
                });
                sync();
            }
            function load() {
                {% if this.url %}
                // one download and parse per file, shared by every layer that uses it
                var cache = window.__areaGeoJson = window.__areaGeoJson || {};
                var url = {{ this.url_json }};
                cache[url] = cache[url] || fetch(url).then(function (r) {
                    if (!r.ok) { throw new Error('HTTP ' + r.status); }
                    return r.json();
                });
                cache[url].then(build).catch(function (e) { console.warn('boundaries not loaded', e); });
                {% else %}
                build({{ this.data_json }});
                {% endif %}
            }
            // load only once the layer is on the map (hidden layers cost nothing), and with a
            // minimum zoom only when zoomed in that far (admin-1 lines are noise at world scale)
            function sync() {
                var map = group._map;
                if (!map) { return; }
                var visible = minZoom === null || map.getZoom() >= minZoom;
                if (visible && !layer && !loading) {
                    loading = true;
                    {% if this.after_incidents %}window.afterIncidentsDrawn(map, load);{% else %}load();{% endif %}
                    return;
                }
                if (!layer) { return; }
                if (visible && !group.hasLayer(layer)) { group.addLayer(layer); }
                if (!visible && group.hasLayer(layer)) { group.removeLayer(layer); }
            }
            group.on('add', function () { group._map.on('zoomend', sync); sync(); });
            group.on('remove', function (e) { e.target._map && e.target._map.off('zoomend', sync); });
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        name: str,
        key: str,
        values: dict[str, list[Any]] | None,
        style: dict[str, Any],
        url: str | None = None,
        data: dict[str, Any] | None = None,
        overlay: bool = True,
        show: bool = True,
        canvas: bool = False,
        control: bool = True,
        min_zoom: int | None = None,
        pane: str = "basemap",
        after_incidents: bool = False,
    ):
        if (url is None) == (data is None):
            raise ValueError("give exactly one of url or data")
        super().__init__(name=name, overlay=overlay, control=control, show=show)
        self._name = "AreaLayer"
        self.url = url
        self.url_json = js_json(url)
        self.data_json = js_json(data) if data is not None else "null"
        self.values_json = js_json(values)
        self.key_json = js_json(key)
        self.style_json = js_json(style)
        self.canvas = canvas
        self.pane_json = js_json(pane)
        self.min_zoom_json = js_json(min_zoom)
        # fetched only once the incidents are drawn (see BasemapPane), not ahead of them
        self.after_incidents = after_incidents


class BasemapPane(FinalTextMacro):
    """Map panes under the data layers (over tiles) for the canvas-drawn basemap: outlines, and
    rivers and lakes above them (each canvas is created when its fetch completes, so the order
    must come from the panes). Without them the canvases would cover the SVG areas.

    Also `window.afterIncidentsDrawn(map, fn)`: the basemap's heavier files (admin-1 and admin-2
    lines, rivers, lakes, place names: megabytes to fetch, parse and draw) start once the
    incidents are on screen, so they do not hold up the map's first meaningful paint.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        window.afterIncidentsDrawn = window.afterIncidentsDrawn || function (map, fn) {
            if (map.__incidentsDrawn) { fn(); return; }
            var waiting = map.__afterIncidents;
            if (!waiting) {
                waiting = map.__afterIncidents = [];
                var release = function () {
                    if (map.__incidentsDrawn) { return; }
                    map.__incidentsDrawn = true;
                    map.off('incidentsdrawn', release);
                    // after the frame that shows the incidents
                    requestAnimationFrame(function () { setTimeout(function () {
                        waiting.splice(0).forEach(function (f) { f(); });
                    }, 0); });
                };
                map.on('incidentsdrawn', release);
                setTimeout(release, {{ this.wait_ms }});  // a map without incident data
            }
            waiting.push(fn);
        };
        (function () {
            [['basemap', 250], ['physical', 260]].forEach(function (p) {
                var pane = {{ this._parent.get_name() }}.createPane(p[0]);
                pane.style.zIndex = p[1];
                pane.style.pointerEvents = 'none';
            });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, wait_ms: int = 1500):
        super().__init__()
        self._name = "BasemapPane"
        self.wait_ms = int(wait_ms)


MAP_CSS = """
<style>
.leaflet-container { background: #dfe9f0; font: 12px/1.4 "Source Sans Pro", sans-serif; }
.map-note, .leaflet-popup-content { font-size: 12px; line-height: 1.35; }
.map-note { background: rgba(255,255,255,.92); padding: 4px 8px; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,.25); max-width: 260px; }
.map-note summary { cursor: pointer; font-weight: 600; }
.map-note .swatch { display: inline-block; width: 12px; height: 12px; margin-right: 4px;
  vertical-align: middle; border: 1px solid #999; }
.map-note .swatch.dot { border-radius: 50%; border-color: #fff; box-shadow: 0 0 0 1px #999; background: #b2182b; }
.map-note .swatch.bubble { width: 18px; height: 18px; border-radius: 50%; border: 3px solid rgba(253,174,97,.6);
  background: rgba(244,109,67,.85); color: #fff; font-size: 9px; text-align: center; line-height: 12px; }
.marker-cluster-small { background-color: rgba(253, 174, 97, .6); }
.marker-cluster-small div { background-color: rgba(244, 109, 67, .75); color: #fff; }
.marker-cluster-medium { background-color: rgba(244, 109, 67, .6); }
.marker-cluster-medium div { background-color: rgba(215, 48, 39, .8); color: #fff; }
.marker-cluster-large { background-color: rgba(215, 48, 39, .55); }
.marker-cluster-large div { background-color: rgba(165, 0, 38, .85); color: #fff; }
.time-bar { background: rgba(255,255,255,.95); padding: 4px 8px; border-radius: 4px; display: flex;
  align-items: center; gap: 6px; box-shadow: 0 1px 4px rgba(0,0,0,.3); font-size: 12px;
  width: min(720px, calc(100vw - 90px)); flex-wrap: wrap; }
.time-bar .time-slider { flex: 1 1 160px; min-width: 120px; }
.time-bar button { border: 1px solid #aaa; background: #fff; border-radius: 3px; width: 28px; height: 24px;
  cursor: pointer; }
.time-bar select { font-size: 12px; }
.time-bar .time-label { white-space: nowrap; }
.place-labels { position: absolute; left: 0; top: 0; }
.place-label { position: absolute; white-space: nowrap; transform: translate(-50%, -100%);
  margin-top: -3px; color: #333; text-shadow: 0 0 2px #fff, 0 0 3px #fff, 0 0 4px #fff; }
.place-label::after { content: ""; position: absolute; left: 50%; top: 100%; width: 3px; height: 3px;
  margin: 1px 0 0 -2px; border-radius: 50%; background: #555; }
.place-label-capital { font-size: 13px; font-weight: 700; }
.place-label-major { font-size: 12px; font-weight: 600; }
.place-label-minor { font-size: 11px; color: #444; }
.leaflet-marker-icon.selected-ring { pointer-events: none; }
</style>
"""
