"""Where things live on disk. Every location can be overridden by an environment variable."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def gazetteer_dir() -> Path:
    """The built gazetteer (git-ignored): GEO_GAZETTEER_DIR, default gazetteer/build."""
    return Path(os.environ.get("GEO_GAZETTEER_DIR", ROOT / "gazetteer" / "build"))


def gazetteer_db() -> Path:
    return gazetteer_dir() / "gazetteer.sqlite"


def boundaries_path() -> Path:
    return gazetteer_dir() / "boundaries.gpkg"


def simplified_boundaries_path() -> Path:
    return gazetteer_dir() / "boundaries_simplified.gpkg"


def manifest_path() -> Path:
    return gazetteer_dir() / "manifest.json"


def cache_dir() -> Path:
    """Downloaded source packages and built outputs keyed by checksum, outside the clone.

    GEO_CACHE_DIR, default $XDG_CACHE_HOME/geo-incident-mapper or ~/.cache/geo-incident-mapper.
    """
    if "GEO_CACHE_DIR" in os.environ:
        return Path(os.environ["GEO_CACHE_DIR"])
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base / "geo-incident-mapper"


def default_store() -> Path:
    """The incident store: GEO_STORE, default data/incidents.gpkg."""
    return Path(os.environ.get("GEO_STORE", ROOT / "data" / "incidents.gpkg"))


def shared_dir() -> Path:
    """The read-only ../shared folder beside the project (may be absent)."""
    return Path(os.environ.get("GEO_SHARED_DIR", ROOT.parent / "shared"))
