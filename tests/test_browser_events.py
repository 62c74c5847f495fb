"""In Debian's Chromium, offline: a multi-source incident of the sample store (data/README.md: three
outlets on one Culiacán gunfight) is picked on the map, and the evidence panel lists all its
sources with why each joined; the map counts articles when the URL says so.

Every request that would leave localhost is aborted and recorded (as in tests/test_browser.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_browser import (  # noqa: F401 - `browser` and `page` are fixtures used by name
    ARTIFACTS,
    CHROMIUM,
    INCIDENT_MARKER,
    MAP_FRAME,
    _map_frame,
    _open_tab,
    _set_view,
    _wait_for_app,
    _wait_for_map,
    browser,
    page,
    require_browser,
    running_app,
)
from view_fixtures import build_real_store

pytestmark = pytest.mark.browser

EVENT_FILES = ("2024-q4.jsonl",)
GUNFIGHT_REPORTS = {"sample-0076", "sample-0079", "sample-0080"}  # data/README.md


@pytest.fixture(scope="module")
def events_store(real_gazetteer_dir, tmp_path_factory) -> Path:
    require_browser()
    return build_real_store(tmp_path_factory.mktemp("eventsbrowser"), files=EVENT_FILES)


@pytest.fixture(scope="module")
def events_server(events_store, tmp_path_factory):
    with running_app(events_store, tmp_path_factory.mktemp("eventslog") / "streamlit.log") as url:
        yield url


def _gunfight_and_point_articles(store: Path) -> tuple[dict, int]:
    """The gunfight incident, and how many articles report the point incidents the app shows."""
    from geo.counts import unit_weights
    from geo.filters import Filters
    from geo.store import IncidentStore
    from geo.view.layers import split_points_areas

    with IncidentStore(store) as s:
        incidents = s.incidents(Filters())
    holds = incidents["article_ids"].map(lambda ids: GUNFIGHT_REPORTS <= set(json.loads(ids or "[]")))
    assert holds.sum() == 1
    row = incidents[holds].iloc[0]
    points, _ = split_points_areas(incidents[incidents.geometry.notna()])
    gunfight = {"id": str(row["incident_id"]), "lat": row.geometry.y, "lon": row.geometry.x,
                "day": str(row["event_date"])[:10]}
    return gunfight, int(unit_weights(points, "articles").sum())


def test_multi_source_incident_shows_every_source_and_why(events_server, events_store, page):  # noqa: F811
    gunfight, point_articles = _gunfight_and_point_articles(events_store)
    page.goto(f"{events_server}/?count=articles")
    _wait_for_app(page)
    _wait_for_map(page)
    frame = _map_frame(page)
    # the map counts articles: the time bar's total is the articles of the point incidents
    assert frame.evaluate("() => window.incidentTime.total") == point_articles
    assert frame.locator(".time-label").inner_text().endswith("point articles")
    # only the gunfight's day on the map (its town has other incidents on other days), zoomed in
    found = frame.evaluate("""(target) => { const t = window.incidentTime; t.setMode('1');
        for (let d = 0; d <= t.lastDay; d++) {
            t.setDay(d); if (document.querySelector('.time-date').textContent === target) { return d; } }
        return -1; }""", gunfight["day"])
    assert found >= 0
    _open_tab(page, "Evidence")
    _set_view(frame, gunfight["lat"], gunfight["lon"], 12)
    frame.wait_for_function("() => document.querySelectorAll('" + INCIDENT_MARKER.replace("'", "\\'")
                            + "').length > 0", timeout=30_000)
    page.locator(MAP_FRAME).first.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    point = frame.evaluate(f"() => window.map.latLngToContainerPoint([{gunfight['lat']}, {gunfight['lon']}])")
    box = page.locator(MAP_FRAME).first.bounding_box()
    sources = page.locator('.incident-sources:has(li.source[data-article="sample-0079"])').first
    for attempt in range(3):  # a click while the map is still wiring up is not reported; click again
        page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
        try:
            sources.wait_for(timeout=20_000)
            break
        except Exception:
            if attempt == 2:
                raise
    items = sources.locator("li.source")
    assert items.count() == 3
    assert {items.nth(i).get_attribute("data-article") for i in range(3)} == GUNFIGHT_REPORTS
    text = sources.inner_text()
    assert "Sources (3)" in text and text.count("Why it joined: matches sample-") == 3
    assert text.count("score 0.") == 3 and "Culiacán" in text
    links = [items.nth(i).locator("a").first.get_attribute("href") for i in range(3)]
    assert all(link.startswith("https://") for link in links)
    sources.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "evidence-sources.png"))
    assert page.external_requests == []
