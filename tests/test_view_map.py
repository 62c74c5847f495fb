"""The folium map: layers, local assets only, escaping, point cap; and on the real store."""

from __future__ import annotations

import json
import re
from datetime import date

import geopandas as gpd
import pytest
from view_fixtures import HOSTILE_TITLE, build_real_store, synthetic_store_tables

from geo.view.assets import STATIC_URL, VENDOR_DIR, missing_assets
from geo.view.elements import js_json
from geo.view.layers import class_breaks, class_colors, heat_grid, region_polygons
from geo.view.mapview import MapOptions, build_base_map, build_map
from geo.view.symbology import time_rows

URLS = {lvl: f"{STATIC_URL}/basemap/{lvl}.geojson" for lvl in ("adm0", "adm1", "adm2")}


def _render(m) -> str:
    return m.get_root().render()


@pytest.fixture(scope="module")
def tables():
    return synthetic_store_tables()


def test_every_asset_is_served_locally(tables):
    incidents, mentions, _ = tables
    page = _render(build_map(incidents, mentions, URLS, MapOptions(show_heatmap=True)))
    links = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert links, "the map should link Leaflet"
    assert all(link.startswith(f"{STATIC_URL}/vendor/") for link in links), links
    # Leaflet, markercluster and heat: one script, whose file holds all three (else one file each)
    if not missing_assets():
        scripts = [link.split("?")[0] for link in links if ".js" in link]
        served = "".join((VENDOR_DIR / s.removeprefix(f"{STATIC_URL}/vendor/")).read_text() for s in scripts)
        assert "L.MarkerClusterGroup" in served and "L.HeatLayer" in served and 'version="1.9.4"' in served
    # the offline map names no remote URL at all; OSM tiles appear only when chosen
    assert not re.findall(r"https?://[^\s\"']+", page)
    osm = _render(build_map(incidents, mentions, URLS, MapOptions(basemap="osm")))
    remote = set(re.findall(r"https?://[^\s\"']+", osm))
    assert remote and all(re.match(r"https://(tile|www)\.openstreetmap\.org/", u) for u in remote), remote


def test_layers_follow_the_options_and_there_is_no_layer_control(tables):
    incidents, mentions, _ = tables
    every = MapOptions.from_layers(("points", "areas", "adm1", "adm0", "heat"))
    page = _render(build_map(incidents, mentions, URLS, every))
    assert "L.control.layers" not in page  # layers are chosen once, in the sidebar
    assert "L.markerClusterGroup" in page and "L.heatLayer" in page
    data = _payload(page)
    assert data["heat"] and data["points"]["show"] is True
    # choropleths and area mentions join cached static boundary files on their codes
    assert {a["id"] for a in data["areas"]} >= {"adm1-choropleth", "adm0-choropleth", "admin1-mentions"}
    assert all(a.get("url", "").startswith(STATIC_URL) or "data" in a for a in data["areas"])
    assert "admin1_iso" in page and '"MX-SON":[' in page
    bare = _payload(_render(build_map(incidents, mentions, URLS, MapOptions.from_layers(()))))
    assert bare["heat"] is None and bare["areas"] == []
    assert bare["points"]["show"] is False and bare["points"]["lat"]  # the points exist, hidden


def _payload(page: str) -> dict:
    """The data payload the page applies to its map (js/mapdata.js)."""
    start = re.search(r"window\.incidentMapData\(map_\w+, ", page).end()
    return json.JSONDecoder().raw_decode(page, start)[0]


