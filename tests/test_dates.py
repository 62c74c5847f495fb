"""Event date versus publication date."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.dates import WEEKDAYS, find_date_expressions, resolve_event_date

MONDAY = date(2024, 1, 22)


def event(text: str, published: date | None = MONDAY) -> tuple[date | None, int | None]:
    result = resolve_event_date(text, published)
    return result.date, result.precision


def test_weekday_is_the_last_such_day_before_publication() -> None:
    assert event("Gunmen attacked a convoy Saturday, officials said.") == (date(2024, 1, 20), 1)
    assert event("The blast on Friday killed two.") == (date(2024, 1, 19), 1)
    # the publication weekday itself: that day, unless "last"
    assert event("Protesters gathered on Monday.") == (MONDAY, 1)
    assert event("Protesters gathered last Monday.") == (date(2024, 1, 15), 1)


def test_relative_days_and_weeks() -> None:
    assert event("Troops clashed yesterday near the border.") == (date(2024, 1, 21), 1)
    assert event("Shelling continued last night.") == (date(2024, 1, 21), 1)
    assert event("A fire broke out this morning.") == (MONDAY, 1)
    assert event("Three days ago a bridge collapsed.") == (date(2024, 1, 19), 1)
    assert event("Floods hit the region last week.") == (date(2024, 1, 15), 2)
    assert event("Riots broke out last month.") == (date(2023, 12, 1), 3)


def test_partial_dates_take_the_year_from_publication() -> None:
    assert event("The raid happened on Jan. 20, police said.") == (date(2024, 1, 20), 1)
    assert event("On January 20 the dam failed.") == (date(2024, 1, 20), 1)
    assert event("On 20 January the dam failed.") == (date(2024, 1, 20), 1)
    # late December seen from January is last year
    assert event("The attack on Dec. 30 left five dead.") == (date(2023, 12, 30), 1)
    assert event("The storm of 2024-01-18 flooded roads.") == (date(2024, 1, 18), 1)


def test_dates_long_before_publication_are_background() -> None:
    text = "He was arrested in March 2019. Police said the shooting happened Saturday."
    assert event(text) == (date(2024, 1, 20), 1)


def test_background_sentences_are_skipped() -> None:
    text = "Back in January he was released. A bomb exploded yesterday."
    background = [(0, text.index("A bomb") - 1)]
    result = resolve_event_date(text, MONDAY, background)
    assert (result.date, result.precision) == (date(2024, 1, 21), 1)


def test_no_expression_falls_back_to_publication_with_week_precision() -> None:
    result = resolve_event_date("Clashes were reported in the north.", MONDAY)
    assert (result.date, result.precision) == (MONDAY, 2)
    assert "publication date used" in result.evidence
    assert resolve_event_date("Clashes were reported.", None).date is None


def test_lowercase_month_and_weekday_words_are_not_dates() -> None:
    text = "Officials may march on the capital; the sunday edition said nothing."
    assert find_date_expressions(text, MONDAY) == []


def test_unknown_publication_date_keeps_absolute_dates() -> None:
    assert event("The quake struck on March 3, 2023.", None) == (date(2023, 3, 3), 1)
    assert event("The quake struck Saturday.", None) == (None, None)


@given(published=st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31)),
       weekday=st.sampled_from(WEEKDAYS))
def test_weekday_resolution_property(published: date, weekday: str) -> None:
    resolved, precision = event(f"It happened on {weekday.title()}.", published)
    assert precision == 1
    assert resolved is not None
    assert WEEKDAYS[resolved.weekday()] == weekday
    assert timedelta(0) <= published - resolved <= timedelta(days=6)


# ---- Spanish reporting ------------------------------------------------------------------


@pytest.mark.parametrize("text,expected,precision", [
    ("Hombres armados atacaron el domingo un convoy en Culiacán.", date(2024, 1, 21), 1),
    ("El ataque ocurrió el sábado por la noche.", date(2024, 1, 20), 1),
    ("Ocurrió el 20 de enero en Hermosillo.", date(2024, 1, 20), 1),
    ("Ayer por la noche hubo disparos.", date(2024, 1, 21), 1),
    ("Los hechos ocurrieron hace dos días.", date(2024, 1, 20), 1),
    ("La policía detuvo el lunes pasado a tres hombres.", date(2024, 1, 15), 1),
    ("Las lluvias de la semana pasada dejaron 12 muertos.", date(2024, 1, 15), 2),
])
def test_spanish_expressions_resolve_against_publication(text, expected, precision):
    event = resolve_event_date(text, MONDAY)
    assert (event.date, event.precision) == (expected, precision)


@pytest.mark.parametrize("text", [
    "Floods hit Santo Domingo, officials said.",  # a place, not Sunday
    "Domingo Pérez, the mayor, said the road was closed.",  # a name
    "Director David Ayer said the film was delayed.",  # a surname, not "yesterday"
])
def test_spanish_words_that_are_names_are_not_dates(text):
    event = resolve_event_date(text, MONDAY)
    assert event.precision == 2 and event.date == MONDAY  # fell back to publication
