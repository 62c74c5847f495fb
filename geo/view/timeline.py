"""Incidents (or their articles) over time: counts per day or week, the Altair chart with a brush, and playback steps.

The chart carries an interval selection named `brush` on the x axis; Streamlit returns it through
`st.altair_chart(..., on_select=...)` and `brush_dates` turns that back into a date range.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta

import altair as alt
import pandas as pd

from geo.counts import COUNT_UNITS, unit_weights
from geo.view.filters import Filters, time_values

BRUSH = "brush"


def period_start(days: pd.Series, bin: str) -> pd.Series:
    """The first day of each value's period (weeks start on Monday, ISO style)."""
    if bin == "week":
        return days - pd.to_timedelta(days.dt.day_of_week, unit="D")
    return days


def daily_counts(incidents: pd.DataFrame, axis: str) -> pd.DataFrame:
    """Incidents and the articles reporting them (geo.counts) per day on `axis`: columns day
    (datetime), incidents, articles; days without incidents are absent."""
    days = time_values(incidents, axis).dropna()
    frame = pd.DataFrame({"day": days.to_numpy(), "incidents": 1,
                          "articles": unit_weights(incidents, "articles").loc[days.index].to_numpy()})
    frame = frame.groupby("day", sort=True).sum().reset_index()
    return frame.astype({"incidents": "int64", "articles": "int64"})


def counts_from_daily(daily: pd.DataFrame, bin: str = "day", unit: str = "incidents") -> pd.DataFrame:
    """Columns `period` (datetime) and `unit` from daily counts (`daily_counts`, or the store's
    geo.store.overview.daily_counts), with zero rows for empty periods."""
    if daily.empty:
        return pd.DataFrame({"period": pd.Series(dtype="datetime64[ns]"), unit: pd.Series(dtype="int64")})
    starts = period_start(pd.to_datetime(daily["day"]), bin)
    counts = daily[unit].groupby(starts.to_numpy()).sum().sort_index()
    step = "7D" if bin == "week" else "D"
    full = pd.date_range(counts.index.min(), counts.index.max(), freq=step)
    counts = counts.reindex(full, fill_value=0)
    return pd.DataFrame({"period": counts.index, unit: counts.to_numpy(dtype="int64")})


def counts_by_period(incidents: pd.DataFrame, axis: str, bin: str = "day",
                     unit: str = "incidents") -> pd.DataFrame:
    """Columns `period` (datetime) and `unit` (int: incidents, or the articles reporting them,
    geo.counts), with zero rows for empty periods."""
    if unit not in ("incidents", "articles"):
        unit_weights(incidents, unit)  # the unknown unit's error
    return counts_from_daily(daily_counts(incidents, axis), bin, unit)


def date_span(daily: pd.DataFrame, filters: Filters) -> tuple[date, date] | None:
    """First and last day with incidents inside the filter's date range (None: no dated one)."""
    days = pd.to_datetime(daily["day"]) if len(daily) else pd.Series(dtype="datetime64[ns]")
    if filters.start is not None:
        days = days[days >= pd.Timestamp(filters.start)]
    if filters.end is not None:
        days = days[days <= pd.Timestamp(filters.end)]
    if days.empty:
        return None
    return days.min().date(), days.max().date()


def timeline_chart(counts: pd.DataFrame, bin: str = "day", height: int = 110) -> alt.Chart:
    """Bar chart of counts with an x-interval brush named `brush`.

    Each bar spans its whole day or week (x to x2), so bars are visible at any range and the
    first and last periods are drawn in full; counts are whole numbers on the y axis.
    """
    unit = next(c for c in counts.columns if c != "period")
    brush = alt.selection_interval(name=BRUSH, encodings=["x"])
    label = "Week of" if bin == "week" else "Day"
    width = pd.Timedelta(days=7 if bin == "week" else 1)
    data = counts.assign(period_end=counts["period"] + width)
    peak = int(counts[unit].max()) if len(counts) else 1
    return (
        alt.Chart(data)
        .mark_rect(color="#c0392b", opacity=0.85, stroke="#ffffff", strokeWidth=0.3)
        .encode(
            x=alt.X("period:T", title=None, axis=alt.Axis(format="%d %b %Y", labelOverlap=True)),
            x2="period_end:T",
            y=alt.Y(f"{unit}:Q", title=COUNT_UNITS.get(unit, unit),
                    axis=alt.Axis(tickMinStep=1, format="d", values=None if peak > 6 else list(range(peak + 1)))),
            tooltip=[alt.Tooltip("period:T", title=label, format="%Y-%m-%d"), f"{unit}:Q"],
        )
        .add_params(brush)
        .properties(height=height)
    )


def _to_day(value: object) -> date:
    if isinstance(value, (int, float)):
        # Vega-Lite reports temporal selections as epoch milliseconds (UTC)
        return datetime.fromtimestamp(float(value) / 1000, tz=UTC).date()
    return pd.Timestamp(str(value)).date()


def brush_dates(selection: Mapping[str, object] | None) -> tuple[date, date] | None:
    """The brushed date range from an Altair selection state, or None when nothing is brushed."""
    if not selection:
        return None
    brush = selection.get(BRUSH) if isinstance(selection, Mapping) else None
    if not isinstance(brush, Mapping) or not brush:
        return None
    values = next(iter(brush.values()))
    if not isinstance(values, (list, tuple)) or len(values) != 2:
        return None
    try:
        start, end = sorted((_to_day(values[0]), _to_day(values[1])))
    except (ValueError, OverflowError, TypeError):
        return None
    return start, end


def playback_steps(start: date, end: date, bin: str = "day") -> list[tuple[date, date]]:
    """Consecutive (first, last) day ranges covering start..end, one per day or week."""
    if start > end:
        return []
    width = timedelta(days=7 if bin == "week" else 1)
    steps: list[tuple[date, date]] = []
    first = start
    while first <= end:
        last = min(first + width - timedelta(days=1), end)
        steps.append((first, last))
        first = last + timedelta(days=1)
    return steps
