"""A tiny gazetteer in the real schema, for unit tests of the geoparser and for trying rules
without the full build. Rows are real GeoNames facts (rounded), a handful per trap."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from geo.textnorm import normalize

# id, name, level, fcode, country, admin1_code, admin1_iso, admin2_code, population, lat, lon
PLACES = [
    (3996063, "Mexico", "country", "PCLI", "MX", None, None, None, 126_190_788, 23.0, -102.0),
    (6252001, "United States", "country", "PCLI", "US", None, None, None, 327_167_434, 39.76, -98.5),
    (614540, "Georgia", "country", "PCLI", "GE", None, None, None, 3_704_500, 42.0, 43.5),
    (3017382, "France", "country", "PCLI", "FR", None, None, None, 66_987_244, 46.0, 2.0),
    (3996065, "Sonora", "admin1", "ADM1", "MX", "MX.26", "MX-SON", None, 2_750_130, 29.53, -110.49),
    (3983035, "Sinaloa", "admin1", "ADM1", "MX", "MX.25", "MX-SIN", None, 2_558_476, 25.60, -108.00),
    (5332921, "California", "admin1", "ADM1", "US", "US.CA", "US-CA", None, 38_879_034, 36.75, -119.59),
    (5879092, "Alaska", "admin1", "ADM1", "US", "US.AK", "US-AK", None, 683_138, 64.0, -150.0),
    (4197000, "Georgia", "admin1", "ADM1", "US", "US.GA", "US-GA", None, 4_718_281, 32.85, -83.41),
    (5815135, "Washington", "admin1", "ADM1", "US", "US.WA", "US-WA", None, 6_419_669, 47.49, -120.36),
    (4896861, "Illinois", "admin1", "ADM1", "US", "US.IL", "US-IL", None, 12_830_632, 40.0, -89.25),
    (4398678, "Missouri", "admin1", "ADM1", "US", "US.MO", "US-MO", None, 5_988_927, 38.25, -92.5),
    (4736286, "Texas", "admin1", "ADM1", "US", "US.TX", "US-TX", None, 25_145_561, 31.25, -99.25),
    (4140963, "Washington", "place", "PPLC", "US", "US.DC", "US-DC", None, 689_545, 38.895, -77.036),
    (4250542, "Springfield", "place", "PPLA", "US", "US.IL", "US-IL", None, 116_565, 39.80, -89.64),
    (4409896, "Springfield", "place", "PPLA2", "US", "US.MO", "US-MO", None, 166_810, 37.22, -93.30),
    (2988507, "Paris", "place", "PPLC", "FR", "FR.11", "FR-IDF", None, 2_138_551, 48.853, 2.349),
    (4717560, "Paris", "place", "PPLA2", "US", "US.TX", "US-TX", None, 24_782, 33.66, -95.56),
    (3623076, "Limón", "admin1", "ADM1", "CR", "CR.06", "CR-L", None, 125_378, 9.70, -83.15),
    (3893629, "Coronel", "place", "PPL", "CL", "CL.06", "CL-BI", None, 92_940, -37.03, -73.14),
    (4017700, "Culiacán", "place", "PPLA", "MX", "MX.25", "MX-SIN", None, 675_773, 24.80, -107.39),
    (2639577, "Reading", "place", "PPLA2", "GB", "GB.ENG", "GB-ENG", None, 318_014, 51.457, -0.97),
    (2643743, "London", "place", "PPLC", "GB", "GB.ENG", "GB-ENG", None, 8_961_989, 51.509, -0.126),
    (2635167, "United Kingdom", "country", "PCLI", "GB", None, None, None, 66_488_991, 54.0, -2.0),
    (2911522, "Hamm", "place", "PPLA3", "DE", "DE.07", "DE-NW", None, 178_967, 51.68, 7.82),
    (4176318, "Walton", "place", "PPL", "US", "US.IN", "US-IN", None, 1_049, 40.66, -86.24),
]
# extra names: (place id, name, kind)
NAMES = [
    (3996063, "Mexican", "demonym"), (6252001, "American", "demonym"), (5332921, "Californian", "demonym"),
    (6252001, "US", "abbr"), (6252001, "USA", "abbr"), (2635167, "UK", "abbr"),
    (3017382, "French", "demonym"), (614540, "Georgian", "demonym"),
    (5332921, "CA", "abbr"), (4896861, "IL", "abbr"), (6252001, "America", "alt"),
    (2635167, "Britain", "alt"), (2911522, "Hamas", "alt"),
]
META = {"build_id": "tiny-fixture-1", "schema": "1"}


def build_tiny_gazetteer(folder: Path) -> Path:
    """Write gazetteer.sqlite (real schema, a few dozen rows) into folder; return its path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "gazetteer.sqlite"
    if db.exists():
        db.unlink()
    con = sqlite3.connect(db)
    con.executescript(
        """
        CREATE TABLE places (id INTEGER PRIMARY KEY, name TEXT NOT NULL, level TEXT NOT NULL,
          feature_class TEXT, feature_code TEXT, country TEXT, country_iso3 TEXT, admin1_code TEXT,
          admin1_iso TEXT, admin2_code TEXT, population INTEGER NOT NULL DEFAULT 0,
          lat REAL NOT NULL, lon REAL NOT NULL, alt_names TEXT, fips TEXT);
        CREATE TABLE names (norm TEXT NOT NULL, place_id INTEGER NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL);
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
        """
    )
    for pid, name, level, fcode, cc, a1, a1iso, a2, pop, lat, lon in PLACES:
        fclass = "A" if level in ("country", "admin1", "admin2") else "P"
        con.execute(
            "INSERT INTO places VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (pid, name, level, fclass, fcode, cc, None, a1, a1iso, a2, pop, lat, lon, "", None),
        )
        con.execute("INSERT INTO names VALUES (?,?,?,?)", (normalize(name), pid, name, "name"))
        ascii_name = normalize(name)
        if ascii_name != name.lower():
            con.execute("INSERT INTO names VALUES (?,?,?,?)", (ascii_name, pid, ascii_name.title(), "ascii"))
    for pid, name, kind in NAMES:
        con.execute("INSERT INTO names VALUES (?,?,?,?)", (normalize(name), pid, name, kind))
    con.executemany("INSERT INTO meta VALUES (?,?)", META.items())
    con.commit()
    con.close()
    return db
