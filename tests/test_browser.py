"""End to end in Debian's Chromium: the app on a real temp store, offline, driven by Playwright.

Every request that would leave localhost is aborted and recorded; the map must still draw.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from view_fixtures import build_real_store

from geo import paths
from geo.view.assets import missing_assets

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
STORE: dict[str, Path] = {}
VIEWPORT = {"width": 1440, "height": 900}
ARTIFACTS = paths.ROOT / "artifacts"
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
LOCAL_PREFIXES = ("http://127.0.0.1", "http://localhost", "ws://127.0.0.1", "ws://localhost", "data:", "blob:",
                  "about:")


def require_browser() -> None:
    """Skip (saying how to install it) when Chromium or the vendored Leaflet files are missing."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: `make browser` (scripts/ensure-chromium.sh) installs it")
    if missing := missing_assets():
        pytest.skip(f"Leaflet assets are missing ({', '.join(missing)}): run `geo assets`")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(real_gazetteer_dir, tmp_path_factory):
    require_browser()
    store = build_real_store(tmp_path_factory.mktemp("browserstore"))
    STORE["path"] = store
    with running_app(store, tmp_path_factory.mktemp("log") / "streamlit.log") as url:
        yield url


@contextlib.contextmanager
def running_app(store: Path, log_path: Path) -> Iterator[str]:
    """`streamlit run app.py` on a free loopback port over `store`; yields its URL, stops it after."""
    port = _free_port()
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(paths.ROOT / "app.py"), "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"],
            cwd=paths.ROOT, env={**os.environ, "GEO_STORE": str(store)}, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not start: {log_path.read_text()[-2000:]}")
                time.sleep(0.3)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    page = context.new_page()
    page.external_requests = []  # type: ignore[attr-defined]
    page.dialogs = []  # type: ignore[attr-defined]

    def route(r):
        if r.request.url.startswith(LOCAL_PREFIXES):
            r.continue_()
        else:
            page.external_requests.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    yield page
    context.close()


def _wait_for_app(page) -> None:
    page.wait_for_selector('[data-testid="stMetricValue"]', timeout=60_000)
    # the sidebar's widgets come on the run the mounted map asks for (the map paints first)
    page.wait_for_selector('section[data-testid="stSidebar"] [data-testid="stDateInput"]', state="attached",
                           timeout=90_000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)


def _incident_count(page) -> int:
    metric = page.locator('[data-testid="stMetric"]', has_text="Incidents").first
    return int(metric.locator('[data-testid="stMetricValue"]').inner_text().replace(",", ""))


# incident markers are circle markers with a white outline; area polygons are not
INCIDENT_MARKER = '.leaflet-overlay-pane path.leaflet-interactive[stroke="#ffffff"]'


def _click_marker_for_evidence(page, frame):
    """Click the incident marker until its evidence card shows.

    A click that lands while streamlit-folium is still wiring up the map is not reported to
    the app; clicking again is what an analyst would do too.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    marker = frame.locator(INCIDENT_MARKER).first
    marker.wait_for(timeout=30_000)
    card = page.locator(".evidence").first
    for attempt in range(3):
        marker.click(force=True)
        try:
            card.wait_for(timeout=20_000)
            return card
        except PlaywrightTimeout:
            if attempt == 2:
                raise
    return card


def _open_tab(page, name: str) -> None:
    tab = page.get_by_role("tab", name=name).first
    for _ in range(3):  # a click during a rerun's redraw may be lost: click until it is selected
        tab.click()
        try:
            page.wait_for_function(
                f"""() => [...document.querySelectorAll('[role=tab]')].some(
                    t => t.innerText.trim() === {json.dumps(name)} && t.getAttribute('aria-selected') === 'true')""",
                timeout=5_000)
            return
        except Exception:
            continue


def _map_frame(page):
    """The map's frame object (for evaluating JavaScript in it)."""
    page.locator(MAP_FRAME).first.wait_for(timeout=60_000)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for frame in page.frames:
            if "streamlit_folium" in frame.url:
                try:
                    if frame.evaluate("() => !!(window.map && window.incidentTime)"):
                        return frame
                except Exception:  # the frame is still loading
                    pass
        page.wait_for_timeout(200)
    raise AssertionError("the map frame never finished loading")


