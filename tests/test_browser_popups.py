"""Map popups are built in the browser from plain fields: hostile article text stays text.

A standalone map page (the real store's incidents, one with a title carrying <script> and
<img onerror>) in Debian's Chromium, served from loopback with the real boundary files; a real
click on the incident's marker opens its popup.
"""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest
import shapely
from test_browser import browser, require_browser  # noqa: F401 - `browser` is a fixture used by name
from view_fixtures import build_real_store

from geo.view.assets import STATIC_DIR

pytestmark = pytest.mark.browser

HOSTILE = "<script>window.__xss='popup'</script><img src=x onerror=\"window.__xss='img';alert(1)\"> Raid"


@pytest.fixture(scope="module")
def map_page(real_gazetteer_dir, tmp_path_factory):
    require_browser()
    from geo.store import IncidentStore
    from geo.view.basemap import ensure_basemap
    from geo.view.mapview import MapOptions, build_map

    root = tmp_path_factory.mktemp("popups")
    basemap = root / "basemap"
    urls = {level: f"/app/static/basemap/{Path(url).name}" for level, url in ensure_basemap(basemap).items()}
    with IncidentStore(build_real_store(tmp_path_factory.mktemp("popupstore"))) as store:
        incidents = store.incidents()
    target = incidents.index[incidents["precision"] == "place"][0]
    # alone at its spot (shifted off any other incident), so the click finds it and no other
    point = incidents.loc[target, "geometry"]
    spot = shapely.Point(round(point.x + 0.0123, 4), round(point.y + 0.0123, 4))
    incidents.loc[target, ["title", "geometry"]] = [HOSTILE, spot]
    (root / "map.html").write_text(build_map(incidents, None, urls, MapOptions()).get_root().render(),
                                   encoding="utf-8")

    class Handler(http.server.SimpleHTTPRequestHandler):
        def translate_path(self, path: str) -> str:
            path = path.split("?")[0]
            if path.startswith("/app/static/basemap/"):
                return str(basemap / path.removeprefix("/app/static/basemap/"))
            if path.startswith("/app/static/"):
                return str(STATIC_DIR / path.removeprefix("/app/static/"))
            return super().translate_path(path)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/map.html", spot
    finally:
        server.shutdown()


def test_hostile_title_is_inert_in_the_popup(map_page, browser):  # noqa: F811 - the fixture
    url, spot = map_page
    page = browser.new_page(viewport={"width": 1000, "height": 700})
    try:
        external, dialogs = [], []
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("http://127.0.0.1")
                   else (external.append(r.request.url), r.abort()))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(url)
        page.wait_for_function("() => window.incidentTime && window.incidentTime.total > 0", timeout=60_000)
        map_name = page.evaluate("() => Object.keys(window).find(k => /^map_[0-9a-f]+$/.test(k))")
        # past the clustering zoom every incident is its own marker
        page.evaluate(f"() => {{ window['{map_name}'].setView([{spot.y}, {spot.x}], 15, {{animate: false}}); }}")
        page.wait_for_timeout(300)
        at = page.evaluate(f"() => window['{map_name}'].latLngToContainerPoint([{spot.y}, {spot.x}])")
        box = page.locator(".leaflet-container").bounding_box()
        page.mouse.click(box["x"] + at["x"], box["y"] + at["y"])
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for(timeout=10_000)
        text = popup.inner_text()
        assert "<script>window.__xss='popup'</script>" in text  # shown as text, not parsed
        assert "<img src=x onerror=" in text
        assert popup.locator("script, img").count() == 0
        assert popup.locator("b").count() == 1  # the popup's own markup: the place name in bold
        page.wait_for_timeout(300)
        assert page.evaluate("() => window.__xss === undefined") and dialogs == []
        assert external == []
    finally:
        page.close()
