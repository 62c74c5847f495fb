"""What a marker's colour and size mean, and the rows the browser's time layer draws.

Colour: the incident's category when the store has one (the events stage adds `category`),
else its recency (age at the end of the filtered period). Size: the number of sources that
reported it (`source_count`, 1 when the store does not count sources). Each row of the time
layer is one location on one day, so the browser can show any date window without asking the app.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.counts import unit_weights
from geo.filters import CATEGORIES
from geo.view.filters import time_values
from geo.view.layers import COORD_DECIMALS, lat_lon
from geo.view.popups import ISO_DAY

# recency classes: (upper bound in days before the period's last day, label, colour)
RECENCY_CLASSES: list[tuple[int, str, str]] = [
    (7, "last 7 days", "#b2182b"),
    (30, "8–30 days before", "#ef6548"),
    (90, "31–90 days before", "#fc9272"),
    (10**9, "older", "#b8a9a4"),
]
# qualitative palette for categories (colour-blind safe order), the rest share "other"
CATEGORY_COLORS = ["#1f78b4", "#e31a1c", "#33a02c", "#ff7f00", "#6a3d9a", "#b15928", "#a6cee3", "#fb9a99"]
OTHER_COLOR = "#999999"
NO_CATEGORY = "uncategorised"
# radius in px per source-count class; <= 10 so Leaflet reports the marker's own position on click
SIZE_CLASSES: list[tuple[int, str, int]] = [(1, "1 source", 5), (2, "2–3 sources", 7), (4, "4+ sources", 9)]
POPUP_TITLE_CHARS = 70


@dataclass(frozen=True)
class Legend:
    """What the colours and sizes on the map mean: (label, colour) and (label, radius) pairs."""

    color_by: str  # "category" or "recency"
    colors: list[tuple[str, str]]
    sizes: list[tuple[str, int]]
    sized_by_sources: bool


def color_keys(incidents: pd.DataFrame, axis: str, days: pd.Series | None = None
               ) -> tuple[pd.Series, list[tuple[str, str]], str]:
    """(colour per incident, legend entries, "category" or "recency"); `days`: the incidents'
    time_values on `axis`, when the caller has them already (parsing dates is costly)."""
    if "category" in incidents.columns and incidents["category"].notna().any():
        cats = incidents["category"].fillna(NO_CATEGORY).astype(str)
        ranked = [c for c in cats.value_counts().index if c != NO_CATEGORY]
        named = ranked[: len(CATEGORY_COLORS)]
        palette = dict(zip(named, CATEGORY_COLORS, strict=False))
        colors = cats.map(palette).fillna(OTHER_COLOR)
        legend = [(CATEGORIES.get(c, c), palette[c]) for c in named]  # the taxonomy's labels
        if len(ranked) > len(named) or (cats == NO_CATEGORY).any():
            legend.append(("other / uncategorised", OTHER_COLOR))
        return colors, legend, "category"
    days = time_values(incidents, axis) if days is None else days
    last = days.max()
    age = (last - days).dt.days if pd.notna(last) else pd.Series(np.nan, index=incidents.index)
    bounds = [b for b, _, _ in RECENCY_CLASSES]
    idx = np.searchsorted(np.asarray(bounds), age.fillna(10**8).to_numpy(), side="left")
    palette = np.asarray([c for _, _, c in RECENCY_CLASSES], dtype=object)
    colors = pd.Series(palette[np.minimum(idx, len(palette) - 1)], index=incidents.index, dtype=object)
    present = set(colors)
    legend = [(label, c) for _, label, c in RECENCY_CLASSES if c in present]
    return colors, legend, "recency"


def source_counts(incidents: pd.DataFrame) -> pd.Series:
    return unit_weights(incidents, "articles")


def radius_for(sources: pd.Series) -> pd.Series:
    mins = np.asarray([m for m, _, _ in SIZE_CLASSES])
    radii = np.asarray([r for _, _, r in SIZE_CLASSES])
    idx = np.clip(np.searchsorted(mins, sources.to_numpy(), side="right") - 1, 0, len(mins) - 1)
    return pd.Series(radii[idx], index=sources.index)


def time_rows(points: gpd.GeoDataFrame, axis: str, max_rows: int | None = None, unit: str = "incidents",
              day0: date | None = None, days: pd.Series | None = None
              ) -> tuple[pd.DataFrame, int, date | None, Legend]:
    """Rows for the browser's time layer: one per location, day and colour.

    Columns lat, lon, n (incidents, or their articles when `unit` is "articles"), incidents,
    color, radius, day (days after `day0`, -1 undated), and what the browser's popup shows: name,
    title (shortened) and date (the event's YYYY-MM-DD, "" when unknown) of the row's most
    confident incident. No HTML: the browser builds the popup and sets these as text.
    Days count from `day0` (default: the points' first day) so that other layers can share the
    time bar. Returns (rows, incidents left out by the cap, day0, legend). Past `max_rows` rows the
    locations with most incidents are kept and the rest counted, so the page stays bounded.
    `days`: the points' time_values on `axis`, when the caller has them already.
    """
    days = time_values(points, axis) if days is None else days
    colors, color_legend, color_by = color_keys(points, axis, days)
    sources = source_counts(points)
    sized = "source_count" in points.columns
    legend = Legend(color_by, color_legend, [(label, r) for _, label, r in SIZE_CLASSES] if sized else [],
                    sized)
    empty = pd.DataFrame(columns=list(ROW_COLUMNS))
    if points.empty:
        return empty, 0, None, legend
    coords = lat_lon(points).round(COORD_DECIMALS)
    day0 = pd.Timestamp(day0) if day0 is not None else days.min()
    offsets = ((days - day0).dt.days if pd.notna(day0) else pd.Series(np.nan, index=points.index))
    frame = pd.DataFrame({
        "lat": coords["lat"], "lon": coords["lon"], "color": colors, "sources": sources,
        "weight": unit_weights(points, unit),
        "day": offsets.fillna(-1).astype("int64"), "confidence": points["confidence"],
        "name": points["name"], "title": points["title"], "event_date": points["event_date"],
    }).dropna(subset=["lat", "lon"])
    if frame.empty:
        return empty, 0, None, legend
    frame = frame.sort_values("confidence", ascending=False, kind="stable")
    # sorted by confidence, so "first" is the most confident incident's place, title and date
    out = frame.groupby(["lat", "lon", "day", "color"], sort=False).agg(
        n=("weight", "sum"), incidents=("confidence", "size"), sources=("sources", "max"), name=("name", "first"),
        title=("title", "first"), event_date=("event_date", "first")).reset_index()
    dropped = 0
    if max_rows is not None and len(out) > max_rows:
        # keep whole locations, busiest first, so a kept place keeps all its days
        per_location = out.groupby(["lat", "lon"])["n"].transform("sum")
        out = out.assign(_busy=per_location).sort_values(["_busy", "day"], ascending=[False, True], kind="stable")
        dropped = int(out["incidents"].iloc[max_rows:].sum())
        out = out.iloc[:max_rows].drop(columns="_busy")
    out["radius"] = radius_for(out["sources"]).to_numpy()
    out["name"] = [v if isinstance(v, str) else "" for v in out["name"].tolist()]
    out["title"] = [short_title(v) for v in out["title"].tolist()]
    out["date"] = iso_days(out["event_date"])
    rows = out[list(ROW_COLUMNS)].reset_index(drop=True)
    return rows, dropped, (day0.date() if pd.notna(day0) else None), legend


ROW_COLUMNS = ("lat", "lon", "n", "incidents", "color", "radius", "day", "name", "title", "date")


def iso_days(values: pd.Series) -> list[str]:
    """YYYY-MM-DD of each date value ("" when missing or unreadable)."""
    # the store's ISO text needs no parsing (most values); anything else is parsed
    out = [v[:10] if isinstance(v, str) and ISO_DAY.match(v) else None for v in values.tolist()]
    rest = [i for i, v in enumerate(out) if v is None]
    if rest:
        parsed = pd.to_datetime(values.iloc[rest], errors="coerce", utc=True, format="mixed").dt.strftime("%Y-%m-%d")
        for i, day in zip(rest, parsed.tolist(), strict=True):
            out[i] = day if isinstance(day, str) else ""
    return out  # type: ignore[return-value]


def short_title(title: object) -> str:
    """The title cut to POPUP_TITLE_CHARS (with an ellipsis); "" when missing."""
    text = title if isinstance(title, str) else ""
    return text if len(text) <= POPUP_TITLE_CHARS else text[: POPUP_TITLE_CHARS - 1] + "…"


def point_columns(rows: pd.DataFrame) -> dict[str, list]:
    """The rows as the browser's time layer takes them: one array per field (far smaller and
    faster to parse than one object per row), colours, names and dates as indexes into short
    tables. Text stays plain text here; the browser sets it with textContent."""
    if rows.empty:
        return {k: [] for k in ("lat", "lon", "n", "incidents", "color", "radius", "day", "name", "title", "date",
                                "colors", "names", "dates")}

    def coded(values: pd.Series) -> tuple[list[int], list[str]]:
        codes, table = pd.factorize(values, sort=False)
        return codes.tolist(), [str(v) for v in table]

    color, colors = coded(rows["color"])
    name, names = coded(rows["name"])
    date_code, dates = coded(rows["date"])
    return {"lat": rows["lat"].astype(float).tolist(), "lon": rows["lon"].astype(float).tolist(),
            "n": rows["n"].astype("int64").tolist(), "incidents": rows["incidents"].astype("int64").tolist(),
            "color": color, "radius": rows["radius"].astype("int64").tolist(),
            "day": rows["day"].astype("int64").tolist(), "name": name, "title": rows["title"].tolist(),
            "date": date_code, "colors": colors, "names": names, "dates": dates}
