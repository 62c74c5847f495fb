"""Local Leaflet assets: every folium CDN link is replaced, `geo assets` installs the pins."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile

import folium
import pytest
from folium.plugins import HeatMap, MarkerCluster

from geo.cli import assets_cmd
from geo.view.assets import (
    BUNDLES,
    LOCAL_RESOURCES,
    PINNED_NPM,
    REQUIRED_FILES,
    VENDOR_DIR,
    UnknownAssetError,
    ensure_bundles,
    installed_versions,
    localize_assets,
    missing_assets,
)


def test_localize_rewrites_and_drops_cdn_links():
    m = folium.Map(tiles=None)
    MarkerCluster().add_to(m)
    HeatMap([[0, 0, 1]]).add_to(m)
    page = localize_assets(m).get_root().render()
    assert "cdn" not in page and "jquery" not in page.lower() and "bootstrap" not in page.lower()
    bundled = ensure_bundles()
    if bundled:  # Leaflet and the plugins as one script and one stylesheet (the vendored files exist)
        assert bundled["leaflet"] in page and bundled["leaflet_css"] in page
        assert "leaflet.markercluster.js" not in page and "leaflet-heat.js" not in page
    else:
        assert "/app/static/vendor/leaflet/dist/leaflet.js" in page
    # other maps keep folium's own defaults (instance attributes, not class patches)
    assert "cdn.jsdelivr.net" in folium.Map(tiles=None).get_root().render()


def test_unknown_cdn_resource_fails_loudly():
    m = folium.Map(tiles=None)
    folium.plugins.Draw().add_to(m)
    with pytest.raises(UnknownAssetError, match="leaflet_draw"):
        localize_assets(m)


def test_missing_assets_lists_required_files(tmp_path):
    assert missing_assets(tmp_path) == REQUIRED_FILES
    for f in REQUIRED_FILES:
        (tmp_path / f).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / f).write_text("x")
    assert missing_assets(tmp_path) == []


def _tgz(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def test_safe_extract_strips_package_prefix_and_refuses_escapes(tmp_path):
    good = tmp_path / "good.tgz"
    good.write_bytes(_tgz({"package/dist/a.js": b"ok"}))
    assets_cmd._safe_extract(good, tmp_path / "out")
    assert (tmp_path / "out" / "dist" / "a.js").read_bytes() == b"ok"
    bad = tmp_path / "bad.tgz"
    bad.write_bytes(_tgz({"package/../../evil.js": b"no"}))
    with pytest.raises(ValueError, match="unsafe path"):
        assets_cmd._safe_extract(bad, tmp_path / "out2")
    assert not (tmp_path / "evil.js").exists()


def test_install_is_a_no_op_when_pinned_versions_are_present(tmp_path, monkeypatch):
    manifest = {"packages": {n: {"version": v, "sha256": "x"} for n, v in PINNED_NPM.items()}}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    for name in PINNED_NPM:
        (tmp_path / name).mkdir()
    monkeypatch.setattr(assets_cmd.subprocess, "run", lambda *a, **k: pytest.fail("npm must not run"))
    assert assets_cmd.install(tmp_path) == manifest["packages"]


def test_installed_vendor_assets_match_the_pins():
    """The real install (make test runs `geo assets` first)."""
    if not VENDOR_DIR.exists():
        pytest.skip("static/vendor is absent: run `geo assets`")
    assert missing_assets() == []
    assert installed_versions() == PINNED_NPM
    leaflet = (VENDOR_DIR / "leaflet" / "package.json").read_text()
    assert json.loads(leaflet)["version"] == PINNED_NPM["leaflet"]


def test_bundles_join_the_vendored_files_in_load_order(tmp_path):
    """Each bundle holds its members' text in order (Leaflet before the plugins that extend it);
    a changed member makes a new bundle under a new URL; without the files, no bundle."""
    assert ensure_bundles(tmp_path) == {}
    for members in BUNDLES.values():
        for name in members:
            path = tmp_path / str(LOCAL_RESOURCES[name])
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"/* {name} */\n//# sourceMappingURL={name}.map\n")
    urls = ensure_bundles(tmp_path)
    for relative, members in BUNDLES.items():
        text = (tmp_path / relative).read_text()
        assert [text.index(f"/* {n} */") for n in members] == sorted(text.index(f"/* {n} */") for n in members)
        assert "sourceMappingURL" not in text
        assert urls[members[0]].startswith(f"/app/static/vendor/{relative}?v=")
        assert all(urls[n] == "" for n in members[1:])
    heat = tmp_path / str(LOCAL_RESOURCES["leaflet-heat.js"])
    heat.write_text("/* leaflet-heat.js, a new version */\n")
    again = ensure_bundles(tmp_path)
    assert again["leaflet"] != urls["leaflet"] and "a new version" in (tmp_path / "leaflet/dist/map-bundle.js").read_text()


def test_the_real_bundle_runs_leaflet_then_its_plugins():
    if missing_assets():
        pytest.skip("static/vendor is absent: run `geo assets`")
    urls = ensure_bundles()
    text = (VENDOR_DIR / "leaflet/dist/map-bundle.js").read_text()
    assert text.index('t.version="1.9.4"') < text.index("L.MarkerClusterGroup") < text.index("L.HeatLayer")
    assert urls["leaflet"].endswith(hashlib.sha256(text.encode()).hexdigest()[:12])