def _wait_for_map(page):
    # after a rerun the old map iframe lingers until the new one has mounted
    page.wait_for_function(f"() => document.querySelectorAll('{MAP_FRAME}').length === 1", timeout=60_000)
    frame = page.frame_locator(MAP_FRAME)
    frame.locator(".leaflet-container").wait_for(timeout=60_000)
    frame.locator(".marker-cluster, path.leaflet-interactive").first.wait_for(timeout=60_000)
    return frame


def test_map_draws_offline_and_date_brush_narrows(server, page):
    page.goto(server)
    _wait_for_app(page)
    frame = _wait_for_map(page)
    total = _incident_count(page)
    assert total > 20
    clusters = frame.locator(".marker-cluster").count()
    points = frame.locator("path.leaflet-interactive").count()
    assert clusters + points > 0, "incident markers or clusters are drawn"
    # area mentions (admin-1 / country) are SVG polygons; outlines are on a canvas underneath
    frame.locator(".leaflet-overlay-pane svg path").first.wait_for(timeout=30_000)
    frame.locator(".leaflet-basemap-pane canvas").first.wait_for(timeout=30_000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "app-full.png"), full_page=True)

    # brush part of the timeline: the date range and the count follow
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    chart.scroll_into_view_if_needed()
    for attempt in range(3):  # the chart may still be settling right after the first render
        box = chart.bounding_box()
        y = box["y"] + box["height"] * 0.45
        page.mouse.move(box["x"] + box["width"] * 0.55, y)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] * 0.75, y, steps=8)
        page.mouse.up()
        try:
            page.wait_for_function(f"""() => {{
                const m = [...document.querySelectorAll('[data-testid="stMetric"]')].find(e => e.innerText.includes('Incidents'));
                const v = m && m.querySelector('[data-testid="stMetricValue"]');
                return v && parseInt(v.innerText.replace(/,/g, '')) < {total};
            }}""", timeout=15_000)
            break
        except Exception:
            if attempt == 2:
                page.screenshot(path=str(ARTIFACTS / "brush-failed.png"), full_page=True)
                raise
    narrowed = _incident_count(page)
    assert 0 < narrowed < total
    # the rest of the page (table, map) has rerun with the new range too
    _open_tab(page, "Incidents")
    page.get_by_text(f"{narrowed:,} incidents under the current filters").wait_for(state="attached", timeout=30_000)
    _wait_for_app(page)
    assert "from=" in page.url and "to=" in page.url  # the URL carries the new range
    _wait_for_map(page).locator(".leaflet-basemap-pane canvas").first.wait_for(timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "app-narrowed.png"), full_page=True)
    assert page.external_requests == [], page.external_requests


def test_the_first_paint_loads_one_map_bundle_asked_for_early(server, page):
    """The page asks at once for the files the map's first paint waits for (geo/view/preload.py),
    and the map's frame loads Leaflet with its plugins as one script and one stylesheet."""
    page.goto(server)
    frame = _wait_for_map(page)
    links = page.evaluate("""() => [...document.head.querySelectorAll('link[rel=prefetch], link[rel=modulepreload]')]
        .map(l => [l.rel, new URL(l.href).pathname + new URL(l.href).search])""")
    prefetched = {href for rel, href in links if rel == "prefetch"}
    assert any(href.startswith("/static/js/ComponentInstance.") for rel, href in links if rel == "modulepreload")
    loaded = page.frame_locator(MAP_FRAME).locator("body").evaluate("""() => performance.getEntriesByType('resource')
        .map(e => new URL(e.name)).filter(u => u.pathname.startsWith('/app/static/vendor/'))
        .map(u => u.pathname + u.search)""")
    scripts = [u for u in loaded if u.split("?")[0].endswith(".js")]
    styles = [u for u in loaded if u.split("?")[0].endswith(".css")]
    assert len(scripts) == 1 and len(styles) == 1, loaded  # not leaflet, markercluster and heat apart
    assert set(scripts + styles) <= prefetched  # the frame loads the very files the page asked for
    assert frame.locator(".marker-cluster, path.leaflet-interactive").count() > 0
    assert page.evaluate("document.querySelectorAll('link[rel=prefetch]').length") == len(prefetched)  # once
    assert page.external_requests == [], page.external_requests


