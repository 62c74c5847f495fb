"""Admin join: give every mention adm0/adm1/adm2 codes and names, a geometry and a geo_precision.

Points (populated places) are joined spatially against the boundaries (geopandas `sjoin` on the
boundaries' spatial index, all points of a batch at once). Area-level mentions (countries,
admin-1, US counties) and derived sub-regions carry their codes already, so they are joined
directly on those codes and take the boundary polygon (or the derived geometry) as their shape.
"""

from __future__ import annotations

import sqlite3
import warnings
from contextlib import closing
from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import pandas as pd
import shapely

from geo import paths
from geo.types import GEO_PRECISION, Mention

CRS = "EPSG:4326"
ADMIN_COLUMNS = ["adm0_iso3", "adm0_name", "adm1_iso", "adm1_name", "adm2_code", "adm2_name"]
# geo_precision by gazetteer level, when the parser did not set Mention.precision
LEVEL_PRECISION = {"place": 1, "admin2": 2, "admin1": 3, "region": 3, "country": 4}


@dataclass
class AdminBoundaries:
    """Boundary layers: `adm*` (full detail) for point joins, `shapes*` for stored polygons."""

    adm0: gpd.GeoDataFrame  # iso2, iso3, name, geometry
    adm1: gpd.GeoDataFrame  # iso2, iso3, admin1_code, admin1_iso, name, geometry
    adm2: gpd.GeoDataFrame | None = None  # admin2_code, name, iso2, admin1_iso, geometry
    shapes0: gpd.GeoDataFrame | None = None  # simplified versions (same columns); default adm*
    shapes1: gpd.GeoDataFrame | None = None
    shapes2: gpd.GeoDataFrame | None = None
    # polygons for the choropleth count layers (one per unit, so detail is affordable)
    counts0: gpd.GeoDataFrame | None = None
    counts1: gpd.GeoDataFrame | None = None
    # admin-2 names by GeoNames code where no adm2 boundaries exist (outside the US)
    admin2_names: dict[str, str] | None = None

    def __post_init__(self) -> None:
        self.shapes0 = self.adm0 if self.shapes0 is None else self.shapes0
        self.shapes1 = self.adm1 if self.shapes1 is None else self.shapes1
        self.shapes2 = self.adm2 if self.shapes2 is None else self.shapes2
        self.counts0 = self.shapes0 if self.counts0 is None else self.counts0
        self.counts1 = self.shapes1 if self.counts1 is None else self.counts1
        # code -> (name, geometry) lookups for the direct joins
        self.adm0_by_iso3 = _lookup(self.shapes0, "iso3")
        self.iso2_to_iso3 = dict(zip(self.adm0["iso2"], self.adm0["iso3"], strict=True))
        self.adm1_by_iso = _lookup(self.shapes1, "admin1_iso")
        self.adm1_code_to_iso = dict(zip(self.adm1["admin1_code"], self.adm1["admin1_iso"],
                                         strict=True))
        self.adm2_by_code = _lookup(self.shapes2, "admin2_code") if self.shapes2 is not None else {}


def _lookup(frame: gpd.GeoDataFrame, key: str) -> dict[str, tuple[str, object]]:
    frame = frame[frame[key].notna()].drop_duplicates(key)
    return dict(zip(frame[key], zip(frame["name"], frame.geometry, strict=True), strict=True))


MAX_SHAPE_BYTES = 2048  # ~125 vertices: enough to draw a mentioned country on a web map


def lighten(frame: gpd.GeoDataFrame | None, max_bytes: int = MAX_SHAPE_BYTES,
            ) -> gpd.GeoDataFrame | None:
    """Simplify the few very detailed shapes (big countries, coastlines with islands) until
    their WKB fits `max_bytes`, so each stored area mention stays small."""
    if frame is None:
        return None
    frame = frame.copy()
    limit = max_bytes // 16  # 16 bytes per xy coordinate in WKB
    shapes = frame.geometry.values.copy()
    for i in (shapely.get_num_coordinates(shapes) > limit).nonzero()[0]:
        shapes[i] = _lighten_one(shapes[i], limit)
    frame.geometry = gpd.GeoSeries(shapes, index=frame.index, crs=frame.crs)
    return frame


def _lighten_one(shape: object, limit: int) -> object:
    if shape.geom_type == "MultiPolygon":  # islets first: invisible at the scale of the unit
        parts = sorted(shape.geoms, key=lambda p: p.area, reverse=True)
        kept = [p for p in parts if p.area >= parts[0].area * 0.01] or parts[:1]
        shape = shapely.MultiPolygon(kept)
    tolerance = 0.02
    simplified = shape
    while shapely.get_num_coordinates(simplified) > limit and tolerance < 2:
        simplified = shapely.simplify(shape, tolerance, preserve_topology=True)
        tolerance *= 2
    return simplified


