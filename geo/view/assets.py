"""Leaflet and its plugins served by the app itself, so the map draws with no internet.

Streamlit serves only a `static/` folder next to the main script (at `/app/static/...`), so the
pinned npm packages are unpacked into `static/vendor/<package>/` by `geo assets`. Folium and its
plugins list CDN URLs in `default_js`/`default_css`; `localize_assets` rewrites every one of them
to a local copy and drops the ones the map does not use (jQuery, Bootstrap, awesome-markers).
Leaflet and the plugins the map uses are served as one script and one stylesheet (`ensure_bundles`,
written next to leaflet.css on first use): streamlit-folium loads a map's scripts one after the
other, so three files cost the first paint three round trips.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
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

# One file per kind, in load order: the first member's link becomes the bundle's, the others are
# dropped (every element that lists a plugin sits on a folium Map, which lists Leaflet first).
# Next to leaflet.css, whose relative url(images/...) must keep resolving.
BUNDLES: dict[str, tuple[str, ...]] = {
    "leaflet/dist/map-bundle.js": ("leaflet", "markerclusterjs", "leaflet-heat.js"),
    "leaflet/dist/map-bundle.css": ("leaflet_css", "markerclustercss", "markerclusterdefaultcss"),
}


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


def bundle_text(vendor_dir: Path, members: tuple[str, ...]) -> str:
    """The members' files joined in order (source-map comments dropped: they would point wrong)."""
    parts = []
    for name in members:
        text = (vendor_dir / str(LOCAL_RESOURCES[name])).read_text(encoding="utf-8")
        parts.append("\n".join(line for line in text.splitlines() if not line.startswith("//# sourceMappingURL=")))
    separator = "\n;\n" if members and str(LOCAL_RESOURCES[members[0]]).endswith(".js") else "\n"
    return separator.join(parts) + "\n"


@lru_cache(maxsize=8)
def _bundles(vendor_dir: Path, stamps: tuple) -> dict[str, str]:
    del stamps  # keys the cache: a new install of the vendored files makes new bundles
    urls: dict[str, str] = {}
    for relative, members in BUNDLES.items():
        text = bundle_text(vendor_dir, members)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
        target = vendor_dir / relative
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            # written aside, then renamed: a page loading the bundle meanwhile never sees half of it
            partial = target.with_name(f".{target.name}.{os.getpid()}")
            partial.write_text(text, encoding="utf-8")
            os.replace(partial, target)
        # the digest in the URL: a browser never runs a stale bundle from its cache
        for name in members:
            urls[name] = f"{local_url(relative)}?v={digest}" if name == members[0] else ""
    return urls


def ensure_bundles(vendor_dir: Path = VENDOR_DIR) -> dict[str, str]:
    """Folium resource name -> its bundle's URL ("" for the members after the first: dropped).

    Empty when the vendored files are missing or the bundles cannot be written: each file is
    then linked on its own, as folium lists them.
    """
    sources = [vendor_dir / str(LOCAL_RESOURCES[n]) for members in BUNDLES.values() for n in members]
    try:
        stamps = tuple((p.stat().st_mtime_ns, p.stat().st_size) for p in sources)
        return _bundles(vendor_dir, stamps)
    except OSError:
        return {}


def _localize(resources: list[tuple[str, str]]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    bundled = ensure_bundles()
    for name, url in resources:
        if name not in LOCAL_RESOURCES:
            # fail loudly rather than silently ship a CDN URL to an offline browser
            raise UnknownAssetError(f"no local copy for folium resource {name!r} ({url})")
        relative = LOCAL_RESOURCES[name]
        if name in bundled:
            if bundled[name]:
                out.append((name, bundled[name]))
        elif relative is not None:
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
