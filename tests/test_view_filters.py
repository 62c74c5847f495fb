"""Filter logic and the URL round-trip (synthetic tables with the store's columns)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from view_fixtures import synthetic_store_tables

from geo.view.filters import (
    CATEGORIES,
    DEFAULT_KINDS,
    GEO_PRECISIONS,
    KINDS,
    Filters,
    apply_filters,
    date_bounds,
    from_query_params,
    time_values,
    to_query_params,
)


@pytest.fixture(scope="module")
def tables():
    return synthetic_store_tables()


def test_default_filters_hide_only_org_embedded(tables):
    incidents, _, _ = tables
    out = apply_filters(incidents, Filters())
    assert len(out) == (incidents["kind"] != "org_embedded").sum()
    assert "org_embedded" not in set(out["kind"])
    everything = apply_filters(incidents, Filters(kinds=tuple(KINDS)))
    assert len(everything) == len(incidents)


def test_date_range_is_inclusive_on_the_chosen_axis(tables):
    incidents, _, _ = tables
    all_kinds = tuple(KINDS)
    day = date(2024, 3, 5)
    by_published = apply_filters(incidents, Filters(start=day, end=day, time_axis="published", kinds=all_kinds))
    assert len(by_published) > 0
    assert set(by_published["published"]) == {"2024-03-05"}
    by_event = apply_filters(incidents, Filters(start=day, end=day, time_axis="event_date", kinds=all_kinds))
    assert set(by_event["event_date"]) == {"2024-03-05"}
    # event dates lag publication here, so the two axes select different rows
    assert set(by_event["incident_id"]) != set(by_published["incident_id"])


def test_event_date_falls_back_to_published(tables):
    incidents, _, _ = tables
    frame = incidents.head(3).copy()
    frame.loc[frame.index[0], "event_date"] = None
    days = time_values(frame, "event_date")
    assert days.iloc[0].date().isoformat() == frame["published"].iloc[0]


def test_country_admin1_precision_confidence(tables):
    incidents, _, _ = tables
    k = tuple(KINDS)
    mex = apply_filters(incidents, Filters(countries=("MEX",), kinds=k))
    assert len(mex) and set(mex["adm0_iso3"]) == {"MEX"}
    son = apply_filters(incidents, Filters(admin1=("MX-SON",), kinds=k))
    assert len(son) and set(son["adm1_iso"]) == {"MX-SON"}
    no_country_level = apply_filters(incidents, Filters(geo_precision=(1, 2, 3), kinds=k))
    assert 4 not in set(no_country_level["geo_precision"])
    assert len(no_country_level) == (incidents["geo_precision"] != 4).sum()
    confident = apply_filters(incidents, Filters(min_confidence=0.7, kinds=k))
    assert len(confident) and confident["confidence"].min() >= 0.7
    assert len(confident) == (incidents["confidence"] >= 0.7).sum()


def test_free_text_searches_titles_and_article_text(tables):
    incidents, _, articles = tables
    k = tuple(KINDS)
    by_text = apply_filters(incidents, Filters(query="DROUGHT", kinds=k), articles)
    assert set(by_text["article_id"]) == {"a003"}  # only in that article's body, any case
    assert apply_filters(incidents, Filters(query="drought", kinds=k)).empty  # no article text given
    by_title = apply_filters(incidents, Filters(query="<b>escalates", kinds=k))
    assert set(by_title["article_id"]) == {"a003"}  # literal match, not a regex or HTML


def test_date_bounds(tables):
    incidents, _, _ = tables
    lo, hi = date_bounds(incidents, "published")
    assert (lo, hi) == (date(2024, 3, 1), date(2024, 3, 20))
    assert date_bounds(incidents.iloc[0:0], "published") is None


def test_defaults_make_an_empty_url_and_back():
    assert to_query_params(Filters()) == {}
    assert from_query_params({}) == (Filters(), [])


def test_url_round_trip_example():
    f = Filters(start=date(2024, 3, 2), end=date(2024, 3, 9), time_axis="published",
                countries=("MEX", "USA"), admin1=("MX-SON",), query="border, crossing",
                geo_precision=(1, 2), kinds=("toponym", "org_embedded"), min_confidence=0.35, bin="week")
    params = to_query_params(f)
    assert params["from"] == "2024-03-02" and params["country"] == "MEX,USA"
    assert from_query_params(params) == (f, [])


def test_bad_url_values_are_reported_and_defaulted():
    filters, problems = from_query_params(
        {"from": "2024-13-40", "prec": "1,9", "kind": "toponym,bogus", "minconf": "2", "axis": "x",
         "country": "mex", "adm1": "MX-SON,<script>", "utm_source": "mail"})
    assert filters.start is None and filters.geo_precision == Filters().geo_precision
    assert filters.kinds == DEFAULT_KINDS and filters.min_confidence == 0.0
    assert filters.time_axis == "event_date"
    assert filters.countries == ("MEX",) and filters.admin1 == ()
    assert len(problems) == 6 and all("ignored URL parameter" in p for p in problems)


def test_reversed_url_dates_are_swapped():
    filters, problems = from_query_params({"from": "2024-03-09", "to": "2024-03-02"})
    assert (filters.start, filters.end) == (date(2024, 3, 2), date(2024, 3, 9))
    assert problems


countries_ = st.from_regex(r"[A-Z]{3}", fullmatch=True)
admin1_ = st.from_regex(r"[A-Z]{2}-[A-Z0-9]{1,3}", fullmatch=True)


@settings(max_examples=150, deadline=None)
@given(
    start=st.one_of(st.none(), st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 1, 1))),
    countries=st.lists(countries_, max_size=3, unique=True),
    admin1=st.lists(admin1_, max_size=3, unique=True),
    categories=st.lists(st.sampled_from(list(CATEGORIES)), max_size=3, unique=True),
    query=st.text(max_size=30).filter(lambda s: s == s.strip()),
    precision=st.lists(st.sampled_from(list(GEO_PRECISIONS)), unique=True),
    kinds=st.lists(st.sampled_from(list(KINDS)), unique=True),
    conf=st.sampled_from([0.0, 0.05, 0.35, 0.5, 1.0]),
    axis=st.sampled_from(["event_date", "published"]),
    bin_=st.sampled_from(["day", "week"]),
)
def test_url_round_trip_property(start, countries, admin1, categories, query, precision, kinds, conf, axis,
                                 bin_):
    f = Filters(start=start, end=start, time_axis=axis, countries=tuple(countries), admin1=tuple(admin1),
                categories=tuple(c for c in CATEGORIES if c in categories), query=query, geo_precision=tuple(precision), kinds=tuple(kinds), min_confidence=conf, bin=bin_)
    params = to_query_params(f)
    assert all(isinstance(v, str) for v in params.values())
    back, problems = from_query_params(params)
    # a comma inside the query is fine (it is not a list); lists never contain commas here
    assert problems == []
    assert back == f