def test_a_filter_change_sends_data_only_and_keeps_the_mounted_map(tables):
    """streamlit-folium remounts the map's frame when the map's script changes (its component key
    is a hash of it); the data travels as a feature group evaluated in the mounted frame."""
    from streamlit_folium import _get_feature_group_string, _get_map_string, generate_js_hash

    from geo.view.mapdata import EncodedPayload, data_group
    from geo.view.mapview import build_base_map, map_payload

    incidents, mentions, _ = tables
    scripts, groups = [], []
    for frame, layers in ((incidents, ("points", "areas")), (incidents.head(5), ("points", "heat"))):
        base = build_base_map(URLS, "outlines", None, [{"zoom": 3, "url": "/app/static/basemap/labels-3.json"}])
        base.get_root().render()
        mounted = _get_map_string(base)  # what st_folium hashes, before the data group is added
        scripts.append(generate_js_hash(mounted, "map"))
        payload = EncodedPayload.encode(map_payload(frame, mentions, URLS, MapOptions.from_layers(layers)))
        groups.append(_get_feature_group_string(data_group(payload.script_json("f", True)), base))
    assert scripts[0] == scripts[1]  # the same component: no remount
    assert groups[0] != groups[1]
    assert all("window.incidentMapData(map_div, {" in g for g in groups)
    assert '"lat":[' not in mounted and "incidentMapData(map_div" not in mounted  # no data in the mounted page
    # the digest changes with the data, not with where or when to fit
    one = EncodedPayload.encode(map_payload(incidents, mentions, URLS))
    assert one.key == EncodedPayload.encode(map_payload(incidents, mentions, URLS)).key
    assert one.script_json("a", True) != one.script_json("b", False) and one.key in one.script_json("b", False)
    assert one.key != EncodedPayload.encode(map_payload(incidents.head(5), mentions, URLS)).key


def test_areas_carry_their_counts_per_day_for_the_time_bar(tables):
    from geo.view.mapview import map_payload

    incidents, mentions, _ = tables
    data = map_payload(incidents, mentions, URLS, MapOptions.from_layers(("points", "areas", "adm1")))
    areas = {a["id"]: a for a in data["areas"]}
    sonora = areas["adm1-choropleth"]["values"]["MX-SON"]
    assert sonora[1] == "[unit:MX-SON]" and len(sonora[2]) == len(sonora[3])
    assert sum(sonora[3]) == (incidents["adm1_iso"] == "MX-SON").sum()
    assert all(0 <= d <= data["points"]["lastDay"] for d in sonora[2])
    mentions_of = areas["admin1-mentions"]["values"]["MX-SON"]
    assert sum(mentions_of[3]) == ((incidents["adm1_iso"] == "MX-SON") & (incidents["precision"] == "admin1")).sum()
    region = next(iter(areas["derived-regions"]["values"].values()))
    assert region[1].startswith("[region:") and sum(region[3]) >= 1
    # points and areas count days from the same first day, so one time bar drives both
    days = sorted({d for a in areas.values() for v in a["values"].values() for d in v[2]}
                  | set(data["points"]["day"]))
    assert days[0] == 0 and days[-1] == data["points"]["lastDay"]


def _rows(page: str) -> list[dict]:
    """The page's point rows, one dict per row, from the payload's columns (tables decoded)."""
    points = _payload(page)["points"]
    columns = ("lat", "lon", "n", "incidents", "radius", "day", "title")
    return [dict(zip(columns, values, strict=True), color=points["colors"][c], name=points["names"][m],
                 date=points["dates"][d])
            for *values, c, m, d in zip(*(points[k] for k in columns), points["color"], points["name"],
                                        points["date"], strict=True)]


def test_area_incidents_are_polygons_not_pins(tables):
    incidents, mentions, _ = tables
    points = incidents[~incidents["precision"].isin(["admin1", "subregion", "country"])]
    page = _render(build_map(incidents, mentions, URLS))
    data = _rows(page)
    assert sum(r["n"] for r in data) == len(points)
    # Sonora (admin-1) and Mexico (country) are never drawn as a point
    assert not any(abs(r["lat"] - 29.3) < 1e-6 and abs(r["lon"] + 110.7) < 1e-6 for r in data)
    assert '"MX-SON":[' in page and '"MEX":[' in page
    regions = region_polygons(incidents[incidents["precision"] == "subregion"], mentions)
    assert len(regions) == 1 and regions.geometry.iloc[0].geom_type == "Polygon"
    assert "southern California" in page


def test_turning_areas_off_drops_them(tables):
    incidents, mentions, _ = tables
    on = _render(build_map(incidents, mentions, URLS, MapOptions(show_areas=True)))
    off = _render(build_map(incidents, mentions, URLS, MapOptions(show_areas=False)))
    assert "southern California" in on and "southern California" not in off


