"""Map layers as plain tables: point groups, area counts, choropleth classes and a heat grid.

Pure pandas/geopandas so each piece is testable without a browser; `mapview` turns these into
folium elements. Area-level incidents (admin-1, country, derived regions) are not pins: they are
counted per area and drawn at the area's real extent.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.counts import unit_counts

# precision values drawn as areas rather than points
AREA_PRECISIONS = ("admin1", "subregion", "country")
# sequential YlOrRd classes for choropleths and area shading
CLASS_COLORS = ["#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026"]
NICE_BREAKS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000]
# a single point marker stands for all incidents at the same spot (rounded to ~1 m)
COORD_DECIMALS = 5


def lat_lon(incidents: gpd.GeoDataFrame) -> pd.DataFrame:
    """lat/lon of each incident's point (representative point for any non-point geometry)."""
    geoms = incidents.geometry.values
    not_point = ~shapely.is_empty(geoms) & (shapely.get_type_id(geoms) != 0)
    if not_point.any():
        geoms = geoms.copy()
        geoms[not_point] = shapely.point_on_surface(geoms[not_point])
    return pd.DataFrame({"lat": shapely.get_y(geoms), "lon": shapely.get_x(geoms)}, index=incidents.index)


def split_points_areas(incidents: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """(point-level incidents, area-level incidents) by their precision."""
    is_area = incidents["precision"].isin(AREA_PRECISIONS)
    return incidents[~is_area], incidents[is_area]


def admin_counts(incidents: pd.DataFrame, key: str, name: str, unit: str = "incidents") -> pd.DataFrame:
    """Counts per admin area in `unit` (incidents or articles): columns key, name, n (areas
    without a code are skipped). The same counts as the count exports (geo.counts.unit_counts)."""
    counts = unit_counts(incidents, key, name)
    return pd.DataFrame({key: counts[key], name: counts[name], "n": counts[unit].astype("int64")})


def area_day_counts(incidents: pd.DataFrame, key: str, name: str, days: pd.Series,
                    weights: pd.Series | None = None) -> pd.DataFrame:
    """Per area: columns key, name, n (whole period), days and counts (lists, one entry per day).

    `days` is each incident's day offset (-1: undated); each incident counts 1, or its entry in
    `weights` (its articles: geo.counts.unit_weights). The browser sums the counts over the time
    bar's window, so areas follow scrubbing without asking the app.
    """
    valid = incidents[incidents[key].notna() & (incidents[key].astype(str) != "")]
    if valid.empty:
        return pd.DataFrame({key: pd.Series(dtype=str), name: pd.Series(dtype=str), "n": pd.Series(dtype="int64"),
                             "days": pd.Series(dtype=object), "counts": pd.Series(dtype=object)})
    weight = 1 if weights is None else weights.loc[valid.index].astype("int64")
    per_day = (pd.DataFrame({key: valid[key].astype(str), "day": days.loc[valid.index].astype("int64"), "w": weight})
               .groupby([key, "day"], sort=True)["w"].sum().rename("c").reset_index())
    # per_day is sorted by area: cut its columns at each new area (no per-group Python calls)
    codes = per_day[key].to_numpy()
    cuts = np.flatnonzero(codes[1:] != codes[:-1]) + 1
    day_lists = [a.tolist() for a in np.split(per_day["day"].to_numpy(), cuts)]
    count_lists = [a.tolist() for a in np.split(per_day["c"].to_numpy(), cuts)]
    names = valid.assign(**{key: valid[key].astype(str)}).groupby(key, sort=True)[name].first()
    area_codes = codes[np.concatenate([[0], cuts])]
    return pd.DataFrame({
        key: area_codes, name: names.reindex(area_codes).to_numpy(),
        "n": [sum(c) for c in count_lists], "days": day_lists, "counts": count_lists,
    })


def class_breaks(max_count: int, classes: int = len(CLASS_COLORS)) -> list[int]:
    """Lower bounds of up to `classes` count classes, from NICE_BREAKS, covering 1..max_count."""
    if max_count <= 1:
        return [1]
    candidates = [b for b in NICE_BREAKS if b <= max_count]
    if len(candidates) <= classes:
        return candidates
    # keep the first and spread the rest evenly so the top class is not empty
    idx = np.linspace(0, len(candidates) - 1, classes).round().astype(int)
    return [candidates[i] for i in sorted(set(idx))]


def class_colors(counts: pd.Series, breaks: list[int]) -> pd.Series:
    """The class colour of each count (counts below the first break get the first colour)."""
    palette = CLASS_COLORS if len(breaks) == len(CLASS_COLORS) else CLASS_COLORS[-len(breaks):]
    positions = np.searchsorted(np.asarray(breaks), counts.to_numpy(), side="right") - 1
    positions = np.clip(positions, 0, len(breaks) - 1)
    return pd.Series([palette[i] for i in positions], index=counts.index, dtype=object)


def heat_grid(incidents: gpd.GeoDataFrame, cell_degrees: float = 0.05,
              weights: pd.Series | None = None) -> list[list[float]]:
    """[lat, lon, weight] per occupied grid cell: the heatmap stays small at any incident count.
    Each incident weighs 1, or its entry in `weights` (its articles: geo.counts.unit_weights)."""
    if incidents.empty:
        return []
    coords = lat_lon(incidents)
    coords = coords.assign(w=1 if weights is None else weights.reindex(coords.index).fillna(1)).dropna()
    cells = (coords[["lat", "lon"]] / cell_degrees).round() * cell_degrees
    counts = cells.assign(w=coords["w"]).groupby(["lat", "lon"])["w"].sum().reset_index(name="n")
    peak = float(counts["n"].max())
    return [[round(a, 4), round(b, 4), round(float(n) / peak, 3)] for a, b, n in counts.itertuples(index=False)]


def region_polygons(area_incidents: gpd.GeoDataFrame, mentions: gpd.GeoDataFrame | None,
                    days: pd.Series | None = None) -> gpd.GeoDataFrame:
    """Derived regions ("southern California"): the mention polygon per region, with counts.

    Regions have no boundary layer of their own; their polygon comes from the mentions table
    (joined on article and gazetteer id). Returns columns label, gazetteer_id, n, days (the day
    offset of each of the n mentions, from `days`, else -1), geometry.
    """
    empty = gpd.GeoDataFrame({"label": [], "gazetteer_id": [], "n": [], "days": []}, geometry=[], crs="EPSG:4326")
    regions = area_incidents[area_incidents["precision"] == "subregion"]
    regions = regions.assign(_day=(days.loc[regions.index].astype("int64") if days is not None else -1))
    if regions.empty or mentions is None or mentions.empty:
        return empty
    polys = mentions[shapely.get_type_id(mentions.geometry.values) >= 3]  # polygons only
    if polys.empty:
        return empty
    polys = polys.assign(label=polys["surface"].fillna(polys["name"]))
    joined = regions[["article_id", "gazetteer_id", "_day"]].merge(
        pd.DataFrame(polys[["article_id", "place_id", "label", "modifier"]]).assign(
            wkb=shapely.to_wkb(polys.geometry.values, hex=True)
        ),
        left_on=["article_id", "gazetteer_id"],
        right_on=["article_id", "place_id"],
    ).drop_duplicates(["article_id", "gazetteer_id", "wkb"])
    if joined.empty:
        return empty
    grouped = joined.groupby("wkb", sort=False)
    out = pd.DataFrame({"label": grouped["label"].first(), "gazetteer_id": grouped["gazetteer_id"].first(),
                        "n": grouped.size(), "days": grouped["_day"].agg(list)}).reset_index()
    geometry = shapely.from_wkb(out["wkb"].to_numpy())
    # simplified for the browser: a region's outline needs no more than ~1 km detail
    geometry = shapely.simplify(geometry, 0.01, preserve_topology=True)
    return gpd.GeoDataFrame(out[["label", "gazetteer_id", "n", "days"]], geometry=geometry, crs="EPSG:4326")
