"""Build the folium map for the filtered incidents.

Layers: offline outline basemap (default) and OpenStreetMap (online, optional); clustered incident
points; area-level mentions shaded at their real extent; admin-1 and country choropleths of
counts; a heatmap; a layer control. Every JS/CSS link points at the app's own static files.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import folium
import geopandas as gpd
from branca.element import Element
from folium.plugins import HeatMap

from geo.view.assets import localize_assets
from geo.view.elements import MAP_CSS, AreaLayer, BasemapPane, IncidentCluster, MapNote
from geo.view.layers import (
    CLASS_COLORS,
    POINT_COLORS,
    admin_counts,
    class_breaks,
    class_colors,
    heat_grid,
    lat_lon,
    point_groups,
    region_polygons,
    split_points_areas,
)

# admin-1 outlines appear from this zoom (continent scale); at world scale they are clutter
ADM1_OUTLINES_MIN_ZOOM = 3
# beyond this many distinct locations, the busiest are drawn and the map says so
DEFAULT_MAX_POINTS = 20_000
AREA_STYLE = {"color": "#b2182b", "weight": 1.2, "fillOpacity": 0.35, "dashArray": "4 3"}
CHOROPLETH_STYLE = {"color": "#666666", "weight": 0.6, "fillOpacity": 0.7}
# key property of each static boundary file (geo.view.basemap.LEVELS)
LEVEL_KEYS = {"adm0": "iso3", "adm1": "admin1_iso", "adm2": "admin2_code"}
BASEMAP_STYLES = {
    "adm0": {"color": "#9aa5ad", "weight": 0.8, "fillColor": "#f4f1ea", "fillOpacity": 1.0},
    "adm1": {"color": "#c3c9cd", "weight": 0.4, "fill": False},
}


@dataclass(frozen=True)
class MapOptions:
    show_points: bool = True
    show_areas: bool = True
    show_admin1_choropleth: bool = False
    show_country_choropleth: bool = False
    show_heatmap: bool = False
    basemap: str = "outlines"  # or "osm" (online tiles)
    max_points: int = DEFAULT_MAX_POINTS
    height: int = 620


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


def legend_html(max_count: int | None, dropped: int, shown_points: int) -> str:
    parts = [
        f'<span class="swatch" style="background:{POINT_COLORS["place"]}"></span>place '
        f'<span class="swatch" style="background:{POINT_COLORS["admin2"]}"></span>county '
        f'<span class="swatch" style="background:#fcbba1;border-style:dashed"></span>area mentioned'
    ]
    if max_count:
        breaks = class_breaks(max_count)
        palette = CLASS_COLORS[-len(breaks):]
        parts.append("Count per area: " + " ".join(
            f'<span class="swatch" style="background:{c}"></span>{b}+' for b, c in zip(breaks, palette, strict=True)
        ))
    if dropped:
        parts.append(
            f"<b>Showing the {shown_points:,} busiest locations; {dropped:,} incidents elsewhere are "
            "in the heatmap and choropleth only. Narrow the filters to see every point.</b>"
        )
    return "<br>".join(parts)


def build_map(
    incidents: gpd.GeoDataFrame,
    mentions: gpd.GeoDataFrame | None = None,
    boundary_urls: dict[str, str] | None = None,
    options: MapOptions = MapOptions(),
) -> folium.Map:
    """A folium map of the (already filtered) incidents."""
    boundary_urls = boundary_urls or {}
    m = folium.Map(tiles=None, location=[20, 0], zoom_start=2, control_scale=True, minZoom=1, maxZoom=18,
                   prefer_canvas=False, world_copy_jump=True)
    m.get_root().header.add_child(Element(MAP_CSS), name="incident_map_css")

    # base layers: our own outlines work offline; OSM tiles only when chosen (needs internet)
    if "adm0" in boundary_urls:
        BasemapPane().add_to(m)
        outlines = folium.FeatureGroup(name="Outlines (offline)", overlay=False,
                                       show=options.basemap != "osm")
        AreaLayer("countries", "iso3", None, BASEMAP_STYLES["adm0"], url=boundary_urls["adm0"],
                  canvas=True, control=False).add_to(outlines)
        if "adm1" in boundary_urls:
            AreaLayer("admin-1", "admin1_iso", None, BASEMAP_STYLES["adm1"], url=boundary_urls["adm1"],
                      canvas=True, control=False, min_zoom=ADM1_OUTLINES_MIN_ZOOM).add_to(outlines)
        outlines.add_to(m)
    folium.TileLayer("OpenStreetMap", name="OpenStreetMap (online)", overlay=False,
                     show=options.basemap == "osm" or "adm0" not in boundary_urls).add_to(m)

    points, areas = split_points_areas(incidents)
    groups, dropped = point_groups(points, options.max_points)

    adm1 = admin_counts(incidents, "adm1_iso", "adm1_name")
    if "adm1" in boundary_urls and not adm1.empty:
        AreaLayer("Incidents per admin-1", "admin1_iso", _counts_values(adm1, "adm1_iso", "adm1_name", "incident", "unit"),
                  CHOROPLETH_STYLE, url=boundary_urls["adm1"], show=options.show_admin1_choropleth).add_to(m)
    adm0 = admin_counts(incidents, "adm0_iso3", "adm0_name")
    if "adm0" in boundary_urls and not adm0.empty:
        AreaLayer("Incidents per country", "iso3", _counts_values(adm0, "adm0_iso3", "adm0_name", "incident", "unit"),
                  CHOROPLETH_STYLE, url=boundary_urls["adm0"], show=options.show_country_choropleth).add_to(m)

    if not areas.empty:
        area_group = folium.FeatureGroup(name="Areas mentioned", show=options.show_areas)
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

    if not incidents.empty:
        HeatMap(heat_grid(incidents), name="Heatmap", show=options.show_heatmap,
                radius=18, blur=14, min_opacity=0.3).add_to(m)
    if not groups.empty:
        IncidentCluster(groups.to_numpy().tolist(), name="Incidents", show=options.show_points).add_to(m)

    max_area = int(adm1["n"].max()) if not adm1.empty else None
    MapNote(legend_html(max_area, dropped, len(groups))).add_to(m)
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
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
    m.fit_bounds([[south, west], [north, east]], padding=(30, 30), max_zoom=9)
