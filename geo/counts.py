"""What the map, the timeline and the count exports count: incidents or articles.

An incident is one real-world event; the articles are the reports of it (`source_count` of
them). Counting incidents measures events, counting articles measures coverage: three outlets
on one attack are 1 incident and 3 articles. An article that reports two incidents counts once
for each (article counts are reports of events, summed per incident).
"""

from __future__ import annotations

import pandas as pd

COUNT_UNITS: dict[str, str] = {"incidents": "Incidents", "articles": "Articles"}
SINGULAR: dict[str, str] = {"incidents": "incident", "articles": "article"}


def unit_weights(incidents: pd.DataFrame, unit: str = "incidents") -> pd.Series:
    """How much each incident row counts in `unit`: 1 per incident, or the number of articles
    that report it (`source_count`; 1 for tables from before incidents were events)."""
    if unit not in COUNT_UNITS:
        raise ValueError(f"unknown count unit {unit!r}: choose from {', '.join(COUNT_UNITS)}")
    if unit == "incidents" or "source_count" not in incidents.columns:
        return pd.Series(1, index=incidents.index, dtype="int64")
    counts = pd.to_numeric(incidents["source_count"], errors="coerce")
    return counts.fillna(1).clip(lower=1).astype("int64")


def unit_counts(incidents: pd.DataFrame, key: str, name: str, extra: tuple[str, ...] = ()) -> pd.DataFrame:
    """Incidents and articles per unit code `key` (admin-1 or country), with the unit's `name`
    and `extra` columns (first value), sorted by code; rows without a code are skipped. The one
    count behind the map's choropleths and the count exports (geo.export.count_units)."""
    columns = [key, name, *extra]
    if incidents.empty or key not in incidents:
        return pd.DataFrame({**{c: pd.Series(dtype=object) for c in columns},
                             "incidents": pd.Series(dtype="int64"), "articles": pd.Series(dtype="int64")})
    codes = incidents[key]
    valid = codes.notna() & (codes != "")
    located = pd.DataFrame({c: incidents[c] for c in columns if c in incidents})[valid]
    located["articles"] = unit_weights(incidents, "articles")[valid]
    by_unit = located.groupby(key, sort=True)  # grouped once for every column
    out = by_unit[[c for c in columns[1:] if c in located]].first()
    out["incidents"] = by_unit.size().astype("int64")
    out["articles"] = by_unit["articles"].sum().astype("int64")
    return out.reset_index()


def plural(n: int, unit: str) -> str:
    """"1 incident", "3 articles"."""
    return f"{n:,} {SINGULAR[unit] if n == 1 else unit}"