@lru_cache(maxsize=1)
def load_admin_boundaries() -> AdminBoundaries:
    """The real boundaries. Full detail for point joins; for the shapes that mentions store,
    the simplified layers, further lightened to at most ~2 kB each (`lighten`); count
    layers use the simplified layers as they are."""
    from geo.boundaries import load_boundaries

    def safe(level: str, simplified: bool) -> gpd.GeoDataFrame | None:
        try:
            frame = load_boundaries(level, simplified=simplified)
        except (ValueError, KeyError, OSError):
            return None
        return frame if len(frame) else None

    simplified0, simplified1 = safe("adm0", True), safe("adm1", True)
    admin2_names = None
    if paths.gazetteer_db().exists():
        with closing(sqlite3.connect(f"file:{paths.gazetteer_db()}?mode=ro", uri=True)) as db:
            admin2_names = dict(db.execute("SELECT admin2_code, name FROM places "
                                           "WHERE level = 'admin2' AND admin2_code IS NOT NULL"))
    return AdminBoundaries(
        adm0=load_boundaries("adm0"), adm1=load_boundaries("adm1"), adm2=safe("adm2", False),
        shapes0=lighten(simplified0), shapes1=lighten(simplified1),
        shapes2=lighten(safe("adm2", True)), counts0=simplified0, counts1=simplified1,
        admin2_names=admin2_names,
    )


def geo_precision_of(mention: Mention) -> int | None:
    if mention.precision:
        return GEO_PRECISION.get(mention.precision)
    if mention.geometry_wkt:
        return 3
    return LEVEL_PRECISION.get(mention.level or "") if mention.resolved else None


def _spatial_admin(points: gpd.GeoDataFrame, layer: gpd.GeoDataFrame,
                   columns: dict[str, str]) -> pd.DataFrame:
    """Vectorised point-in-polygon on the layer's spatial index; first match per point."""
    joined = gpd.sjoin(points, layer[[*columns, "geometry"]], how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]
    return joined[list(columns)].rename(columns=columns)


# a unit's reference point may sit just off a simplified coastline (a port town's municipality)
NEARBY_DEGREES = 0.1


