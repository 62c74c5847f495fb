"""End to end in Debian's Chromium: the app on a real temp store, offline, driven by Playwright.

Every request that would leave localhost is aborted and recorded; the map must still draw.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from view_fixtures import build_real_store

from geo import paths
from geo.view.assets import missing_assets

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = paths.ROOT / "artifacts"
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
LOCAL_PREFIXES = ("http://127.0.0.1", "http://localhost", "ws://127.0.0.1", "ws://localhost", "data:", "blob:",
                  "about:")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(real_gazetteer_dir, tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: `make browser` (scripts/ensure-chromium.sh) installs it")
    if missing := missing_assets():
        pytest.skip(f"Leaflet assets are missing ({', '.join(missing)}): run `geo assets`")
    store = build_real_store(tmp_path_factory.mktemp("browserstore"))
    port = _free_port()
    log = open(tmp_path_factory.mktemp("log") / "streamlit.log", "w")
    env = {**os.environ, "GEO_STORE": str(store)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(paths.ROOT / "app.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=paths.ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
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
                raise RuntimeError(f"streamlit did not start: {Path(log.name).read_text()[-2000:]}")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


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
    context = browser.new_context(viewport={"width": 1500, "height": 1400}, accept_downloads=True)
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
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)


def _incident_count(page) -> int:
    return int(page.locator('[data-testid="stMetricValue"]').first.inner_text().replace(",", ""))


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
                const v = document.querySelector('[data-testid="stMetricValue"]');
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
    page.get_by_role("heading", name=f"Incidents ({narrowed})").wait_for(timeout=30_000)
    _wait_for_app(page)
    assert "from=" in page.url and "to=" in page.url  # the URL carries the new range
    _wait_for_map(page).locator(".leaflet-basemap-pane canvas").first.wait_for(timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "app-narrowed.png"), full_page=True)
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
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)
    card = page.locator(".evidence").first
    card.wait_for(timeout=30_000)
    _assert_inert(page, card)
    assert page.external_requests == []


def test_upload_ingests_with_progress_and_lists_rejects(server, page, tmp_path):
    good = {"id": "upload-1", "title": "Flooding closes roads in Hermosillo", "source": "Upload Test",
            "url": "https://example.org/upload-1", "published": "2024-06-20",
            "text": "HERMOSILLO, Mexico (Upload Test) - Flooding closed roads in Hermosillo, Sonora, on Thursday."}
    batch = tmp_path / "batch.jsonl"
    batch.write_text(json.dumps(good) + "\n" + '{"id": "broken", "title": "no text field"}\n' + "not json\n",
                     encoding="utf-8")
    page.goto(server)
    _wait_for_app(page)
    before = _incident_count(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(batch))
    page.get_by_role("button", name="Ingest").click()
    page.get_by_text("stored 1,").first.wait_for(timeout=120_000)
    page.get_by_text("2 rejected").first.wait_for(timeout=30_000)
    page.get_by_text("batch.jsonl:2").first.wait_for(timeout=30_000)  # the analyst's file name, line 2
    assert "/tmp" not in page.locator('[data-testid="stTable"]').first.inner_text()
    page.get_by_text("batch.jsonl:3").first.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "app-upload.png"), full_page=True)
    page.reload()
    _wait_for_app(page)
    assert _incident_count(page) == before + 1
    assert page.external_requests == []
