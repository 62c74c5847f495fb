"""Boundary layers: admin-1 from Natural Earth, admin-0 as their dissolve, US counties."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from geo.distance import haversine_km_array

CRS = "EPSG:4326"
EQUAL_AREA = "EPSG:6933"  # for areas and centroids


def read_ne_units(features_path: Path, matches: pd.DataFrame) -> gpd.GeoDataFrame:
    ne = gpd.read_file(features_path, engine="pyogrio")
    ne = ne.set_crs(CRS, allow_override=True)
    ne["place_id"] = matches["place_id"].values
    ne["admin2_gn_id"] = matches["admin2_gn_id"].values
    ne["geometry"] = shapely.make_valid(ne.geometry.values)
    return ne


def admin1_polygons(ne: gpd.GeoDataFrame, admin1: pd.DataFrame,
                    iso2_of_a3: dict[str, str]) -> gpd.GeoDataFrame:
    """One (multi)polygon per gazetteer admin-1 row, dissolving NE units that share a row."""
    multi = ne["place_id"].duplicated(keep=False)
    single = ne.loc[~multi, ["place_id", "geometry"]]
    merged = ne.loc[multi, ["place_id", "geometry"]].dissolve(by="place_id").reset_index()
    gdf = gpd.GeoDataFrame(pd.concat([single, merged], ignore_index=True), crs=CRS)
    meta = admin1.set_index("id")[["name", "country", "country_iso3", "admin1_code", "admin1_iso"]]
    gdf = gdf.join(meta, on="place_id")
    # NE marks some units' country as -99; recover it from the ISO 3166-2 prefix or adm0_a3.
    ne_country = ne.drop_duplicates("place_id").set_index("place_id")
    fallback = ne_country["iso_a2"].where(ne_country["iso_a2"].str.len() == 2,
                                          ne_country["adm0_a3"].map(iso2_of_a3))
    gdf["country"] = gdf["country"].where(gdf["country"].str.len() == 2,
                                          gdf["place_id"].map(fallback))
    gdf = gdf.rename(columns={"country": "iso2", "country_iso3": "iso3"})
    return gdf[["place_id", "name", "iso2", "iso3", "admin1_code", "admin1_iso", "geometry"]]


def admin0_polygons(adm1: gpd.GeoDataFrame, countries: pd.DataFrame) -> gpd.GeoDataFrame:
    """Countries as the union of their admin-1 units, so the two layers' borders coincide."""
    valid = adm1.dropna(subset=["iso2"])
    geoms = valid.groupby("iso2")["geometry"].agg(lambda g: shapely.union_all(g.values))
    gdf = gpd.GeoDataFrame({"iso2": geoms.index, "geometry": geoms.values}, crs=CRS)
    meta = countries.set_index("country")[["id", "name", "country_iso3"]]
    gdf = gdf.join(meta, on="iso2").rename(columns={"id": "place_id", "country_iso3": "iso3"})
    gdf = gdf.dropna(subset=["place_id"])
    gdf["place_id"] = gdf["place_id"].astype("int64")
    return gdf[["place_id", "name", "iso2", "iso3", "geometry"]]


def ne_admin2_polygons(ne: gpd.GeoDataFrame, admin2: pd.DataFrame) -> gpd.GeoDataFrame:
    """NE units that are GeoNames admin-2 units (French departments, English counties)."""
    sub = ne[ne["admin2_gn_id"].notna()].copy()
    meta = admin2.set_index("id")[["admin2_code", "country", "admin1_iso"]]
    sub["place_id"] = sub["admin2_gn_id"].astype("int64")
    sub = sub.drop(columns=[c for c in meta.columns if c in sub.columns]).join(meta, on="place_id").dropna(subset=["admin2_code"])
    sub["iso2"] = sub["country"]
    sub["fips"] = None
    return sub[["place_id", "admin2_code", "fips", "name", "iso2", "admin1_iso", "geometry"]]


def us_county_polygons(topojson_path: Path, us_states: dict, admin2: pd.DataFrame) -> gpd.GeoDataFrame:
    counties = gpd.read_file(topojson_path, layer="counties", engine="pyogrio")
    counties = counties.set_crs(CRS, allow_override=True)
    postal = {v["fips"]: v["code"] for v in us_states.values()}
    fips = counties["id"].astype(str).str.zfill(5)
    state = fips.str[:2].map(postal)
    counties["fips"] = fips
    counties["admin2_code"] = "US." + state + "." + fips.str[2:]
    counties["admin1_iso"] = "US-" + state
    counties["iso2"] = "US"
    counties = counties.dropna(subset=["admin2_code"])
    ids = admin2.set_index("admin2_code")["id"]
    counties["place_id"] = counties["admin2_code"].map(ids)
    counties["geometry"] = shapely.make_valid(counties.geometry.values)
    return counties[["place_id", "admin2_code", "fips", "name", "iso2", "admin1_iso", "geometry"]]


