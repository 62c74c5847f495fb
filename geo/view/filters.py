"""Which incidents the analyst is looking at: pure filter logic and its URL form.

`Filters` holds the sidebar state. `apply_filters` narrows an incidents frame with it;
`to_query_params` / `from_query_params` turn it into short URL parameters and back, so a view can
be shared as a link. Only non-default values go into the URL; unreadable values are reported and
replaced by the default, never raised, because a URL is user input.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date

import pandas as pd

TIME_AXES: dict[str, str] = {"event_date": "Event date", "published": "Publication date"}
KINDS: dict[str, str] = {
    "toponym": "Place names",
    "demonym": "Demonyms (Sonoran, Mexican)",
    "modified_region": "Regions (southern California)",
    "org_embedded": "Inside organisation names",
}
# organisation-embedded mentions ("Bank of America") rarely locate an event: off by default
DEFAULT_KINDS: tuple[str, ...] = ("toponym", "demonym", "modified_region")
GEO_PRECISIONS: dict[int, str] = {
    1: "Place (city, town)",
    2: "County / admin-2",
    3: "State, province or region",
    4: "Country",
}
BINS: dict[str, str] = {"day": "Day", "week": "Week"}
LIST_SEP = ","
COUNTRY_CODE = re.compile(r"[A-Z]{2,3}")  # ISO 3166-1 alpha-3 (alpha-2 accepted)
# ISO 3166-2 (MX-SON), plus the gazetteer's placeholder codes for units without one (XK-X07~)
ADMIN1_CODE = re.compile(r"[A-Z0-9~-]{2,12}")


@dataclass(frozen=True)
class Filters:
    """The analyst's current view. Dates are inclusive calendar days on `time_axis`."""

    start: date | None = None
    end: date | None = None
    time_axis: str = "event_date"
    countries: tuple[str, ...] = ()  # adm0_iso3 codes; empty = all
    admin1: tuple[str, ...] = ()  # adm1_iso codes; empty = all
    query: str = ""  # free text over title, snippet and article text
    geo_precision: tuple[int, ...] = tuple(GEO_PRECISIONS)
    kinds: tuple[str, ...] = DEFAULT_KINDS
    min_confidence: float = 0.0
    bin: str = field(default="day")  # timeline bin (a view option, kept in the URL too)


# URL parameter name per field: short, stable, readable in a shared link
_PARAM_NAMES: dict[str, str] = {
    "start": "from",
    "end": "to",
    "time_axis": "axis",
    "countries": "country",
    "admin1": "adm1",
    "query": "q",
    "geo_precision": "prec",
    "kinds": "kind",
    "min_confidence": "minconf",
    "bin": "bin",
}


def time_values(incidents: pd.DataFrame, axis: str) -> pd.Series:
    """Dates (UTC, day resolution) on the chosen axis; the event date falls back to publication."""
    published = _to_datetime(incidents.get("published"), incidents.index)
    if axis == "published":
        values = published
    else:
        values = _to_datetime(incidents.get("event_date"), incidents.index).fillna(published)
    # naive midnight timestamps compare directly with the date pickers' days
    return values.dt.tz_localize(None).dt.normalize()


def _to_datetime(column: pd.Series | None, index: pd.Index) -> pd.Series:
    if column is None:
        return pd.Series(pd.NaT, index=index, dtype="datetime64[ns, UTC]")
    return pd.to_datetime(column, errors="coerce", utc=True, format="mixed")


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
            hits |= articles[column].fillna("").astype(str).str.contains(query, case=False, regex=False)
    return set(articles.loc[hits, "article_id"].astype(str))


