"""Reading the incident store for the app, cached per store file version.

The cache key includes the store's modification time (and its WAL's), so an ingest or a
correction from anywhere shows up on the next rerun, while panning the map reads nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo.build import read_manifest
from geo.filters import Filters
from geo.store.overview import Headline
from geo.view import window
from geo.view.timeline import daily_counts


@dataclass(frozen=True)
class Tables:
    incidents: gpd.GeoDataFrame
    mentions: gpd.GeoDataFrame
    articles: pd.DataFrame


def store_version(path: Path | str) -> tuple:
    """Changes whenever the store (or its write-ahead log) is written."""
    if isinstance(path, str) and "://" in path:  # a server store: ask it (pooled connection)
        from geo.store.postgis import version_token

        with connection_pool(path).connection() as connection:
            return version_token(connection)
    path = Path(path)

    def stat(p: Path) -> tuple[float, int]:
        return (p.stat().st_mtime, p.stat().st_size) if p.exists() else (0.0, 0)
    main, size = stat(path)
    wal, wal_size = stat(path.with_name(path.name + "-wal"))
    return main, wal, size + wal_size


INCIDENT_COLUMNS = [
    "incident_id", "article_id", "title", "source", "source_url", "published", "event_date",
    "time_precision", "name", "surface", "kind", "level", "gazetteer_id", "precision", "geo_precision",
    "confidence", "adm0_iso3", "adm0_name", "adm1_iso", "adm1_name", "adm2_code", "adm2_name",
    "reason", "snippet"]
MENTION_COLUMNS = [
    "mention_id", "article_id", "start", "end", "surface", "kind", "place_id", "name", "level",
    "country", "admin1_iso", "lat", "lon", "modifier", "precision", "geo_precision", "confidence",
    "evidence", "adm0_iso3", "adm0_name", "adm1_iso", "adm1_name", "adm2_code", "adm2_name"]
ARTICLE_COLUMNS = ["article_id", "content_hash", "title", "url", "source", "published", "text"]


def _empty_geo(columns: list[str]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(pd.DataFrame(columns=columns), geometry=gpd.GeoSeries([], crs="EPSG:4326"),
                            crs="EPSG:4326")


def empty_tables() -> Tables:
    """No store yet: empty tables with the store's columns, so every view works unchanged."""
    return Tables(_empty_geo(INCIDENT_COLUMNS), _empty_geo(MENTION_COLUMNS), pd.DataFrame(columns=ARTICLE_COLUMNS))


def empty_catalog() -> window.Catalog:
    return window.Catalog(0, empty_tables().incidents)


@st.cache_data(show_spinner="Reading the incident store…", max_entries=4)
def load_catalog(store_path: str, version: tuple) -> window.Catalog:
    """The store's admin units and date bounds, counted in SQL (version only keys the cache)."""
    del version
    with open_store(store_path) as store:
        return window.read_catalog(store)


@st.cache_data(show_spinner="Reading the incidents…", max_entries=8)
def _load_undated(store_path: str, version: tuple, filters: Filters) -> window.Undated:
    del version
    with open_store(store_path) as store:
        return window.read_undated(store, filters)


@st.cache_data(show_spinner="Reading the incidents…", max_entries=8)
def _load_capped(store_path: str, version: tuple, filters: Filters, _base: window.Undated
                 ) -> window.View:
    del version
    with open_store(store_path) as store:
        return window.read_view(store, filters, _base)


def load_view(store_path: str, version: tuple, filters: Filters) -> window.View:
    """What the app shows for `filters` (geo.view.window): a change of dates alone reads
    nothing more when the undated incidents fit in memory (cached per store version)."""
    base = _load_undated(store_path, version, window.undated(filters))
    if base.incidents is not None:
        return window.view_in_memory(filters, base)
    return _load_capped(store_path, version, filters, base)


def empty_view() -> window.View:
    tables = empty_tables()
    return window.View(tables.incidents, tables.mentions, tables.articles,
                       Headline(0, 0, 0), daily_counts(tables.incidents, "event_date"), None)


@st.cache_data(max_entries=16)
def _load_selection(store_path: str, version: tuple, incident_id: str) -> window.Selection:
    del version
    with open_store(store_path) as store:
        return window.read_selection(store, incident_id)


def selected_elsewhere(store_path: str, version: tuple, view: window.View, incident_id: str | None
                       ) -> tuple[pd.Series | None, window.View]:
    """The selected incident read by id (when the filters do not show it), and the view with its
    mentions and article."""
    if not incident_id:
        return None, view
    selection = _load_selection(store_path, version, incident_id)
    return selection.incident, window.with_selection(view, selection)


@st.cache_data(max_entries=64)
def incident_sources(store_path: str, version: tuple, incident_ids: tuple[str, ...]) -> pd.DataFrame:
    """Every source of the given incidents, with why each joined (version only keys the cache)."""
    del version
    if not incident_ids:
        return pd.DataFrame()
    with open_store(store_path) as store:
        return store.incident_sources(list(incident_ids))


def sources_of(store_path: str, version: tuple | None, incidents: pd.DataFrame) -> pd.DataFrame | None:
    """The sources of the given incidents (None without a store, or when they cannot be read:
    the evidence then shows the main report only, with a warning)."""
    if version is None or incidents.empty:
        return None
    try:
        return incident_sources(store_path, version, tuple(incidents["incident_id"].astype(str)))
    except Exception as exc:  # an unreadable link table must not take the evidence down
        st.warning(f"The incident's sources could not be read: {exc}")
        return None


def open_store(store_path: str | Path):
    """The store; a server store borrows a connection from the app's pool (returned on close)."""
    from geo.store import IncidentStore

    if isinstance(store_path, str) and "://" in store_path:
        return IncidentStore(store_path, pool=connection_pool(store_path))
    return IncidentStore(store_path)


@st.cache_resource
def connection_pool(url: str):  # noqa: ANN201 - psycopg_pool.ConnectionPool
    """One pool of connections per server store for all the app's sessions."""
    from geo.store.postgis import open_pool

    return open_pool(url)


@st.cache_data(max_entries=1)
def attribution_text(manifest: str | None = None) -> str:
    """One line crediting the data sources, from the gazetteer build manifest."""
    data = read_manifest(Path(manifest) if manifest else None)
    if data is None:
        return "Gazetteer not built: data sources unknown (run `geo gazetteer build`)."
    return attribution_from_manifest(data)


def attribution_from_manifest(manifest: dict) -> str:
    seen: dict[str, None] = {}
    for source in manifest.get("sources", []):
        text = source.get("attribution") or source.get("name")
        if text:
            seen.setdefault(str(text), None)
    return "Data: " + "; ".join(seen) if seen else "Data sources: see the gazetteer manifest."
