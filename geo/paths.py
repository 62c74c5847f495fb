"""Where things live on disk. Every location can be overridden by an environment variable."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


GAZETTEER_DIR_VAR = "GEO_GAZETTEER_DIR"


def gazetteer_dir() -> Path:
    """The built gazetteer (git-ignored): GEO_GAZETTEER_DIR, default gazetteer/build."""
    return Path(os.environ.get(GAZETTEER_DIR_VAR, ROOT / "gazetteer" / "build"))


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


def default_store() -> Path | str:
    """The incident store: GEO_STORE, default data/incidents.gpkg (a postgresql:// URL names a
    PostGIS store and stays a string)."""
    return store_location(os.environ.get("GEO_STORE") or ROOT / "data" / "incidents.gpkg")


def store_location(value: str | Path | None = None) -> Path | str:
    """A store as given (--store): a URL with a scheme stays a string (Path would fold its
    '//'), anything else is a file path; None is the default store."""
    if value is None:
        return default_store()
    text = str(value)
    return text if "://" in text else Path(value)


def store_exists(location: str | Path) -> bool:
    """A GeoPackage file exists; a server store is created on first use, so it 'exists'."""
    return isinstance(location, str) and "://" in location or Path(location).exists()


def shared_dir() -> Path:
    """The read-only ../shared folder beside the project (may be absent)."""
    return Path(os.environ.get("GEO_SHARED_DIR", ROOT.parent / "shared"))