def test_time_rows_are_one_per_location_and_day(tables):
    incidents, _, _ = tables
    points = incidents[~incidents["precision"].isin(["admin1", "subregion", "country"])]
    rows, dropped, day0, legend = time_rows(points, "event_date")
    assert dropped == 0 and rows["n"].sum() == len(points)
    assert day0 == min(date.fromisoformat(d) for d in points["event_date"])
    assert not rows.duplicated(["lat", "lon", "day", "color"]).any()
    days = (gpd.pd.to_datetime(points["event_date"]) - gpd.pd.Timestamp(day0)).dt.days
    assert sorted(rows["day"].unique()) == sorted(days.unique())
    assert legend.color_by == "recency" and not legend.sized_by_sources


def test_colour_by_category_and_size_by_sources_when_the_store_has_them(tables):
    incidents, mentions, _ = tables
    events = incidents.assign(category=["protest" if i % 2 else "violence" for i in range(len(incidents))],
                              source_count=[1 + i % 5 for i in range(len(incidents))])
    points = events[events["precision"] == "place"]
    rows, _, _, legend = time_rows(points, "event_date")
    assert legend.color_by == "category" and {label for label, _ in legend.colors} == {"protest", "violence"}
    assert set(rows["color"]) == {c for _, c in legend.colors}
    assert legend.sized_by_sources and rows["radius"].nunique() > 1 and rows["radius"].max() <= 10
    page = _render(build_map(events, mentions, URLS))
    assert "protest" in page and "Size: sources" in page


def test_popups_escape_article_text_and_data_cannot_close_the_script(tables):
    incidents, mentions, _ = tables
    hostile = incidents.copy()
    hostile.loc[hostile.index[0], "title"] = HOSTILE_TITLE + "</script><img src=x onerror=alert(9)>"
    hostile.loc[hostile.index[0], "precision"] = "place"
    page = _render(build_map(hostile, mentions, URLS))
    assert "<script>window.__xss" not in page and "</script><img" not in page
    assert "<img src=x" not in page
    assert js_json("</script>") == '"\\u003c/script\\u003e"'


def test_article_text_is_never_a_template(tables):
    """folium passes scripts through Jinja: "{{ 7*7 }}" in a title stays text, "{% endif %}" breaks nothing."""
    incidents, mentions, _ = tables
    hostile = incidents.copy()
    hostile.loc[hostile.index[0], ["title", "precision"]] = ["Riot {{ 7*7 }} {% endif %} {# x", "place"]
    page = _render(build_map(hostile, mentions, URLS))
    titles = [r["title"] for r in _rows(page)]
    assert "Riot {{ 7*7 }} {% endif %} {# x" in titles
    assert not any("Riot 49" in t for t in titles)


def test_point_cap_keeps_the_busiest_locations_and_says_so(tables):
    incidents, mentions, _ = tables
    points = incidents[incidents["precision"] == "place"]
    rows, dropped, _, _ = time_rows(points, "event_date", max_rows=2)
    assert len(rows) == 2 and dropped == len(points) - int(rows["n"].sum())
    page = _render(build_map(incidents, mentions, URLS, MapOptions(max_points=2)))
    assert "busiest location-days" in page


def test_class_breaks_and_colors():
    assert class_breaks(1) == [1]
    breaks = class_breaks(1000)
    assert breaks[0] == 1 and breaks[-1] <= 1000 and len(breaks) <= 6 and breaks == sorted(breaks)
    colors = class_colors(gpd.pd.Series([1, 3, 1000]), breaks)
    assert colors.iloc[0] != colors.iloc[2]


def test_heat_grid_aggregates(tables):
    incidents, _, _ = tables
    grid = heat_grid(incidents, cell_degrees=1.0)
    assert 0 < len(grid) <= incidents.geometry.nunique()
    assert max(w for _, _, w in grid) == 1.0


def test_map_without_boundaries_falls_back_to_tiles(tables):
    incidents, mentions, _ = tables
    page = _render(build_map(incidents, mentions, {}))
    assert "createPane('basemap')" not in page and "tile.openstreetmap.org" in page


# ---- real store, real boundaries -------------------------------------------------------------


@pytest.fixture(scope="module")
def real_tables(real_gazetteer_dir, tmp_path_factory):
    from geo.store import IncidentStore

    path = build_real_store(tmp_path_factory.mktemp("store"))
    with IncidentStore(path) as store:
        return store.incidents(), store.mentions()


