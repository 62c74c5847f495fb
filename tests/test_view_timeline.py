"""Timeline counts, the brush round-trip and playback steps."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
from view_fixtures import synthetic_store_tables

from geo.view.timeline import BRUSH, brush_dates, counts_by_period, playback_steps, timeline_chart


def _ms(d: date) -> float:
    return datetime(d.year, d.month, d.day, tzinfo=UTC).timestamp() * 1000


def test_daily_counts_fill_gaps_and_sum_to_total():
    frame = pd.DataFrame({"published": ["2024-03-01", "2024-03-01", "2024-03-04"], "event_date": [None] * 3})
    counts = counts_by_period(frame, "published", "day")
    assert counts["incidents"].tolist() == [2, 0, 0, 1]
    assert counts["period"].iloc[0] == pd.Timestamp("2024-03-01")


def test_weekly_counts_start_on_monday():
    incidents, _, _ = synthetic_store_tables()
    counts = counts_by_period(incidents, "published", "week")
    assert counts["incidents"].sum() == len(incidents)
    assert set(counts["period"].dt.day_of_week) == {0}


def test_empty_frame_gives_empty_counts():
    assert counts_by_period(pd.DataFrame({"published": [], "event_date": []}), "published").empty


def test_chart_has_an_x_interval_brush():
    incidents, _, _ = synthetic_store_tables()
    spec = timeline_chart(counts_by_period(incidents, "event_date")).to_dict()
    params = spec["params"]
    assert params[0]["name"] == BRUSH
    assert params[0]["select"]["type"] == "interval" and params[0]["select"]["encodings"] == ["x"]


def test_brush_dates_from_epoch_ms_and_strings():
    assert brush_dates({BRUSH: {"yearmonthdate_period": [_ms(date(2024, 3, 9)), _ms(date(2024, 3, 2))]}}) == (
        date(2024, 3, 2), date(2024, 3, 9))
    assert brush_dates({BRUSH: {"period": ["2024-03-02T00:00:00", "2024-03-05"]}}) == (
        date(2024, 3, 2), date(2024, 3, 5))
    for empty in (None, {}, {BRUSH: {}}, {BRUSH: {"period": [1]}}, {BRUSH: {"period": ["x", "y"]}}):
        assert brush_dates(empty) is None


def test_playback_steps_cover_the_range_without_overlap():
    steps = playback_steps(date(2024, 3, 1), date(2024, 3, 17), "week")
    assert steps[0] == (date(2024, 3, 1), date(2024, 3, 7))
    assert steps[-1] == (date(2024, 3, 15), date(2024, 3, 17))
    days = playback_steps(date(2024, 3, 1), date(2024, 3, 3), "day")
    assert days == [(date(2024, 3, d), date(2024, 3, d)) for d in (1, 2, 3)]
    assert playback_steps(date(2024, 3, 3), date(2024, 3, 1)) == []