def test_panning_and_zooming_do_not_rerun_the_app(server, page):
    sent: list[int] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(len(payload))))
    page.goto(server + "/?q=__xss")  # one incident: one marker to click afterwards
    _wait_for_app(page)
    frame = _wait_for_map(page)
    page.wait_for_timeout(2000)  # let the map report its initial state
    before = len(sent)
    box = page.locator(MAP_FRAME).bounding_box()
    for start, end in ((0.3, 0.5), (0.5, 0.3)):  # pan away and back
        page.mouse.move(box["x"] + box["width"] * start, box["y"] + box["height"] * 0.5)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] * end, box["y"] + box["height"] * 0.5, steps=10)
        page.mouse.up()
        page.wait_for_timeout(500)
    frame.locator(".leaflet-control-zoom-in").click()
    page.wait_for_timeout(800)
    frame.locator(".leaflet-control-zoom-out").click()
    page.wait_for_timeout(2000)
    assert len(sent) == before, "a pan or zoom sent a rerun request to the server"
    # a click on the marker does rerun (to show its evidence)
    _click_marker_for_evidence(page, frame)
    assert len(sent) > before


def test_clicking_an_area_shows_its_evidence(server, page):
    # only area-level incidents (admin-1 / country precision): the map has polygons, no pins
    page.goto(server + "/?prec=3,4")
    _wait_for_app(page)
    frame = page.frame_locator(MAP_FRAME)
    area = frame.locator(".leaflet-overlay-pane svg path.leaflet-interactive").first
    area.wait_for(timeout=60_000)
    assert frame.locator(".marker-cluster").count() == 0
    area.click(force=True)
    card = page.locator(".evidence").first
    card.wait_for(timeout=30_000)
    assert card.locator("mark").count() >= 1  # the place is highlighted in the snippet
    assert "Precision" in card.inner_text()
    page.screenshot(path=str(ARTIFACTS / "app-evidence.png"), full_page=True)
    assert page.external_requests == []


def test_geojson_download_is_valid(server, page):
    page.goto(server + "/?country=MEX")
    _wait_for_app(page)
    count = _incident_count(page)
    _open_tab(page, "Download")
    button = page.locator('[data-testid="stDownloadButton"] button', has_text="GeoJSON").first
    button.scroll_into_view_if_needed()
    with page.expect_download(timeout=60_000) as info:
        button.click()
    download = info.value
    assert download.suggested_filename.startswith("incidents_") and download.suggested_filename.endswith(".geojson")
    doc = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection" and "crs" not in doc
    assert len(doc["features"]) == count
    for feature in doc["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        assert -180 <= lon <= 180 and -90 <= lat <= 90
        assert feature["properties"]["adm0_iso3"] == "MEX"
    assert page.external_requests == []


def _assert_inert(page, card) -> None:
    text = card.inner_text()
    assert "<script>window.__xss='title'" in text  # shown as text, not parsed
    assert "<script>window.__xss='text'" in text or "<img src=x onerror" in text
    assert card.locator("script, img").count() == 0
    assert card.locator("a").count() == 0  # its javascript: URL is not made a link
    page.wait_for_timeout(500)
    assert page.dialogs == []
    for frame in page.frames:
        assert frame.evaluate("() => window.__xss === undefined ? null : window.__xss") is None


def test_hostile_article_text_shows_literally_and_runs_nothing(server, page):
    page.goto(server + "/?q=__xss")
    _wait_for_app(page)
    assert _incident_count(page) == 1
    # 1. click it on the map: its popup (a point) or tooltip (an area) and the evidence card
    frame = _wait_for_map(page)
    # the incident marker (white outline), not an area polygon that may lie on top of it
    card = _click_marker_for_evidence(page, frame)
    popup = frame.locator(".leaflet-popup-content")
    if popup.count():  # the click's rerun may already have redrawn the map and closed it
        assert "<script>window.__xss='title'" in popup.first.inner_text()
        assert popup.first.locator("script, img").count() == 0
    _assert_inert(page, card)
    page.screenshot(path=str(ARTIFACTS / "app-escaped.png"), full_page=True)
    # 2. select the table row: the same card, from the table
    page.reload()
    _wait_for_app(page)
    _open_tab(page, "Incidents")
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)
    page.wait_for_function("() => location.search.includes('sel=')", timeout=30_000)
    _open_tab(page, "Evidence")
    card = page.locator(".evidence").first
    card.wait_for(timeout=30_000)
    _assert_inert(page, card)
    assert page.external_requests == []


