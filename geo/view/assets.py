"""Leaflet and its plugins served by the app itself, so the map draws with no internet.

Streamlit serves only a `static/` folder next to the main script (at `/app/static/...`), so the
pinned npm packages are unpacked into `static/vendor/<package>/` by `geo assets`. Folium and its
plugins list CDN URLs in `default_js`/`default_css`; `localize_assets` rewrites every one of them
to a local copy and drops the ones the map does not use (jQuery, Bootstrap, awesome-markers).
"""

from __future__ import annotations

import json
from pathlib import Path

import folium
import folium.elements

from geo import paths
from geo.errors import GeoError

# The npm packages the map serves, pinned (name -> version).
PINNED_NPM: dict[str, str] = {
    "leaflet": "1.9.4",
    "leaflet.markercluster": "1.5.3",
    "leaflet.heat": "0.2.0",
}

STATIC_DIR: Path = paths.ROOT / "static"
VENDOR_DIR: Path = STATIC_DIR / "vendor"
VENDOR_MANIFEST: Path = VENDOR_DIR / "manifest.json"
# Streamlit's URL for STATIC_DIR; absolute so it also works inside the component iframe.
STATIC_URL = "/app/static"

# folium resource name -> file under VENDOR_DIR. None means: not used by our map, drop it.
LOCAL_RESOURCES: dict[str, str | None] = {
    "leaflet": "leaflet/dist/leaflet.js",
    "leaflet_css": "leaflet/dist/leaflet.css",
    "markerclusterjs": "leaflet.markercluster/dist/leaflet.markercluster.js",
    "markerclustercss": "leaflet.markercluster/dist/MarkerCluster.css",
    "markerclusterdefaultcss": "leaflet.markercluster/dist/MarkerCluster.Default.css",
    "leaflet-heat.js": "leaflet.heat/dist/leaflet-heat.js",
    # folium's Map defaults we do not need: no awesome-markers icons, no Bootstrap widgets.
    "jquery": None,
    "bootstrap": None,
    "bootstrap_css": None,
    "glyphicons_css": None,
    "awesome_markers": None,
    "awesome_markers_font_css": None,
    "awesome_markers_css": None,
    "awesome_rotate_css": None,
}

# Files that must exist for the map to draw offline.
REQUIRED_FILES: list[str] = sorted({f for f in LOCAL_RESOURCES.values() if f})


class UnknownAssetError(GeoError, KeyError):
    """A folium element asked for a CDN resource we have no local copy of."""


def local_url(relative: str) -> str:
    return f"{STATIC_URL}/vendor/{relative}"


def missing_assets(vendor_dir: Path = VENDOR_DIR) -> list[str]:
    """Required vendor files that are not on disk (empty when `geo assets` has run)."""
    return [f for f in REQUIRED_FILES if not (vendor_dir / f).is_file()]


def installed_versions(manifest: Path = VENDOR_MANIFEST) -> dict[str, str]:
    if not manifest.is_file():
        return {}
    data = json.loads(manifest.read_text(encoding="utf-8"))
    return {name: entry["version"] for name, entry in data.get("packages", {}).items()}


def _localize(resources: list[tuple[str, str]]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for name, url in resources:
        if name not in LOCAL_RESOURCES:
            # fail loudly rather than silently ship a CDN URL to an offline browser
            raise UnknownAssetError(f"no local copy for folium resource {name!r} ({url})")
        relative = LOCAL_RESOURCES[name]
        if relative is not None:
            out.append((name, local_url(relative)))
    return out


def localize_assets(root: folium.Element) -> folium.Element:
    """Point every JS/CSS link of `root` and its descendants at the app's own copies (in place)."""
    stack = [root]
    while stack:
        element = stack.pop()
        if isinstance(element, folium.elements.JSCSSMixin):
            # instance attributes shadow the class lists, so other maps are unaffected
            element.default_js = _localize(list(getattr(element, "default_js", [])))
            element.default_css = _localize(list(getattr(element, "default_css", [])))
        stack.extend(getattr(element, "_children", {}).values())
    return root