def _nearby_admin(points: gpd.GeoDataFrame, layer: gpd.GeoDataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """The polygon containing each point, else the nearest within NEARBY_DEGREES (else none)."""
    inside = _spatial_admin(points, layer, columns)
    missing = inside[list(columns.values())[0]].isna()
    if missing.any():
        with warnings.catch_warnings():  # degrees are fine at this tolerance: no projection needed
            warnings.simplefilter("ignore", UserWarning)
            near = gpd.sjoin_nearest(points[missing], layer[[*columns, "geometry"]], how="left",
                                     max_distance=NEARBY_DEGREES)
        near = near[~near.index.duplicated(keep="first")][list(columns)].rename(columns=columns)
        inside.loc[near.index] = near
    return inside


def join_mentions(mentions: list[Mention], boundaries: AdminBoundaries | None = None,
                  ) -> gpd.GeoDataFrame:
    """One row per mention: the Mention fields, geo_precision, admin columns and a geometry."""
    columns = list(Mention.__dataclass_fields__)
    frame = pd.DataFrame([m.__dict__ for m in mentions], columns=columns)
    frame["geo_precision"] = pd.array([geo_precision_of(m) for m in mentions], dtype="Int64")
    for column in ADMIN_COLUMNS:
        frame[column] = pd.Series([None] * len(frame), dtype="object")
    result = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([None] * len(frame), crs=CRS),
                              crs=CRS)
    if not mentions:
        return result
    b = boundaries or load_admin_boundaries()

    has_point = frame["lat"].notna() & frame["lon"].notna()
    point_geoms = shapely.points(frame["lon"].where(has_point).to_numpy(dtype=float),
                                 frame["lat"].where(has_point).to_numpy(dtype=float))
    point_geoms[~has_point.to_numpy()] = None
    result.geometry = gpd.GeoSeries(point_geoms, index=frame.index, crs=CRS)

    # 1. codes carried by the mention (area-level, derived regions, and fallback for points)
    iso3 = frame["country_iso3"].where(frame["country_iso3"].notna(),
                                       frame["country"].map(b.iso2_to_iso3))
    adm1_iso = frame["admin1_iso"].where(frame["admin1_iso"].notna(),
                                         frame["admin1_code"].map(b.adm1_code_to_iso))
    result["adm0_iso3"] = iso3
    result["adm1_iso"] = adm1_iso.where(frame["level"] != "country")
    result["adm2_code"] = frame["admin2_code"].where(frame["level"].isin(["admin2", "place"]))

    # 2. spatial join for populated places (points): the boundaries decide, codes are fallback
    is_place = has_point & ~frame["level"].isin(["country", "admin1", "admin2"]) \
        & frame["geometry_wkt"].isna()
    if is_place.any():
        points = result.loc[is_place, ["geometry"]]
        found0 = _spatial_admin(points, b.adm0, {"iso3": "adm0_iso3"})
        found1 = _spatial_admin(points, b.adm1, {"admin1_iso": "adm1_iso"})
        for column, found in (("adm0_iso3", found0), ("adm1_iso", found1)):
            result.loc[is_place, column] = found[column].where(
                found[column].notna(), result.loc[is_place, column])
        if b.adm2 is not None:
            found2 = _spatial_admin(points, b.adm2, {"admin2_code": "adm2_code"})
            result.loc[is_place, "adm2_code"] = found2["adm2_code"].where(
                found2["adm2_code"].notna(), result.loc[is_place, "adm2_code"])

    # 2b. area-level units whose own code has no boundary (a GeoNames unit Natural Earth maps
    # differently: Kenya's counties inside NE's provinces, Mayotte inside France): the boundary
    # that contains the unit's point gives the country and admin-1, so filters and names work.
    # Their stored shape still comes from their own code (step 4), never from the larger unit.
    own_iso3, own_adm1 = result["adm0_iso3"].copy(), result["adm1_iso"].copy()
    unknown0 = ~result["adm0_iso3"].isin(list(b.adm0_by_iso3))  # also no code at all (YT: no ISO3 polygon)
    unknown1 = result["adm1_iso"].notna() & ~result["adm1_iso"].isin(list(b.adm1_by_iso))
    orphan = has_point & ~is_place & (unknown0 | unknown1) & (frame["level"] != "country")
    if orphan.any():
        points = result.loc[orphan, ["geometry"]]
        for column, found in (("adm0_iso3", _nearby_admin(points, b.adm0, {"iso3": "adm0_iso3"})),
                              ("adm1_iso", _nearby_admin(points, b.adm1, {"admin1_iso": "adm1_iso"}))):
            unknown = (unknown0 if column == "adm0_iso3" else unknown1 | result["adm1_iso"].isna())[orphan]
            keep = found[column].notna() & unknown
            result.loc[keep[keep].index, column] = found.loc[keep, column]

    # 3. names from the code tables
    result["adm0_name"] = result["adm0_iso3"].map(lambda c: b.adm0_by_iso3.get(c, (None,))[0])
    result["adm1_name"] = result["adm1_iso"].map(lambda c: b.adm1_by_iso.get(c, (None,))[0])
    names2 = b.admin2_names or {}
    result["adm2_name"] = result["adm2_code"].map(
        lambda c: b.adm2_by_code.get(c, (None,))[0] or names2.get(c))

    # 4. shapes for area-level mentions and derived regions (points stay points)
    shapes, wkts = [], []
    rows = zip(frame["geometry_wkt"], frame["level"], own_iso3, own_adm1,
               result["adm2_code"], result.geometry.array, strict=True)
    for wkt, level, iso3, iso_1, code_2, point in rows:
        shape = None
        if isinstance(wkt, str) and wkt:
            shape = shapely.from_wkt(wkt)
            if shapely.get_num_coordinates(shape) > MAX_SHAPE_BYTES // 16:
                shape = _lighten_one(shape, MAX_SHAPE_BYTES // 16)
        elif level == "country":
            shape = b.adm0_by_iso3.get(iso3, (None, None))[1]
        elif level == "admin1":
            shape = b.adm1_by_iso.get(iso_1, (None, None))[1]
        elif level == "admin2":
            shape = b.adm2_by_code.get(code_2, (None, None))[1]
        shapes.append(shape if shape is not None else point)
        # the stored WKT is the stored (lightened, 6-decimal) shape, not a second, larger copy
        wkts.append(shapely.to_wkt(shape, rounding_precision=6, trim=True)
                    if isinstance(wkt, str) and wkt and shape is not None else wkt)
    result["geometry_wkt"] = wkts
    result.geometry = gpd.GeoSeries(shapes, index=frame.index, crs=CRS)
    for column in ADMIN_COLUMNS:  # missing is None, not NaN, for every consumer
        values = result[column].astype(object)
        result[column] = values.where(values.notna(), None)
    return result