def _labels(frame) -> list[str]:
    return frame.evaluate("() => [...document.querySelectorAll('.place-label')].map(e => e.textContent)")


def _set_view(frame, lat: float, lon: float, zoom: int) -> None:
    frame.evaluate(f"() => {{ window.map.setView([{lat}, {lon}], {zoom}, {{animate: false}}); return true; }}")


def test_map_first_layout_and_labelled_offline_basemap(server, page):
    page.goto(server)
    _wait_for_app(page)
    _wait_for_map(page)
    box = page.locator(MAP_FRAME).first.bounding_box()
    assert box["y"] < VIEWPORT["height"] * 0.25, box  # the map starts near the top of the first screen
    assert box["y"] + box["height"] <= VIEWPORT["height"] + 60, box  # and (nearly) all of it is in it
    assert box["width"] >= 0.65 * VIEWPORT["width"], box
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "map-first.png"))
    # no Deploy button, no toolbar menu
    assert page.get_by_role("button", name="Deploy").count() == 0
    frame = _map_frame(page)
    assert frame.evaluate("() => document.querySelectorAll('.leaflet-control-layers').length") == 0
    # zoom 4 over Mexico: capitals and big cities, from our own gazetteer
    _set_view(frame, 22.0, -101.0, 4)
    frame.wait_for_function("() => document.querySelectorAll('.place-label').length >= 5", timeout=30_000)
    # Natural Earth rivers and lakes (static files of our own), on their pane under the labels
    frame.wait_for_function("() => document.querySelectorAll('.leaflet-physical-pane canvas').length === 2",
                            timeout=30_000)
    at_4 = set(_labels(frame))
    assert frame.evaluate("() => document.querySelectorAll('.place-label-capital').length") >= 1
    page.wait_for_timeout(1000)  # the outline canvas redraws after the move
    page.screenshot(path=str(ARTIFACTS / "basemap-zoom4.png"))
    # zoom 8 over Sinaloa: towns appear that zoom 4 did not show, and admin-2 tiers load
    _set_view(frame, 24.8, -107.4, 8)
    frame.wait_for_function("() => document.querySelectorAll('.place-label-minor').length >= 3", timeout=30_000)
    at_8 = set(_labels(frame))
    assert at_8 - at_4, (at_4, at_8)
    page.wait_for_timeout(1000)
    page.screenshot(path=str(ARTIFACTS / "basemap-zoom8.png"))
    # 800 px wide: still usable, buttons keep whole, readable labels
    page.set_viewport_size({"width": 800, "height": 900})
    _open_tab(page, "Download")
    buttons = page.locator('[data-testid="stDownloadButton"] button')
    buttons.first.scroll_into_view_if_needed()
    labels = [b.inner_text().strip() for b in buttons.all()]
    assert set(labels) == {"GeoJSON", "CSV", "GPKG"}, labels
    assert all(b.evaluate("(el) => el.scrollWidth <= el.clientWidth + 1") for b in buttons.all())
    assert page.locator(MAP_FRAME).first.bounding_box()["width"] >= 400
    page.screenshot(path=str(ARTIFACTS / "narrow-800.png"))
    assert page.external_requests == [], page.external_requests


def _open_watched_map(page, url: str):
    """Open the app and its map; returns the map frame and the sizes of the messages the page
    sends to the app from now on (a rerun request is one)."""
    sent: list[int] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(len(payload))))
    page.goto(url)
    _wait_for_app(page)
    _wait_for_map(page)
    return _map_frame(page), sent