def _main_parts(adm0: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The largest part (by area) of each country."""
    parts = adm0.explode(index_parts=False).reset_index(drop=True)
    parts["area"] = parts.to_crs(EQUAL_AREA).area.values
    return parts.sort_values("area", ascending=False).drop_duplicates("iso2")


def main_part_points(adm0: gpd.GeoDataFrame) -> pd.DataFrame:
    """A point for each country: the centroid of its largest part, moved inside if needed.

    GeoNames places a country at a central point of its main territory (the United States
    at the centre of the contiguous states), which a plain centroid of all parts misses.
    """
    largest = _main_parts(adm0)
    cen = largest.to_crs(EQUAL_AREA).centroid.to_crs(CRS)
    inside = largest.geometry.contains(cen)
    pts = np.where(inside.values, cen.values, largest.geometry.representative_point().values)
    return pd.DataFrame({"iso2": largest["iso2"].values,
                         "lat": shapely.get_y(pts), "lon": shapely.get_x(pts)})


def centroid_spread_km(adm0: gpd.GeoDataFrame) -> pd.Series:
    """Per country, how far apart two equal-area maps put the centroid of its main part: the
    world cylindrical one (EQUAL_AREA) and an azimuthal one centred on that centroid. A few
    tens of km for most countries; for a territory spanning a large part of the globe the
    centroid depends on the map by hundreds of km, so it is no well-defined centre."""
    largest = _main_parts(adm0)
    cen = largest.to_crs(EQUAL_AREA).centroid.to_crs(CRS)
    local = []
    for geom, c in zip(largest.geometry.values, cen.values, strict=True):
        laea = Transformer.from_crs(CRS, f"+proj=laea +lat_0={c.y} +lon_0={c.x} +datum=WGS84", always_xy=True)
        centre = shapely.centroid(shapely.transform(geom, lambda xy, t=laea: np.column_stack(t.transform(xy[:, 0], xy[:, 1]))))
        local.append(shapely.Point(laea.transform(centre.x, centre.y, direction="INVERSE")))
    spread = haversine_km_array(shapely.get_y(cen.values), shapely.get_x(cen.values),
                                shapely.get_y(local), shapely.get_x(local))
    return pd.Series(spread, index=largest["iso2"].values)


def simplify(gdf: gpd.GeoDataFrame, tolerance: float) -> gpd.GeoDataFrame:
    out = gdf.copy()
    out["geometry"] = shapely.make_valid(out.geometry.simplify(tolerance, preserve_topology=True).values)
    return out


# A country's main-part centroid and its curated reference point that lie within this distance
# describe the same centre (reference points are whole or half degrees); see country_points.
CENTRES_AGREE_M = 250_000


def country_points(adm0: gpd.GeoDataFrame, countries: pd.DataFrame) -> pd.DataFrame:
    """The reference point of each country.

    The equal-area centroid of the country's main part (GeoNames places a country at the
    centre of its main territory: the United States at the centre of the contiguous states,
    where world-countries' Factbook point lies 200 km off), unless world-countries' point
    lies on the territory (within ~50 km, for small islands) and either lies more than
    CENTRES_AGREE_M from that centroid (the main part is too irregular for its centroid to
    be a centre: archipelagos, arctic islands, long coasts: Indonesia, Canada, New Zealand),
    or the centroid itself moves by more than CENTRES_AGREE_M from one equal-area map to
    another (a territory spanning a large part of the globe: Russia, Antarctica; see
    centroid_spread_km): then the curated point is kept. Countries without a polygon keep
    their point.
    """
    main = main_part_points(adm0).set_index("iso2")
    ref = countries.set_index("country")[["lat", "lon"]].dropna()
    shapes = adm0.set_index("iso2").geometry
    common = ref.index.intersection(shapes.index).intersection(main.index)
    pts = gpd.GeoSeries(gpd.points_from_xy(ref.loc[common, "lon"], ref.loc[common, "lat"]),
                        index=common, crs=CRS)
    on_territory = pts.to_crs(EQUAL_AREA).distance(shapes.loc[common].to_crs(EQUAL_AREA)) <= 50_000
    apart_km = haversine_km_array(ref.loc[common, "lat"].values, ref.loc[common, "lon"].values,
                                  main.loc[common, "lat"].values, main.loc[common, "lon"].values)
    spread_km = centroid_spread_km(adm0).reindex(common).fillna(0.0).values
    keep = common[on_territory.values & ((apart_km * 1000 > CENTRES_AGREE_M) | (spread_km * 1000 > CENTRES_AGREE_M))]
    out = main.copy()
    out.loc[keep, ["lat", "lon"]] = ref.loc[keep].values
    missing = ref.index.difference(out.index)  # no polygon: keep the reference point
    out = pd.concat([out, ref.loc[missing]])
    return out.rename_axis("iso2").reset_index()
