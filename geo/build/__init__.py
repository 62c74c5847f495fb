"""Reproducible gazetteer build from pinned registry packages (or a user's GeoNames dump).

Outputs, under geo.paths.gazetteer_dir(): gazetteer.sqlite, boundaries.gpkg,
boundaries_simplified.gpkg and manifest.json. Written into a temporary folder and then
renamed, so a failed build never replaces a good one; copied to the cache keyed by the
build id, so a fresh clone with a warm cache does not rebuild.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from pathlib import Path

from geo import paths
from geo.build.sources import load_sources, sha256_file

BUILDER_VERSION = "2"  # bump when the build logic changes the output
OUTPUT_FILES = ("gazetteer.sqlite", "boundaries.gpkg", "boundaries_simplified.gpkg", "manifest.json")


def build_id(geonames_dir: Path | None = None) -> str:
    sources = json.loads((paths.ROOT / "gazetteer" / "sources.json").read_text())
    h = hashlib.sha256()
    h.update(BUILDER_VERSION.encode())
    h.update(json.dumps([(s["key"], s["version"], s["sha256"]) for s in sources["sources"]]).encode())
    for extra in ("demonyms_admin1.tsv",):
        h.update((paths.ROOT / "gazetteer" / extra).read_bytes())
    # the builder's own code is an input too: change it and the build is redone
    for code in sorted(Path(__file__).parent.glob("*.py")):
        h.update(code.read_bytes())
    if geonames_dir is not None:
        for f in sorted(Path(geonames_dir).glob("*.txt")):
            st = f.stat()
            h.update(f"{f.name}:{st.st_size}:{int(st.st_mtime)}".encode())
    return h.hexdigest()[:16]


def read_manifest(path: Path | None = None) -> dict | None:
    """The build manifest (sources, versions, licences, counts), or None if absent or unreadable."""
    path = Path(path) if path else paths.manifest_path()
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


def current_build(out_dir: Path | None = None) -> dict | None:
    out_dir = out_dir or paths.gazetteer_dir()
    if not all((out_dir / f).exists() for f in OUTPUT_FILES):
        return None
    return read_manifest(out_dir / "manifest.json")


def build_gazetteer(out_dir: Path | None = None, force: bool = False,
                    geonames_dir: Path | None = None, use_cache: bool = True, log=print) -> dict:
    """Build (or reuse) the gazetteer. Returns the manifest."""
    out_dir = Path(out_dir or paths.gazetteer_dir())
    bid = build_id(geonames_dir)
    existing = current_build(out_dir)
    if existing and existing.get("build_id") == bid and not force:
        log(f"gazetteer is up to date (build {bid}) at {out_dir}")
        return existing
    cached = paths.cache_dir() / "builds" / bid
    tmp = out_dir.parent / f".{out_dir.name}-tmp-{bid}"
    shutil.rmtree(tmp, ignore_errors=True)
    started = time.perf_counter()
    if use_cache and not force and (cached / "manifest.json").exists():
        log(f"gazetteer build {bid} found in cache {cached}: copying")
        shutil.copytree(cached, tmp)
    else:
        from geo.build.pipeline import build_into

        tmp.mkdir(parents=True)
        try:
            build_into(tmp, bid, geonames_dir=geonames_dir, log=log)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        if use_cache:
            shutil.rmtree(cached, ignore_errors=True)
            cached.parent.mkdir(parents=True, exist_ok=True)
            shutil.copytree(tmp, cached)
    _swap_into_place(tmp, out_dir)
    manifest = json.loads((out_dir / "manifest.json").read_text())
    size = sum((out_dir / f).stat().st_size for f in OUTPUT_FILES)
    log(f"gazetteer ready at {out_dir}: {size / 1e6:.1f} MB in {time.perf_counter() - started:.1f} s")
    return manifest


def _swap_into_place(tmp: Path, out_dir: Path) -> None:
    """Replace out_dir by tmp with renames only, never leaving a half-written build."""
    old = out_dir.parent / f".{out_dir.name}-old"
    shutil.rmtree(old, ignore_errors=True)
    if out_dir.exists():
        out_dir.rename(old)
    tmp.rename(out_dir)
    shutil.rmtree(old, ignore_errors=True)


__all__ = ["build_gazetteer", "build_id", "current_build", "load_sources", "read_manifest", "sha256_file"]
