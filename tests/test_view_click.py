"""Map clicks -> the incidents whose evidence the side panel shows."""

from __future__ import annotations

import re

import pytest
from view_fixtures import synthetic_store_tables

from geo.view.mapview import MapOptions, build_map
from geo.view.panels import evidence_for_click

URLS = {lvl: f"/app/static/basemap/{lvl}.geojson" for lvl in ("adm0", "adm1")}


@pytest.fixture(scope="module")
def tables():
    return synthetic_store_tables()


def _tooltips(page: str) -> list[str]:
    return re.findall(r"\[((?:unit|area|region):[^\]]+)\]", page)


def test_tooltip_codes_in_the_map_are_understood(tables):
    incidents, mentions, _ = tables
    options = MapOptions.from_layers(("points", "areas", "adm1", "adm0"))
    page = build_map(incidents, mentions, URLS, options).get_root().render()
    codes = set(_tooltips(page))
    assert {"unit:MX-SON", "area:MX-SON", "unit:MEX", "area:MEX"} <= codes
    region = next(c for c in codes if c.startswith("region:"))
    for code in codes:
        hits = evidence_for_click(incidents, {"last_object_clicked_tooltip": f"X — 2 incidents [{code}]"})
        assert len(hits) > 0, code
    regions = evidence_for_click(incidents, {"last_object_clicked_tooltip": f"[{region}]"})
    assert set(regions["precision"]) == {"subregion"}


def test_unit_lists_everything_inside_area_only_the_area_mentions(tables):
    incidents, _, _ = tables
    unit = evidence_for_click(incidents, {"last_object_clicked_tooltip": "Sonora — 5 incidents [unit:MX-SON]"})
    area = evidence_for_click(incidents, {"last_object_clicked_tooltip": "Sonora — 2 mentions [area:MX-SON]"})
    assert set(unit["adm1_iso"]) == {"MX-SON"} and len(unit) == (incidents["adm1_iso"] == "MX-SON").sum()
    assert set(area["precision"]) == {"admin1"} and len(area) < len(unit)


def test_point_click_finds_the_incidents_at_that_spot(tables):
    incidents, _, _ = tables
    hermosillo = incidents[incidents["name"] == "Hermosillo"]
    hits = evidence_for_click(incidents, {"last_object_clicked": {"lat": 29.07, "lng": -110.96}})
    assert set(hits["incident_id"]) == set(hermosillo["incident_id"]) and len(hits) > 0
    assert evidence_for_click(incidents, {"last_object_clicked": {"lat": 0.0, "lng": 0.0}}).empty


def test_no_click_or_unknown_code_selects_nothing(tables):
    incidents, _, _ = tables
    assert evidence_for_click(incidents, None).empty
    assert evidence_for_click(incidents, {"last_object_clicked": None}).empty
    assert evidence_for_click(incidents, {"last_object_clicked_tooltip": "[unit:ZZ-NOPE]"}).empty
