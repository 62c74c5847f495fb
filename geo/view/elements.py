"""Folium elements the stock plugins do not offer, written for size and safety.

- `IncidentCluster`: clustered circle markers from one compact JSON array (one row per location,
  cluster badges count incidents, not markers), bulk-added with chunked loading.
- `AreaLayer`: polygons either fetched from a static GeoJSON file the browser caches (admin
  boundaries: the page carries only the per-area counts) or given inline (derived regions).
- `MapNote`: a small text box on the map (e.g. "showing 20,000 of 100,000 incidents").

All data goes into the page through `js_json`, which escapes `<`, `>` and `&`, so nothing in it
can close a script tag; HTML shown in popups and tooltips is escaped before it gets here.
"""

from __future__ import annotations

import json
from typing import Any

from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.map import Layer
from folium.plugins import MarkerCluster
from folium.template import Template


def js_json(value: Any) -> str:
    """JSON that is safe inside a <script> element."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                       ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, code)
    return text


class IncidentCluster(JSCSSMixin, Layer):
    """rows: [lat, lon, n, color, popup_html] per location."""

    default_js = MarkerCluster.default_js
    default_css = MarkerCluster.default_css

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.markerClusterGroup({
            chunkedLoading: true, showCoverageOnHover: false, maxClusterRadius: 45,
            iconCreateFunction: function (cluster) {
                var n = 0, kids = cluster.getAllChildMarkers();
                for (var i = 0; i < kids.length; i++) { n += kids[i].options.incidents || 1; }
                var size = n < 10 ? 'small' : (n < 100 ? 'medium' : 'large');
                return L.divIcon({html: '<div><span>' + n + '</span></div>',
                    className: 'marker-cluster marker-cluster-' + size, iconSize: L.point(40, 40)});
            }
        });
        (function () {
            var rows = {{ this.rows_json }};
            var markers = new Array(rows.length);
            for (var i = 0; i < rows.length; i++) {
                var r = rows[i];
                // radius <= 10 so Leaflet reports the marker's own position on click
                var m = L.circleMarker([r[0], r[1]], {
                    radius: Math.min(10, 6 + Math.log2(r[2])), color: '#ffffff', weight: 1.5,
                    fillColor: r[3], fillOpacity: 0.9, incidents: r[2]});
                m.bindPopup(r[4], {maxWidth: 320});
                markers[i] = m;
            }
            {{ this.get_name() }}.addLayers(markers);
        })();
        {% endmacro %}
        """
    )

    def __init__(self, rows: list[list[Any]], name: str = "Incidents", show: bool = True):
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "IncidentCluster"
        self.rows_json = js_json(rows)


class AreaLayer(Layer):
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
                    {% if this.canvas %}pane: 'basemap', renderer: L.canvas({padding: 0.5, pane: 'basemap'}),{% endif %}
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
                if (visible && !layer && !loading) { loading = true; load(); return; }
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
        self.min_zoom_json = js_json(min_zoom)


class BasemapPane(MacroElement):
    """A map pane under the data layers (over tiles) for the canvas-drawn outline basemap.

    Without it the outlines' canvas, created when its fetch completes, would cover the SVG areas.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var pane = {{ this._parent.get_name() }}.createPane('basemap');
            pane.style.zIndex = 250;
            pane.style.pointerEvents = 'none';
        })();
        {% endmacro %}
        """
    )

    def __init__(self):
        super().__init__()
        self._name = "BasemapPane"


class MapNote(MacroElement):
    """A small fixed box on the map with escaped text or our own HTML."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var note = L.control({position: {{ this.position_json }}});
            note.onAdd = function () {
                var div = L.DomUtil.create('div', 'map-note');
                div.innerHTML = {{ this.html_json }};
                return div;
            };
            note.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, html: str, position: str = "bottomleft"):
        super().__init__()
        self._name = "MapNote"
        self.html_json = js_json(html)
        self.position_json = js_json(position)


MAP_CSS = """
<style>
.leaflet-container { background: #dfe9f0; font: 12px/1.4 "Source Sans Pro", sans-serif; }
.leaflet-control-layers, .map-note, .leaflet-popup-content { font-size: 12px; line-height: 1.35; }
.leaflet-control-layers label { margin-bottom: 0; }
.map-note { background: rgba(255,255,255,.92); padding: 4px 8px; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,.25); max-width: 320px; }
.map-note .swatch { display: inline-block; width: 12px; height: 12px; margin-right: 4px;
  vertical-align: middle; border: 1px solid #999; }
.marker-cluster-small { background-color: rgba(253, 174, 97, .6); }
.marker-cluster-small div { background-color: rgba(244, 109, 67, .75); color: #fff; }
.marker-cluster-medium { background-color: rgba(244, 109, 67, .6); }
.marker-cluster-medium div { background-color: rgba(215, 48, 39, .8); color: #fff; }
.marker-cluster-large { background-color: rgba(215, 48, 39, .55); }
.marker-cluster-large div { background-color: rgba(165, 0, 38, .85); color: #fff; }
</style>
"""
