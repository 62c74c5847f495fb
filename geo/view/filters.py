"""The URL form of the analyst's filter (`Filters` and its logic live in geo.filters).

`to_query_params` / `from_query_params` turn it into short URL parameters and back, so a view can
be shared as a link. Only non-default values go into the URL; unreadable values are reported and
replaced by the default, never raised, because a URL is user input.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import fields, replace
from datetime import date

from geo.filters import (  # noqa: F401 - the view's vocabulary, defined once in geo.filters
    BINS,
    CATEGORIES,
    DEFAULT_KINDS,
    GEO_PRECISIONS,
    KINDS,
    TIME_AXES,
    Filters,
    apply_filters,
    date_bounds,
    matching_articles,
    mentions_of,
    time_values,
)

LIST_SEP = ","
COUNTRY_CODE = re.compile(r"[A-Z]{2,3}")  # ISO 3166-1 alpha-3 (alpha-2 accepted)
# ISO 3166-2 (MX-SON), plus the gazetteer's placeholder codes for units without one (XK-X07~)
ADMIN1_CODE = re.compile(r"[A-Z0-9~-]{2,12}")

# URL parameter name per field: short, stable, readable in a shared link
_PARAM_NAMES: dict[str, str] = {
    "start": "from",
    "end": "to",
    "time_axis": "axis",
    "countries": "country",
    "admin1": "adm1",
    "categories": "cat",
    "query": "q",
    "geo_precision": "prec",
    "kinds": "kind",
    "min_confidence": "minconf",
    "bin": "bin",
}


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
    if field_name == "categories":
        chosen = {c.lower() for c in items}
        for category in chosen:
            _one_of(category, CATEGORIES)
        return tuple(c for c in CATEGORIES if c in chosen)  # the taxonomy's order
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