def test_time_scrubbing_and_playback_stay_in_the_browser(server, page):
    frame, sent = _open_watched_map(page, server)
    page.wait_for_timeout(1500)  # let the map report its first state
    frame.evaluate("() => { document.__probe = 'same-document'; }")
    before = len(sent)
    total = frame.evaluate("() => window.incidentTime.total")
    assert total > 10
    frame.locator(".time-mode").select_option("7")
    slider = frame.locator(".time-slider")
    shown = []
    last_day = frame.evaluate("() => window.incidentTime.lastDay")
    for day in (last_day // 4, last_day // 2, (3 * last_day) // 4):
        slider.evaluate(f"(el) => {{ el.value = {day}; el.dispatchEvent(new Event('input')); }}")
        label = frame.locator(".time-label").inner_text()
        shown.append((label, frame.evaluate("() => window.incidentTime.state.count")))
    assert len({label for label, _ in shown}) == 3  # the visible dates follow the slider
    assert all(count < total for _, count in shown)
    assert all(f"{count} of" in label.replace(",", "") for label, count in shown)
    page.screenshot(path=str(ARTIFACTS / "time-window.png"))
    # playback: the step, the dates and the count move on their own
    frame.locator(".time-play").click()
    page.wait_for_timeout(2500)
    frame.locator(".time-play").click()
    assert frame.locator(".time-label").inner_text() != shown[-1][0]
    # same frame document, still one map frame, nothing sent to the app
    assert frame.evaluate("() => document.__probe") == "same-document"
    assert page.locator(MAP_FRAME).count() == 1
    assert len(sent) == before, "scrubbing or playback sent a rerun request"
    assert page.external_requests == []


# area mentions and choropleths: SVG polygons drawn by js/mapdata.js (incident markers have a white outline)
AREA_PATH = '.leaflet-overlay-pane path.leaflet-interactive:not([stroke="#ffffff"])'
# how many are shown (an area with nothing in the time bar's window is hidden)
SHOWN_AREAS = f"() => [...document.querySelectorAll('{AREA_PATH}')].filter(e => e.style.display !== 'none').length"


def test_areas_follow_the_time_bar_and_a_filter_change_redraws_in_place(server, page):
    frame, sent = _open_watched_map(page, server)
    frame.wait_for_function(SHOWN_AREAS + " > 0", timeout=30_000)
    page.wait_for_timeout(1500)
    frame.evaluate("() => { document.__probe = 'same-document'; }")
    every = frame.evaluate(SHOWN_AREAS)
    before = len(sent)
    # scrub a 1-day window through the period: the areas drawn change with the window
    frame.locator(".time-mode").select_option("1")
    last_day = frame.evaluate("() => window.incidentTime.lastDay")
    drawn = {}
    for day in range(0, last_day + 1, max(1, last_day // 12)):
        frame.locator(".time-slider").evaluate(f"(el) => {{ el.value = {day}; el.dispatchEvent(new Event('input')); }}")
        drawn[day] = frame.evaluate(SHOWN_AREAS)
    assert len(set(drawn.values())) > 1, drawn
    assert min(drawn.values()) < every, (every, drawn)
    frame.locator(".time-mode").select_option("all")
    assert frame.evaluate(SHOWN_AREAS) == every
    assert len(sent) == before, "scrubbing the areas sent a rerun request"
    # a filter change: the app sends new data and the mounted map redraws it, without a reload
    key = frame.evaluate("() => window.map.__incidentData.key")
    page.locator('section[data-testid="stSidebar"] label', has_text="Publication date").first.click()
    frame.wait_for_function("(k) => window.map.__incidentData.key !== k", arg=key, timeout=60_000)
    frame.wait_for_function(SHOWN_AREAS + " > 0", timeout=30_000)
    assert frame.evaluate("() => document.__probe") == "same-document"
    assert page.locator(MAP_FRAME).count() == 1
    page.screenshot(path=str(ARTIFACTS / "filter-change-in-place.png"))
    assert page.external_requests == []


def test_narrow_screen_starts_with_the_sidebar_collapsed(server, browser):
    context = browser.new_context(viewport={"width": 800, "height": 900})
    external: list[str] = []
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(LOCAL_PREFIXES)
                  else (external.append(r.request.url), r.abort()))
    page = context.new_page()
    page.goto(server)
    _wait_for_app(page)
    sidebar = 'section[data-testid="stSidebar"]'
    page.wait_for_function(f"() => document.querySelector('{sidebar}').getAttribute('data-collapsed') === 'true'",
                           timeout=30_000)
    _wait_for_map(page)
    page.screenshot(path=str(ARTIFACTS / "narrow-800-collapsed.png"))
    # the map takes the width the sidebar gave up (once the sidebar's slide-out has finished)
    page.wait_for_function(f"() => document.querySelector('{MAP_FRAME}').getBoundingClientRect().width >= 0.85 * 800",
                           timeout=10_000)
    _open_tab(page, "Download")
    buttons = page.locator('[data-testid="stDownloadButton"] button')
    buttons.first.scroll_into_view_if_needed()
    assert {b.inner_text().strip() for b in buttons.all()} == {"GeoJSON", "CSV", "GPKG"}
    assert all(b.evaluate("(el) => el.scrollWidth <= el.clientWidth + 1") for b in buttons.all())
    # the analyst opens it again: it stays open across reruns (collapsed once, on load)
    page.locator('[data-testid="stExpandSidebarButton"]').first.click()
    page.wait_for_function(f"() => document.querySelector('{sidebar}').getAttribute('data-collapsed') === 'false'",
                           timeout=10_000)
    page.locator(f"{sidebar} label", has_text="Publication date").first.click()
    page.wait_for_timeout(3000)
    assert page.locator(sidebar).first.get_attribute("data-collapsed") == "false"
    assert external == []
    context.close()


def _some_point_incident() -> dict:
    from geo.store import IncidentStore

    with IncidentStore(STORE["path"]) as store:
        incidents = store.incidents()
    points = incidents[(incidents["precision"] == "place") & ~incidents["title"].str.contains("script")]
    where = points.geometry.apply(lambda g: (round(g.x, 3), round(g.y, 3)))
    alone = points[~where.duplicated(keep=False)]  # one marker, not a cluster, at any zoom
    row = alone.iloc[len(alone) // 2]
    return {"id": str(row["incident_id"]), "title": str(row["title"]), "lat": row.geometry.y, "lon": row.geometry.x}


def test_table_and_map_are_linked(server, page):
    target = _some_point_incident()
    page.goto(server)
    _wait_for_app(page)
    _wait_for_map(page)
    frame = _map_frame(page)
    # table -> map: choose the row, the map pans to it and rings it, the URL names it
    _open_tab(page, "Incidents")
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.wait_for(timeout=30_000)
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    # the grid is a canvas: pick a row by its position, then read which incident the URL names
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17 + 35 * 2)  # third row
    page.wait_for_function("() => location.search.includes('sel=')", timeout=30_000)
    selected = page.evaluate("() => new URLSearchParams(location.search).get('sel')")
    frame.wait_for_function("() => document.querySelectorAll('.selected-ring').length === 1", timeout=30_000)
    ring = frame.evaluate("""() => { let c = null; window.map.eachLayer(l => {
        if (l.options && l.options.className === 'selected-ring') { c = l.getLatLng(); } }); return c; }""")
    center = frame.evaluate("() => window.map.getCenter()")
    assert abs(center["lat"] - ring["lat"]) < 0.05 and abs(center["lng"] - ring["lng"]) < 0.05
    page.screenshot(path=str(ARTIFACTS / "table-to-map.png"))
    # map -> table and evidence: click a marker; the evidence shows and the row is first and marked
    _open_tab(page, "Evidence")
    _set_view(frame, target["lat"], target["lon"], 12)
    frame.wait_for_function("() => document.querySelectorAll('" + INCIDENT_MARKER.replace("'", "\\'") + "').length > 0",
                            timeout=30_000)
    page.locator(MAP_FRAME).first.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    point = frame.evaluate(f"() => window.map.latLngToContainerPoint([{target['lat']}, {target['lon']}])")
    box = page.locator(MAP_FRAME).first.bounding_box()
    for _ in range(3):  # a click while the map is still wiring up is not reported; click again
        page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
        try:
            page.wait_for_function(f"() => new URLSearchParams(location.search).get('sel') === {json.dumps(target['id'])}",
                                   timeout=15_000)
            break
        except Exception:
            continue
    assert page.evaluate("() => new URLSearchParams(location.search).get('sel')") == target["id"] != selected
    page.get_by_text(target["title"][:30]).first.wait_for(timeout=30_000)  # its evidence card
    _open_tab(page, "Incidents")
    page.get_by_text("●").first.wait_for(state="attached", timeout=30_000)
    assert page.locator(MAP_FRAME).count() == 1
    assert page.external_requests == []


def test_url_round_trip_of_view_and_selection(server, page, browser):
    target = _some_point_incident()
    page.goto(f"{server}/?sel={target['id']}&view={target['lat']:.4f},{target['lon']:.4f},8&layers=points,heat")
    _wait_for_app(page)
    _wait_for_map(page)
    frame = _map_frame(page)
    center, zoom = frame.evaluate("() => window.map.getCenter()"), frame.evaluate("() => window.map.getZoom()")
    assert zoom == 8 and abs(center["lat"] - target["lat"]) < 0.01 and abs(center["lng"] - target["lon"]) < 0.01
    frame.wait_for_function("() => document.querySelectorAll('.selected-ring').length === 1", timeout=30_000)
    page.locator(".evidence").first.wait_for(timeout=30_000)
    assert target["title"][:30] in page.locator(".evidence").first.inner_text()
    # the analyst pans and zooms: the URL follows in the browser, and a new tab opens the same screen
    _set_view(frame, target["lat"] + 1.0, target["lon"] - 1.0, 6)
    page.wait_for_function("() => new URLSearchParams(location.search).get('view').endsWith(',6')", timeout=10_000)
    shared = page.url
    assert "sel=" in shared and "layers=points%2Cheat" in shared or "layers=points,heat" in shared
    again = browser.new_context(viewport=VIEWPORT).new_page()
    again.route("**/*", lambda r: r.continue_() if r.request.url.startswith(LOCAL_PREFIXES) else r.abort())
    again.goto(shared)
    _wait_for_app(again)
    other = _map_frame(again)
    c2, z2 = other.evaluate("() => window.map.getCenter()"), other.evaluate("() => window.map.getZoom()")
    assert z2 == 6 and abs(c2["lat"] - (target["lat"] + 1.0)) < 0.01
    assert other.evaluate("() => document.querySelectorAll('.selected-ring').length") == 1
    again.screenshot(path=str(ARTIFACTS / "url-round-trip.png"))
    again.context.close()


def test_upload_ingests_with_progress_and_lists_rejects(server, page, tmp_path):
    # dated after everything in the store: it must show up at once, without a reload
    good = {"id": "upload-1", "title": "Flooding closes roads in Hermosillo", "source": "Upload Test",
            "url": "https://example.org/upload-1", "published": "2025-03-20",
            "text": "HERMOSILLO, Mexico (Upload Test) - Flooding closed roads in Hermosillo, Sonora, on Thursday."}
    batch = tmp_path / "batch.jsonl"
    batch.write_text(json.dumps(good) + "\n" + '{"id": "broken", "title": "no text field"}\n' + "not json\n",
                     encoding="utf-8")
    page.goto(server)
    _wait_for_app(page)
    before = _incident_count(page)
    _open_tab(page, "Add articles")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(batch))
    page.get_by_role("button", name="Ingest").click()
    page.get_by_text("stored 1,").first.wait_for(timeout=120_000)
    page.get_by_text("2 rejected").first.wait_for(timeout=30_000)
    page.get_by_text("batch.jsonl:2").first.wait_for(timeout=30_000)  # the analyst's file name, line 2
    assert "/tmp" not in page.locator('[data-testid="stTable"]').first.inner_text()
    page.get_by_text("batch.jsonl:3").first.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "app-upload.png"), full_page=True)
    # no reload: the headline count, the date span and the URL follow the new article
    page.wait_for_function(f"""() => {{
        const m = [...document.querySelectorAll('[data-testid="stMetric"]')].find(e => e.innerText.includes('Incidents'));
                const v = m && m.querySelector('[data-testid="stMetricValue"]');
        return v && parseInt(v.innerText.replace(/,/g, '')) === {before + 1};
    }}""", timeout=60_000)
    assert "2025" in page.locator('[data-testid="stMetricValue"]').nth(3).inner_text()
    assert "to=" not in page.url
    assert page.external_requests == []
