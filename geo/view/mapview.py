"""Build the folium map for the filtered incidents.

Layers: offline basemap (country, admin-1 and admin-2 outlines and gazetteer place names by zoom)
or OpenStreetMap (online, optional); clustered incident points with a time bar that scrubs and
plays in the browser; area-level mentions shaded at their real extent; admin-1 and country
choropleths of counts; a heatmap; a legend. Which layers are drawn is chosen once, in the sidebar
(no in-map layer control). Every JS/CSS link points at the app's own static files.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import folium
import geopandas as gpd
from branca.element import Element
from folium.plugins import HeatMap

from geo.counts import COUNT_UNITS, SINGULAR, unit_weights
from geo.view.assets import localize_assets
from geo.view.elements import MAP_CSS, AreaLayer, BasemapPane, MapNote
from geo.view.labels import PlaceLabels
from geo.view.layers import (
    CLASS_COLORS,
    admin_counts,
    class_breaks,
    class_colors,
    heat_grid,
    lat_lon,
    region_polygons,
    split_points_areas,
)
from geo.view.symbology import Legend, time_rows
from geo.view.timelayer import IncidentTimeLayer
from geo.view.viewstate import MapView

# admin-1 outlines appear from this zoom (continent scale); at world scale they are clutter
ADM1_OUTLINES_MIN_ZOOM = 3
# admin-2 (counties, departments) from regional scale
ADM2_OUTLINES_MIN_ZOOM = 7
# beyond this many distinct locations, the busiest are drawn and the map says so
DEFAULT_MAX_POINTS = 20_000
AREA_STYLE = {"color": "#b2182b", "weight": 1.2, "fillOpacity": 0.35, "dashArray": "4 3"}
CHOROPLETH_STYLE = {"color": "#666666", "weight": 0.6, "fillOpacity": 0.7}
# key property of each static boundary file (geo.view.basemap.LEVELS)
LEVEL_KEYS = {"adm0": "iso3", "adm1": "admin1_iso", "adm2": "admin2_code"}
BASEMAP_STYLES = {
    "adm0": {"color": "#9aa5ad", "weight": 0.8, "fillColor": "#f4f1ea", "fillOpacity": 1.0},
    "adm1": {"color": "#aab3b9", "weight": 0.7, "fill": False},
    "adm2": {"color": "#c9ced2", "weight": 0.4, "fill": False, "dashArray": "2 2"},
}


@dataclass(frozen=True)
class MapOptions:
    show_points: bool = True
    show_areas: bool = True
    show_admin1_choropleth: bool = False
    show_country_choropleth: bool = False
    show_heatmap: bool = False
    basemap: str = "outlines"  # or "osm" (online tiles)
    count_unit: str = "incidents"  # or "articles": what markers, areas and the heatmap count
    max_points: int = DEFAULT_MAX_POINTS
    height: int = 560

    @classmethod
    def from_layers(cls, layers: tuple[str, ...], basemap: str = "outlines",
                    count_unit: str = "incidents") -> MapOptions:
        return cls(show_points="points" in layers, show_areas="areas" in layers,
                   show_admin1_choropleth="adm1" in layers, show_country_choropleth="adm0" in layers,
                   show_heatmap="heat" in layers, basemap=basemap, count_unit=count_unit)


def _plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _counts_values(counts, key: str, name: str, what: str, tag: str) -> dict[str, list]:
    """{code: [n, colour, tooltip]} for AreaLayer.

    The tooltip ends with "[tag:code]": a click on the polygon reports it back to the app, which
    lists the incidents of that unit (tag "unit") or only its area-level mentions (tag "area").
    """
    if counts.empty:
        return {}
    colors = class_colors(counts["n"], class_breaks(int(counts["n"].max())))
    return {
        str(code): [int(n), color, f"{html.escape(str(label))} — {_plural(int(n), what)} [{tag}:{html.escape(str(code))}]"]
        for code, label, n, color in zip(counts[key], counts[name], counts["n"], colors, strict=True)
    }


def legend_html(legend: Legend, max_count: int | None, dropped: int, shown_points: int,
                options: MapOptions) -> str:
    """The map's legend: every colour and size that can be on screen, and what bubbles count."""
    what = "Category" if legend.color_by == "category" else "Age at the period's end"
    rows = [f"<b>{what}</b><br>" + "<br>".join(
        f'<span class="swatch dot" style="background:{c}"></span>{html.escape(label)}' for label, c in legend.colors)]
    if legend.sized_by_sources:
        rows.append("<b>Size: sources</b><br>" + " ".join(
            f'<span class="swatch dot" style="width:{2 * r}px;height:{2 * r}px"></span>{html.escape(label)}'
            for label, r in legend.sizes))
    unit = options.count_unit
    rows.append(f'<span class="swatch bubble">n</span>cluster: n {unit}, click to zoom in')
    if options.show_areas:
        rows.append('<span class="swatch" style="background:#fcbba1;border-style:dashed"></span>'
                    "area mentioned (state, country, region), darker = more mentions")
    if max_count and (options.show_admin1_choropleth or options.show_country_choropleth):
        breaks = class_breaks(max_count)
        palette = CLASS_COLORS[-len(breaks):]
        rows.append(f"{COUNT_UNITS[unit]} per area: " + " ".join(
            f'<span class="swatch" style="background:{c}"></span>{b}+' for b, c in zip(breaks, palette, strict=True)))
    if options.show_heatmap:
        rows.append(f"Heatmap: density of {unit} (whole period)")
    if dropped:
        rows.append(
            f"<b>Showing the {shown_points:,} busiest location-days; {dropped:,} incidents elsewhere are "
            "in the heatmap and choropleth only. Narrow the filters to see every point.</b>")
    return '<details open class="legend"><summary>Legend</summary>' + "<br>".join(rows) + "</details>"