def apply_filters(
    incidents: pd.DataFrame, filters: Filters, articles: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The incidents that pass every filter (a view of the input rows, order kept)."""
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
        keep &= incidents["adm0_iso3"].isin(filters.countries)
    if filters.admin1:
        keep &= incidents["adm1_iso"].isin(filters.admin1)
    if set(filters.geo_precision) != set(GEO_PRECISIONS):
        keep &= incidents["geo_precision"].isin(filters.geo_precision)
    if set(filters.kinds) != set(KINDS):
        keep &= incidents["kind"].isin(filters.kinds)
    if filters.min_confidence > 0:
        keep &= incidents["confidence"].fillna(0) >= filters.min_confidence
    if filters.query.strip():
        keep &= _text_match(incidents, filters.query, articles)
    return incidents[keep]


def _text_match(incidents: pd.DataFrame, query: str, articles: pd.DataFrame | None) -> pd.Series:
    query = query.strip()
    hit = pd.Series(False, index=incidents.index)
    for column in ("title", "snippet", "name", "source"):
        if column in incidents:
            hit |= incidents[column].fillna("").astype(str).str.contains(query, case=False, regex=False)
    if articles is not None:
        hit |= incidents["article_id"].astype(str).isin(matching_articles(articles, query))
    return hit


# ---- URL state -------------------------------------------------------------------------------


def to_query_params(filters: Filters) -> dict[str, str]:
    """Short URL parameters for every field that differs from the default."""
    default = Filters()
    params: dict[str, str] = {}
    for f in fields(Filters):
        value = getattr(filters, f.name)
        if value == getattr(default, f.name):
            continue
        name = _PARAM_NAMES[f.name]
        if isinstance(value, tuple):
            params[name] = LIST_SEP.join(str(v) for v in value) if value else "-"
        elif isinstance(value, date):
            params[name] = value.isoformat()
        elif value is None:
            params[name] = "-"
        else:
            params[name] = f"{value:g}" if isinstance(value, float) else str(value)
    return params


def from_query_params(params: Mapping[str, str | Iterable[str]]) -> tuple[Filters, list[str]]:
    """Filters from URL parameters, plus a message for every value that could not be read."""
    values: dict[str, object] = {}
    problems: list[str] = []
    by_param = {v: k for k, v in _PARAM_NAMES.items()}
    for param, raw in params.items():
        field_name = by_param.get(param)
        if field_name is None:
            continue  # other apps' or Streamlit's own parameters
        text = raw if isinstance(raw, str) else LIST_SEP.join(raw)
        try:
            values[field_name] = _parse(field_name, text.strip())
        except ValueError as exc:
            problems.append(f"ignored URL parameter {param}={text[:60]!r}: {exc}")
    filters = replace(Filters(), **values)
    if filters.start and filters.end and filters.start > filters.end:
        problems.append("URL date range was reversed; swapped it")
        filters = replace(filters, start=filters.end, end=filters.start)
    return filters, problems


def _parse(field_name: str, text: str) -> object:
    if field_name in ("start", "end"):
        return None if text in ("", "-") else date.fromisoformat(text)
    if field_name == "time_axis":
        return _one_of(text, TIME_AXES)
    if field_name == "bin":
        return _one_of(text, BINS)
    if field_name == "query":
        return text[:200]
    if field_name == "min_confidence":
        value = float(text)
        if not 0.0 <= value <= 1.0:
            raise ValueError("confidence must be between 0 and 1")
        return value
    items = () if text in ("", "-") else tuple(dict.fromkeys(s.strip() for s in text.split(LIST_SEP) if s.strip()))
    if field_name == "geo_precision":
        codes = tuple(int(s) for s in items)
        for code in codes:
            _one_of(code, GEO_PRECISIONS)
        return codes
    if field_name == "kinds":
        for kind in items:
            _one_of(kind, KINDS)
        return items
    codes = tuple(s.upper() for s in items)
    pattern = COUNTRY_CODE if field_name == "countries" else ADMIN1_CODE
    for code in codes:
        if not pattern.fullmatch(code):
            raise ValueError(f"{code!r} is not a {'country' if field_name == 'countries' else 'admin-1'} code")
    return codes


def _one_of(value: object, allowed: Mapping) -> object:
    if value not in allowed:
        raise ValueError(f"expected one of {', '.join(map(str, allowed))}")
    return value
