"""The incident store: articles, mentions, incidents and analyst corrections, in one GeoPackage
that QGIS opens as is (the embedded default), behind a backend seam for a server store.

`IncidentStore` is a thin front over the package's modules:
- `backend.py`: the seam (`StoreBackend`) and `open_backend(location)`;
- `db.py`: the GeoPackage backend (connect, schema in one transaction, migrations, blocks);
- `schema.py`: the layers, declared once; `migrations.py`: upgrades of older stores;
- `ingest.py`: batching, the parse pool, dedup, writing rows;
- `corrections.py`: analyst corrections and reprocessing; `event_corrections.py`: analysts'
  splits, merges, places and categories of incidents; `query.py`: reads, filters, stats;
- `gpkg.py`: the GeoPackage geometry codec and core tables;
- `postgis.py`: the PostgreSQL + PostGIS backend; `copy.py`: copies between stores.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo import paths
from geo.errors import StoreError
from geo.filters import Filters
from geo.join import AdminBoundaries
from geo.read import ArticleRecord, Reject
from geo.store import corrections as _corrections
from geo.store import event_corrections as _event_corrections
from geo.store import events as _events
from geo.store import ingest as _ingest
from geo.store import query as _query
from geo.store.backend import StoreBackend, is_server_location, open_backend
from geo.store.corrections import apply_corrections, place_to_mention_fields
from geo.store.ingest import IngestReport, Parser, parse_text
from geo.types import Place

__all__ = ["IncidentStore", "IngestReport", "StoreError", "apply_corrections", "parse_text",
           "place_to_mention_fields"]


class IncidentStore:
    """Open (creating if needed) the store at `location` (default GEO_STORE): a GeoPackage
    path, or a server URL where a backend for it is installed."""

    def __init__(self, location: str | Path | None = None, parser: Parser | None = None,
                 boundaries: AdminBoundaries | None = None,
                 gazetteer_get: Callable[[int], Place | None] | None = None,
                 pool: object = None, merge: bool = True) -> None:
        if location is None:
            location = paths.default_store()
        self.location = str(location)
        # a GeoPackage store has a path (QGIS, pyogrio and the tests read the file directly)
        self.path = None if is_server_location(location) else Path(location)
        self.parser = parser
        self.merge = merge  # False: every event report is an incident of its own (benchmarks)
        self._boundaries = boundaries
        self._gazetteer_get = gazetteer_get
        # pool: a psycopg_pool.ConnectionPool to borrow a server store's connection from
        self.backend: StoreBackend = open_backend(location if self.path is None else self.path,
                                                  pool=pool)
        if _events.needs_rebuild(self.backend):  # upgraded from one incident per article
            _events.rebuild(self)

    @property
    def connection(self) -> object:
        """The backend's driver connection (for tools that need raw SQL)."""
        return getattr(self.backend, "connection", None)

    def close(self) -> None:
        self.backend.close()

    def __enter__(self) -> IncidentStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def boundaries(self) -> AdminBoundaries:
        if self._boundaries is None:
            from geo.join import load_admin_boundaries

            self._boundaries = load_admin_boundaries()
        return self._boundaries

    def place(self, place_id: int) -> Place | None:
        """A gazetteer place by id (the gazetteer opens on first use)."""
        if self._gazetteer_get is None:
            from geo.gazetteer import load_gazetteer

            self._gazetteer_get = load_gazetteer().get
        return self._gazetteer_get(place_id)

    # -- writing -------------------------------------------------------------------------
    def ingest(self, records: Iterable[ArticleRecord | Reject], batch_size: int = 100,
               progress: Callable[[IngestReport], None] | None = None,
               workers: int = 1) -> IngestReport:
        """Parse, join, choose the incident and write (see geo.store.ingest.ingest)."""
        return _ingest.ingest(self, records, batch_size, progress, workers)

    def add_correction(self, article_id: str, start: int, end: int, gazetteer_id: int | None,
                       note: str = "") -> None:
        """Record that text[start:end] of an article is place `gazetteer_id` (None: not a
        place), and update that article's mentions and incident."""
        _corrections.add_correction(self, article_id, start, end, gazetteer_id, note)

    def reprocess_all(self, batch_size: int = 100) -> int:
        """Re-parse and re-join every article, corrections applied again."""
        return _corrections.reprocess_all(self, batch_size)

    def rebuild_incidents(self) -> int:
        """Derive every incident again from the stored articles and mentions (re-cluster
        deterministically). Returns the number of incidents."""
        return _events.rebuild(self)

    # -- analyst corrections of incidents (geo/store/event_corrections.py) ---------------
    def split_incident(self, incident_id: str, article_id: str, note: str = "") -> int:
        """Take an article's report out of an incident; returns the correction id."""
        return _event_corrections.split(self, incident_id, article_id, note)

    def split_article(self, article_id: str, note: str = "") -> int:
        """Take an article out of every incident it reports; returns the correction id."""
        return _event_corrections.split_article(self, article_id, note)

    def merge_incidents(self, incident_id: str, other_id: str, note: str = "") -> int:
        """Make two incidents one; returns the correction id."""
        return _event_corrections.merge_incidents(self, incident_id, other_id, note)

    def set_incident_place(self, incident_id: str, mention_id: str, note: str = "") -> int:
        """Make a mention of one of the incident's articles the event's place."""
        return _event_corrections.set_place(self, incident_id, mention_id, note)

    def set_incident_category(self, incident_id: str, category: str, note: str = "") -> int:
        """Set an incident's category (a key of geo.categories.LABELS)."""
        return _event_corrections.set_category(self, incident_id, category, note)

    def event_corrections(self, active_only: bool = False,
                          ) -> list[_event_corrections.EventCorrection]:
        """Analyst corrections of incidents, oldest first."""
        return _event_corrections.list_corrections(self.backend, active_only)

    def undo_event_correction(self, fid: int) -> _event_corrections.EventCorrection:
        """Withdraw an event correction and derive the incidents it touched again."""
        return _event_corrections.undo(self, fid)

    # -- reading -------------------------------------------------------------------------
    def corrections(self) -> pd.DataFrame:
        return _query.read_table(self.backend, "corrections")

    def articles(self) -> pd.DataFrame:
        return _query.read_table(self.backend, "articles")

    def incidents(self, filters: Filters | None = None, *,
                  article_id: str | None = None) -> gpd.GeoDataFrame:
        """Incidents passing `filters` (all without), or those of one article."""
        return _query.read_incidents(self.backend, filters, article_id)

    def mentions(self, filters: Filters | None = None, *,
                 article_id: str | None = None) -> gpd.GeoDataFrame:
        """Mentions (all, one article's, or those of the filtered incidents' articles)."""
        return _query.read_mentions(self.backend, filters, article_id)

    def article_incidents(self, filters: Filters | None = None) -> gpd.GeoDataFrame:
        """Every article with each incident it reports (first columns article_id,
        incident_id; an article with several incidents gives several rows)."""
        return _query.read_article_incidents(self.backend, filters)

    def incident_sources(self, incident_ids: list[str]) -> pd.DataFrame:
        """Every source of these incidents: article, outlet, link, dates, why it joined
        (reason, similarity) and its event sentence."""
        return _query.read_incident_sources(self.backend, incident_ids)

    def read_all(self) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, pd.DataFrame]:
        """Incidents, mentions and articles from one snapshot: an ingest running meanwhile
        never shows as incidents without their articles."""
        with self.backend.snapshot():
            return self.incidents(), self.mentions(), self.articles()

    def stats(self) -> dict:
        return _query.stats(self.backend)

    def article_count(self) -> int:
        return int(self.backend.execute("SELECT count(*) FROM articles").fetchone()[0])

    def version_token(self) -> tuple:
        """Changes whenever the store is written (cache key for readers such as the app)."""
        return self.backend.version_token()
