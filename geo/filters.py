"""Which incidents an analyst is looking at: the one `Filters` type of the app, the CLI and the
store, and its exact meaning as a pure function over tables.

`apply_filters` is the definition: a store may narrow rows in SQL first (geo/store/query.py),
but the rows it returns are always the ones `apply_filters` keeps, so the app's downloads and
`geo export` agree for the same filter. The URL form lives in geo/view/filters.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date

import pandas as pd

from geo.categories import LABELS as CATEGORY_LABELS

TIME_AXES: dict[str, str] = {"event_date": "Event date", "published": "Publication date"}
KINDS: dict[str, str] = {
    "toponym": "Place names",
    "demonym": "Demonyms (Sonoran, Mexican)",
    "modified_region": "Regions (southern California)",
    "org_embedded": "Inside organisation names",
    "supranational": "Unions of countries (European Union)",
}
# organisation-embedded mentions ("Bank of America") rarely locate an event: off by default
DEFAULT_KINDS: tuple[str, ...] = ("toponym", "demonym", "modified_region", "supranational")
GEO_PRECISIONS: dict[int, str] = {
    1: "Place (city, town)",
    2: "County / admin-2",
    3: "State, province or region",
    4: "Country",
}
BINS: dict[str, str] = {"day": "Day", "week": "Week"}
# incident categories (geo/categories.py, ACLED and EM-DAT names): key -> label
CATEGORIES: dict[str, str] = dict(CATEGORY_LABELS)
# free text is matched in these incident columns and in the article's title and text
TEXT_COLUMNS: tuple[str, ...] = ("title", "snippet", "name", "source")


@dataclass(frozen=True)
class Filters:
    """The analyst's current view. Dates are inclusive calendar days (UTC) on `time_axis`;
    empty tuples mean "all"; every set of precisions or kinds that covers all values means
    "no filter" (rows without a value pass too)."""

    start: date | None = None
    end: date | None = None
    time_axis: str = "event_date"
    countries: tuple[str, ...] = ()  # adm0_iso3 codes (ISO2 accepted); empty = all
    admin1: tuple[str, ...] = ()  # adm1_iso codes; empty = all
    categories: tuple[str, ...] = ()  # incident category keys (CATEGORIES); empty = all
    query: str = ""  # free text (literal, case-insensitive)
    geo_precision: tuple[int, ...] = tuple(GEO_PRECISIONS)
    kinds: tuple[str, ...] = DEFAULT_KINDS
    min_confidence: float = 0.0
    bin: str = field(default="day")  # timeline bin (a view option, kept in the URL too)

    @classmethod
    def everything(cls) -> Filters:
        """No filter at all (every kind included): what `geo export` starts from."""
        return cls(kinds=tuple(KINDS))

    def narrows_precision(self) -> bool:
        return set(self.geo_precision) != set(GEO_PRECISIONS)

    def narrows_kinds(self) -> bool:
        return set(self.kinds) != set(KINDS)

    def describe(self) -> dict:
        """The fields that differ from no filter at all, JSON-ready (export metadata)."""
        base = Filters.everything()
        out: dict[str, object] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "bin" or value == getattr(base, f.name):
                continue
            out[f.name] = value.isoformat() if isinstance(value, date) else (
                list(value) if isinstance(value, tuple) else value)
        return out


def _to_datetime(column: pd.Series | None, index: pd.Index) -> pd.Series:
    if column is None:
        return pd.Series(pd.NaT, index=index, dtype="datetime64[ns, UTC]")
    return pd.to_datetime(column, errors="coerce", utc=True, format="mixed")


def time_values(incidents: pd.DataFrame, axis: str) -> pd.Series:
    """Dates (UTC, day resolution) on the chosen axis; the event date falls back to publication."""
    published = _to_datetime(incidents.get("published"), incidents.index)
    if axis == "published":
        values = published
    else:
        values = _to_datetime(incidents.get("event_date"), incidents.index).fillna(published)
    # naive midnight timestamps compare directly with the date pickers' days
    return values.dt.tz_localize(None).dt.normalize()


def date_bounds(incidents: pd.DataFrame, axis: str) -> tuple[date, date] | None:
    """First and last day with an incident on `axis`, or None when no incident has a date."""
    values = time_values(incidents, axis).dropna()
    if values.empty:
        return None
    return values.min().date(), values.max().date()


def matching_articles(articles: pd.DataFrame, query: str) -> set[str]:
    """Ids of articles whose title or text contains `query` (case-insensitive, literal)."""
    query = query.strip()
    if not query or articles.empty:
        return set()
    hits = pd.Series(False, index=articles.index)
    for column in ("title", "text"):
        if column in articles:
            hits |= articles[column].fillna("").astype(str).str.contains(
                query, case=False, regex=False)
    return set(articles.loc[hits, "article_id"].astype(str))


def apply_filters(incidents: pd.DataFrame, filters: Filters,
                  articles: pd.DataFrame | None = None,
                  article_hits: set[str] | None = None) -> pd.DataFrame:
    """The incidents that pass every filter (a view of the input rows, order kept). Free text
    also matches the articles' title and text: give the articles, or the ids of those that
    match (`article_hits`)."""
    if incidents.empty:
        return incidents
    keep = pd.Series(True, index=incidents.index)
    if filters.start is not None or filters.end is not None:
        day = time_values(incidents, filters.time_axis)
        if filters.start is not None:
            keep &= day >= pd.Timestamp(filters.start)
        if filters.end is not None:
            keep &= day <= pd.Timestamp(filters.end)
    if filters.countries:
        codes = [c.upper() for c in filters.countries]
        in_country = incidents["adm0_iso3"].isin(codes)
        if "country" in incidents:  # ISO2 codes are accepted too
            in_country |= incidents["country"].isin(codes)
        keep &= in_country
    if filters.admin1:
        keep &= incidents["adm1_iso"].isin([a.upper() for a in filters.admin1])
    if filters.categories:
        # an incident without a category (a store not yet rebuilt) matches no category
        category = incidents["category"] if "category" in incidents else pd.Series(None, index=incidents.index)
        keep &= category.isin(filters.categories)
    if filters.narrows_precision():
        keep &= incidents["geo_precision"].isin(filters.geo_precision)
    if filters.narrows_kinds():
        keep &= incidents["kind"].isin(filters.kinds)
    if filters.min_confidence > 0:
        keep &= incidents["confidence"].fillna(0) >= filters.min_confidence
    if filters.query.strip():
        if article_hits is None and articles is not None:
            article_hits = matching_articles(articles, filters.query)
        keep &= _text_match(incidents, filters.query, article_hits or set())
    return incidents[keep]


def _text_match(incidents: pd.DataFrame, query: str, article_hits: set[str]) -> pd.Series:
    query = query.strip()
    hit = pd.Series(False, index=incidents.index)
    for column in TEXT_COLUMNS:
        if column in incidents:
            hit |= incidents[column].fillna("").astype(str).str.contains(
                query, case=False, regex=False)
    if article_hits:
        hit |= incidents["article_id"].astype(str).isin(article_hits)
    return hit


def mentions_of(incidents: pd.DataFrame, mentions: pd.DataFrame,
                filters: Filters) -> pd.DataFrame:
    """The mentions layer for a filter: the mentions of the shown incidents' articles, of the
    kinds the analyst chose."""
    if mentions.empty:
        return mentions
    keep = mentions["article_id"].isin(incidents["article_id"])
    if filters.narrows_kinds():
        keep &= mentions["kind"].isin(filters.kinds)
    return mentions[keep]
