"""What the app reads for one filter: never every row of a large store.

The sidebar's choices come from the store's units and date bounds (`read_catalog`, SQL). For a
filter, the incidents passing it without its dates are read when there are at most `cap` of
them (`read_undated`): the date range, the timeline and the map's time bar then work on them in
memory, as on a small store. Past the cap the timeline and the headline numbers are counted in
SQL and only the `cap` most reported incidents under the whole filter are read (`read_view`), so
the app stays usable on a store of millions. The same SQL runs on every backend.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import geopandas as gpd
import pandas as pd

from geo.counts import unit_weights
from geo.filters import Filters, apply_filters
from geo.store import IncidentStore
from geo.store import overview as sql
from geo.store.query import read_article_mentions
from geo.view.mapview import DEFAULT_MAX_POINTS
from geo.view.timeline import daily_counts, date_span

# incidents read at most for one filter: the map's own point cap
ROW_CAP = DEFAULT_MAX_POINTS


@dataclass(frozen=True)
class Catalog:
    total: int  # incidents in the store
    units: pd.DataFrame  # geo.store.overview.unit_spans: what the filters can choose from


@dataclass(frozen=True)
class Undated:
    """The incidents passing a filter without its dates: all of them when they fit the cap
    (`incidents`, with their `mentions` and `articles`), else None; always their daily counts."""

    daily: pd.DataFrame
    incidents: gpd.GeoDataFrame | None = None
    mentions: gpd.GeoDataFrame | None = None
    articles: pd.DataFrame | None = None


@dataclass(frozen=True)
class View:
    """What the app shows for a filter."""

    shown: gpd.GeoDataFrame  # the incidents passing it (at most the cap: the most reported)
    mentions: gpd.GeoDataFrame  # every mention of their articles
    articles: pd.DataFrame  # their articles
    headline: sql.Headline  # numbers over every incident passing it
    daily: pd.DataFrame  # per day, without the filter's dates (the timeline)
    bounds: tuple[date, date] | None  # first and last day shown

    @property
    def capped(self) -> bool:
        return self.headline.incidents > len(self.shown)


def undated(filters: Filters) -> Filters:
    return replace(filters, start=None, end=None)


def read_catalog(store: IncidentStore) -> Catalog:
    with store.backend.snapshot():
        total = int(store.backend.execute("SELECT count(*) FROM incidents").fetchone()[0])
        return Catalog(total, sql.unit_spans(store.backend))


def read_undated(store: IncidentStore, filters: Filters, cap: int | None = None) -> Undated:
    """`filters` without their dates: the rows when at most `cap` (ROW_CAP) could pass, else
    counts only."""
    cap = ROW_CAP if cap is None else cap
    filters = undated(filters)
    backend = store.backend
    with backend.snapshot():  # rows, mentions and articles from one state of the store
        if sql.count(backend, filters, text=False) > cap:
            return Undated(sql.daily_counts(backend, filters))
        incidents = store.incidents(filters)
        ids = incidents["article_id"].astype(str).tolist()
        return Undated(daily_counts(incidents, filters.time_axis), incidents,
                       read_article_mentions(backend, ids), sql.articles_by_id(backend, ids))


def view_in_memory(filters: Filters, base: Undated) -> View:
    """The view of `filters` from the undated incidents in memory: the exact filter, as on a
    small store (`base.incidents` must be there)."""
    shown = apply_filters(base.incidents, filters, base.articles)
    head = sql.Headline(len(shown), int(unit_weights(shown, "articles").sum()),
                        int(shown["adm0_iso3"].nunique()) if len(shown) else 0)
    return View(shown, base.mentions, base.articles, head, base.daily, date_span(base.daily, filters))


def read_view(store: IncidentStore, filters: Filters, base: Undated, cap: int | None = None) -> View:
    """The view of `filters`, from `base` (`read_undated` of the same filters), at most `cap`
    (ROW_CAP) incidents."""
    cap = ROW_CAP if cap is None else cap
    if base.incidents is not None:
        return view_in_memory(filters, base)
    backend = store.backend
    with backend.snapshot():
        shown = sql.top_incidents(backend, filters, cap)
        ids = shown["article_id"].astype(str).tolist()
        return View(shown, read_article_mentions(backend, ids),
                    sql.articles_by_id(backend, ids, text=False),
                    sql.headline(backend, filters), base.daily, date_span(base.daily, filters))


@dataclass(frozen=True)
class Selection:
    """One incident by id (the selection, when the filters no longer show it), with its
    article's mentions and the article itself."""

    incident: pd.Series | None
    mentions: gpd.GeoDataFrame
    articles: pd.DataFrame


def read_selection(store: IncidentStore, incident_id: str) -> Selection:
    backend = store.backend
    with backend.snapshot():
        found = sql.incidents_by_id(backend, [incident_id])
        ids = found["article_id"].astype(str).tolist()
        return Selection(found.iloc[0] if len(found) else None, read_article_mentions(backend, ids),
                         sql.articles_by_id(backend, ids))


def with_selection(view: View, selection: Selection) -> View:
    """The view with the selected incident's mentions and article too (the evidence and the
    corrections of an incident the filters no longer show)."""
    def joined(frame: pd.DataFrame, extra: pd.DataFrame, key: str) -> pd.DataFrame:
        extra = extra[~extra[key].isin(frame[key])] if len(frame) else extra
        if extra.empty:
            return frame
        return extra if frame.empty else pd.concat([frame, extra], ignore_index=True)

    return replace(view, mentions=joined(view.mentions, selection.mentions, "mention_id"),
                   articles=joined(view.articles, selection.articles, "article_id"))