def test_real_store_map(real_tables):
    incidents, mentions = real_tables
    assert len(incidents) > 20
    page = _render(build_map(incidents, mentions, URLS))
    rows = _rows(page)
    assert rows and all(-90 <= r["lat"] <= 90 and -180 <= r["lon"] <= 180 for r in rows)
    assert sum(r["n"] for r in rows) == (~incidents["precision"].isin(["admin1", "subregion", "country"])).sum()
    adm1_codes = set(incidents["adm1_iso"].dropna())
    assert any(f'"{code}":[' in page for code in adm1_codes)
    assert "<script>window.__xss" not in page


def test_real_basemap_files(real_gazetteer_dir, tmp_path):
    from geo.view.basemap import ensure_basemap

    urls = ensure_basemap(tmp_path)
    assert set(urls) == {"adm0", "adm1", "adm2"}
    adm1 = json.loads((tmp_path / "adm1.geojson").read_text())
    assert "crs" not in adm1 and len(adm1["features"]) > 3000
    props = adm1["features"][0]["properties"]
    assert set(props) <= {"admin1_iso", "iso3", "name"}
    assert any(f["properties"]["admin1_iso"] == "MX-SON" for f in adm1["features"])
    mtime = (tmp_path / "adm1.geojson").stat().st_mtime
    ensure_basemap(tmp_path)  # up to date: not rewritten
    assert (tmp_path / "adm1.geojson").stat().st_mtime == mtime


def test_unlocated_incidents_are_skipped_not_fatal(tables):
    incidents, mentions, _ = tables
    frame = incidents.copy()
    frame.loc[frame.index[:3], "geometry"] = None
    points = frame[frame["precision"] == "place"]
    rows, _, _, _ = time_rows(points, "event_date")
    assert rows["n"].sum() == len(points) - int(points.geometry.isna().sum())
    page = _render(build_map(frame, mentions, URLS))
    assert "L.markerClusterGroup" in page
    assert _render(build_map(frame.iloc[0:0], mentions.iloc[0:0], URLS))


def test_point_rows_carry_the_popup_fields_as_plain_text(tables):
    """The browser builds popups from compact columns: the most confident incident's name, date
    and (shortened) title per row, raw text (it is set with textContent), names and dates coded."""
    incidents, mentions, _ = tables
    hostile = incidents.copy()
    hostile.loc[hostile.index[0], ["title", "precision"]] = [HOSTILE_TITLE, "place"]
    hostile.loc[hostile.index[1], ["title", "precision"]] = ["x" * 300, "place"]
    rows = _rows(_render(build_map(hostile, mentions, URLS)))
    titles = [r["title"] for r in rows]
    # raw (escaping is the browser's textContent, not markup), cut to 70 characters
    assert (HOSTILE_TITLE if len(HOSTILE_TITLE) <= 70 else HOSTILE_TITLE[:69] + "…") in titles
    assert "x" * 69 + "…" in titles and not any(len(t) > 70 for t in titles)
    points = hostile[~hostile["precision"].isin(["admin1", "subregion", "country"])]
    assert {r["name"] for r in rows} == set(points["name"])
    assert {r["date"] for r in rows} == {str(d)[:10] for d in points["event_date"]}
    assert sum(r["incidents"] for r in rows) == len(points)


def test_our_elements_go_into_the_page_as_rendered_with_no_second_template_pass():
    """FinalTextMacro: a macro's output is final text (not compiled as a Jinja template again),
    so text that looks like a template stays as it is, in the page and in the frame's script."""
    from folium.template import Template
    from streamlit_folium import generate_leaflet_string

    from geo.view.elements import FinalTextMacro

    class Probe(FinalTextMacro):
        _template = Template("{% macro script(this, kwargs) %}var probe = '{{ this.text }}';{% endmacro %}")

        def __init__(self, text: str):
            super().__init__()
            self.text = text

    m = build_base_map(URLS)
    Probe("{{ 7 * 7 }} {% if true %}x{% endif %}").add_to(m)
    page = _render(m)
    assert "var probe = '{{ 7 * 7 }} {% if true %}x{% endif %}';" in page and "49" not in page.split("var probe")[1][:40]
    assert page.count("var probe") == 1
    assert "{{ 7 * 7 }}" in generate_leaflet_string(m)