def build_map(
    incidents: gpd.GeoDataFrame,
    mentions: gpd.GeoDataFrame | None = None,
    boundary_urls: dict[str, str] | None = None,
    options: MapOptions = MapOptions(),
    view: MapView | None = None,
    axis: str = "event_date",
    step_days: int = 1,
    label_tiers: list[dict] | None = None,
) -> folium.Map:
    """A folium map of the (already filtered) incidents, at `view` or fitted to them."""
    boundary_urls = boundary_urls or {}
    start = dict(location=[view.lat, view.lon], zoom_start=view.zoom) if view else dict(location=[20, 0], zoom_start=2)
    m = folium.Map(tiles=None, control_scale=True, minZoom=1, maxZoom=18, prefer_canvas=False,
                   world_copy_jump=True, **start)
    m.get_root().header.add_child(Element(MAP_CSS), name="incident_map_css")

    # base map: our own outlines and place names work offline; OSM tiles only when chosen
    offline = "adm0" in boundary_urls and options.basemap != "osm"
    if offline:
        BasemapPane().add_to(m)
        outlines = folium.FeatureGroup(name="Outlines (offline)", control=False)
        AreaLayer("countries", "iso3", None, BASEMAP_STYLES["adm0"], url=boundary_urls["adm0"],
                  canvas=True, control=False).add_to(outlines)
        for level, zoom in (("adm1", ADM1_OUTLINES_MIN_ZOOM), ("adm2", ADM2_OUTLINES_MIN_ZOOM)):
            if level in boundary_urls:
                AreaLayer(f"{level} outlines", LEVEL_KEYS[level], None, BASEMAP_STYLES[level],
                          url=boundary_urls[level], canvas=True, control=False, min_zoom=zoom).add_to(outlines)
        outlines.add_to(m)
        if label_tiers:
            PlaceLabels(label_tiers).add_to(m)
    else:
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap (online)", control=False).add_to(m)

    points, areas = split_points_areas(incidents)
    unit = options.count_unit
    rows, dropped, day0, legend = time_rows(points, axis, options.max_points, unit)

    adm1 = admin_counts(incidents, "adm1_iso", "adm1_name", unit)
    if options.show_admin1_choropleth and "adm1" in boundary_urls and not adm1.empty:
        AreaLayer(f"{COUNT_UNITS[unit]} per admin-1", "admin1_iso",
                  _counts_values(adm1, "adm1_iso", "adm1_name", SINGULAR[unit], "unit"),
                  CHOROPLETH_STYLE, url=boundary_urls["adm1"], control=False).add_to(m)
    adm0 = admin_counts(incidents, "adm0_iso3", "adm0_name", unit)
    if options.show_country_choropleth and "adm0" in boundary_urls and not adm0.empty:
        AreaLayer(f"{COUNT_UNITS[unit]} per country", "iso3",
                  _counts_values(adm0, "adm0_iso3", "adm0_name", SINGULAR[unit], "unit"),
                  CHOROPLETH_STYLE, url=boundary_urls["adm0"], control=False).add_to(m)

    if options.show_areas and not areas.empty:
        area_group = folium.FeatureGroup(name="Areas mentioned", control=False)
        for precision, key, name, level in (("admin1", "adm1_iso", "adm1_name", "adm1"),
                                            ("country", "adm0_iso3", "adm0_name", "adm0")):
            counts = admin_counts(areas[areas["precision"] == precision], key, name)
            if level in boundary_urls and not counts.empty:
                AreaLayer(f"{precision} mentions", LEVEL_KEYS[level], _counts_values(counts, key, name, "mention", "area"),
                          AREA_STYLE, url=boundary_urls[level], control=False).add_to(area_group)
        regions = region_polygons(areas, mentions)
        if not regions.empty:
            # the code names the gazetteer place, so a click can find the region's incidents
            regions = regions.assign(code=[f"region:{int(g)}:{i}" for i, g in enumerate(regions["gazetteer_id"])])
            values = {c: [int(n), "#fb6a4a", f"{html.escape(str(lbl))} — {_plural(int(n), 'mention')} [{c}]"]
                      for c, lbl, n in zip(regions["code"], regions["label"], regions["n"], strict=True)}
            AreaLayer("derived regions", "code", values, AREA_STYLE,
                      data=regions[["code", "geometry"]].__geo_interface__, control=False).add_to(area_group)
        area_group.add_to(m)

    if options.show_heatmap and not incidents.empty:
        HeatMap(heat_grid(incidents, weights=unit_weights(incidents, unit)), name="Heatmap", control=False,
                radius=18, blur=14, min_opacity=0.3).add_to(m)
    IncidentTimeLayer(rows, day0, step_days, show=options.show_points, unit=unit).add_to(m)

    max_area = int(adm1["n"].max()) if not adm1.empty else None
    MapNote(legend_html(legend, max_area, dropped, len(rows), options), position="topright").add_to(m)
    if view is None:
        _fit(m, incidents)
    return localize_assets(m)


def _fit(m: folium.Map, incidents: gpd.GeoDataFrame) -> None:
    if incidents.empty:
        return
    coords = lat_lon(incidents).dropna()
    if coords.empty:
        return
    south, north = float(coords["lat"].min()), float(coords["lat"].max())
    west, east = float(coords["lon"].min()), float(coords["lon"].max())
    # room for the zoom buttons (top left), the legend (top right) and the time bar (bottom)
    m.fit_bounds([[south, west], [north, east]], padding_top_left=(60, 40), padding_bottom_right=(60, 70),
                 max_zoom=9)
