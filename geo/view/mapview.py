"""Build the folium map for the filtered incidents, in two parts.

The base map (`build_base_map`): offline basemap (country, admin-1 and admin-2 outlines and
gazetteer place names by zoom) or OpenStreetMap (online, optional), and the map's scripts. It
depends only on the base map choice and the view it opens at, so it stays mounted.
The data (`map_payload`): clustered incident points with a time bar that scrubs and plays in
the browser; area-level mentions shaded at their real extent and admin-1 and country choropleths,
both following the time bar; a heatmap; a legend; where to fit. Which layers are drawn is chosen
once, in the sidebar (no in-map layer control). Every JS/CSS link points at the app's own files.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import folium
import geopandas as gpd
import pandas as pd

from geo.counts import COUNT_UNITS, SINGULAR, unit_weights
from geo.view.assets import localize_assets
from geo.view.elements import MAP_CSS, AreaLayer, BasemapPane, RawText
from geo.view.filters import time_values
from geo.view.labels import PlaceLabels
from geo.view.layers import (
    CLASS_COLORS,
    area_day_counts,
    class_breaks,
    heat_grid,
    lat_lon,
    region_polygons,
    split_points_areas,
)
from geo.view.mapdata import PLAY_INTERVAL_MS, EncodedPayload, MapScripts, data_group
from geo.view.symbology import Legend, point_columns, time_rows
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
PHYSICAL_STYLES = {
    "lakes": {"color": "#9cc0d9", "weight": 0.6, "fillColor": "#dfe9f0", "fillOpacity": 1.0},
    "rivers": {"color": "#8fb8d6", "weight": 1.1, "fill": False},
}
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


def _area_spec(counts: pd.DataFrame, key: str, name: str, spec_id: str, join_key: str, noun: str, tag: str,
               style: dict, url: str | None = None, data: dict | None = None) -> dict[str, Any]:
    """One area layer for js/mapdata.js: {code: [label, "[tag:code]", days, counts]} and its classes.

    The tooltip ends with "[tag:code]": a click on the polygon reports it back to the app, which
    lists the incidents of that unit (tag "unit") or only its area-level mentions (tag "area").
    Classes come from the whole period, so colours compare across the time bar's windows.
    """
    breaks = class_breaks(int(counts["n"].max()))
    values = {str(code): [html.escape(str(label)), f"[{tag}:{html.escape(str(code))}]", days, cnts]
              for code, label, days, cnts in zip(counts[key], counts[name], counts["days"], counts["counts"],
                                                 strict=True)}
    spec: dict[str, Any] = {"id": spec_id, "key": join_key, "style": style, "noun": noun, "breaks": breaks,
                            "palette": CLASS_COLORS[-len(breaks):], "values": values}
    if url is not None:
        spec["url"] = url
    else:
        spec["data"] = data
    return spec


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
                    "area mentioned (state, country, region), darker = more mentions; "
                    "follows the time bar")
    if max_count and (options.show_admin1_choropleth or options.show_country_choropleth):
        breaks = class_breaks(max_count)
        palette = CLASS_COLORS[-len(breaks):]
        rows.append(f"{COUNT_UNITS[unit]} per area in the time bar's window: " + " ".join(
            f'<span class="swatch" style="background:{c}"></span>{b}+' for b, c in zip(breaks, palette, strict=True)))
    if options.show_heatmap:
        rows.append(f"Heatmap: density of {unit} (whole period)")
    if dropped:
        rows.append(
            f"<b>Showing the {shown_points:,} busiest location-days; {dropped:,} incidents elsewhere are "
            "in the heatmap and choropleth only. Narrow the filters to see every point.</b>")
    return '<details open class="legend"><summary>Legend</summary>' + "<br>".join(rows) + "</details>"


def build_base_map(boundary_urls: dict[str, str] | None, basemap: str = "outlines", view: MapView | None = None,
                   label_tiers: list[dict] | None = None) -> folium.Map:
    """The map without data, opening at `view` (else the world): what stays mounted in the app."""
    boundary_urls = boundary_urls or {}
    start = dict(location=[view.lat, view.lon], zoom_start=view.zoom) if view else dict(location=[20, 0], zoom_start=2)
    m = folium.Map(tiles=None, control_scale=True, minZoom=1, maxZoom=18, prefer_canvas=False,
                   world_copy_jump=True, **start)
    m.get_root().header.add_child(RawText(MAP_CSS), name="incident_map_css")

    # base map: our own outlines and place names work offline; OSM tiles only when chosen
    offline = "adm0" in boundary_urls and basemap != "osm"
    if offline:
        BasemapPane().add_to(m)
        outlines = folium.FeatureGroup(name="Outlines (offline)", control=False)
        AreaLayer("countries", "iso3", None, BASEMAP_STYLES["adm0"], url=boundary_urls["adm0"],
                  canvas=True, control=False).add_to(outlines)
        for level, zoom in (("adm1", ADM1_OUTLINES_MIN_ZOOM), ("adm2", ADM2_OUTLINES_MIN_ZOOM)):
            if level in boundary_urls:
                AreaLayer(f"{level} outlines", LEVEL_KEYS[level], None, BASEMAP_STYLES[level],
                          url=boundary_urls[level], canvas=True, control=False, min_zoom=zoom,
                          after_incidents=True).add_to(outlines)
        # rivers and lakes over the outlines, under the data and the place names; these, the
        # admin-1 and admin-2 lines and the place names load once the incidents are drawn
        for layer, style in PHYSICAL_STYLES.items():
            if layer in boundary_urls:
                AreaLayer(layer, "kind", None, style, url=boundary_urls[layer], canvas=True, control=False,
                          pane="physical", after_incidents=True).add_to(outlines)
        outlines.add_to(m)
        if label_tiers:
            PlaceLabels(label_tiers).add_to(m)
    else:
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap (online)", control=False).add_to(m)
    MapScripts().add_to(m)
    return localize_assets(m)


def map_payload(
    incidents: gpd.GeoDataFrame,
    mentions: gpd.GeoDataFrame | None = None,
    boundary_urls: dict[str, str] | None = None,
    options: MapOptions = MapOptions(),
    axis: str = "event_date",
    step_days: int = 1,
) -> dict[str, Any]:
    """What js/mapdata.js draws for the (already filtered) incidents: points, areas, heat, legend, fit."""
    boundary_urls = boundary_urls or {}
    points, areas = split_points_areas(incidents)
    days = time_values(incidents, axis)
    first = days.min()
    day0 = first.date() if pd.notna(first) else None
    offsets = (days - first).dt.days.fillna(-1).astype("int64") if day0 else pd.Series(-1, index=incidents.index)
    unit = options.count_unit
    rows, dropped, _, legend = time_rows(points, axis, options.max_points, unit, day0=day0, days=days.loc[points.index])

    specs: list[dict[str, Any]] = []
    choropleth_max = None
    for show, level, key, name, spec_id in (
            (options.show_admin1_choropleth, "adm1", "adm1_iso", "adm1_name", "adm1-choropleth"),
            (options.show_country_choropleth, "adm0", "adm0_iso3", "adm0_name", "adm0-choropleth")):
        if not show or level not in boundary_urls:
            continue
        counts = area_day_counts(incidents, key, name, offsets, unit_weights(incidents, unit))
        if not counts.empty:
            specs.append(_area_spec(counts, key, name, spec_id, LEVEL_KEYS[level], SINGULAR[unit], "unit",
                                    CHOROPLETH_STYLE, url=boundary_urls[level]))
            # the legend shows the admin-1 classes when both choropleths are on
            choropleth_max = int(counts["n"].max()) if level == "adm1" or choropleth_max is None else choropleth_max
    if options.show_areas and not areas.empty:
        for precision, key, name, level in (("admin1", "adm1_iso", "adm1_name", "adm1"),
                                            ("country", "adm0_iso3", "adm0_name", "adm0")):
            counts = area_day_counts(areas[areas["precision"] == precision], key, name, offsets)
            if level in boundary_urls and not counts.empty:
                specs.append(_area_spec(counts, key, name, f"{precision}-mentions", LEVEL_KEYS[level], "mention",
                                        "area", AREA_STYLE, url=boundary_urls[level]))
        regions = region_polygons(areas, mentions, offsets)
        if not regions.empty:
            # the code names the gazetteer place, so a click can find the region's incidents
            regions = regions.assign(code=[f"region:{int(g)}:{i}" for i, g in enumerate(regions["gazetteer_id"])])
            per_day = [pd.Series(d).value_counts().sort_index() for d in regions["days"]]
            counts = pd.DataFrame({"code": regions["code"], "label": regions["label"], "n": regions["n"],
                                   "days": [[int(x) for x in s.index] for s in per_day],
                                   "counts": [[int(x) for x in s.to_numpy()] for s in per_day]})
            spec = _area_spec(counts, "code", "label", "derived-regions", "code", "mention", "region", AREA_STYLE,
                              data=regions[["code", "geometry"]].__geo_interface__)
            # a region's tag is its whole code ("[region:123:0]")
            spec["values"] = {c: [v[0], f"[{c}]", v[2], v[3]] for c, v in spec["values"].items()}
            specs.append(spec)

    last_day = int(offsets.max()) if len(offsets) else 0
    return {
        "interval": PLAY_INTERVAL_MS,
        "points": {**point_columns(rows), "day0": day0.isoformat() if day0 else None,
                   "lastDay": max(last_day, 0), "step": step_days, "show": options.show_points,
                   "unit": [SINGULAR[unit], unit]},
        "areas": specs,
        "heat": (heat_grid(incidents, weights=unit_weights(incidents, unit))
                 if options.show_heatmap and not incidents.empty else None),
        "legend": legend_html(legend, choropleth_max, dropped, len(rows), options),
        "fit": fit_bounds(incidents),
    }


def fit_bounds(incidents: gpd.GeoDataFrame) -> list[list[float]] | None:
    """[[south, west], [north, east]] of the incidents (None when none is located)."""
    if incidents.empty:
        return None
    coords = lat_lon(incidents).dropna()
    if coords.empty:
        return None
    return [[round(float(coords["lat"].min()), 4), round(float(coords["lon"].min()), 4)],
            [round(float(coords["lat"].max()), 4), round(float(coords["lon"].max()), 4)]]


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
    """The whole map as one page (base and data): at `view`, or fitted to the incidents."""
    m = build_base_map(boundary_urls, options.basemap, view, label_tiers)
    payload = EncodedPayload.encode(map_payload(incidents, mentions, boundary_urls, options, axis, step_days))
    data_group(payload.script_json("page", view is None)).add_to(m)
    return m
