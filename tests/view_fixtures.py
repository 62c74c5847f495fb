"""Small synthetic incident/mention/article tables with exactly the store's column names.

For the view's unit tests only (never app data). Real-store tests live beside them.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point, box

INCIDENT_COLUMNS = [
    "incident_id", "article_id", "title", "source", "source_url", "published", "event_date",
    "time_precision", "name", "kind", "level", "gazetteer_id", "precision", "geo_precision",
    "confidence", "adm0_iso3", "adm0_name", "adm1_iso", "adm1_name", "adm2_code", "adm2_name",
    "reason", "snippet", "geometry",
]
MENTION_COLUMNS = [
    "mention_id", "article_id", "start", "end", "surface", "kind", "place_id", "name", "level",
    "country", "admin1_iso", "lat", "lon", "modifier", "precision", "geo_precision", "confidence",
    "evidence", "adm0_iso3", "adm0_name", "adm1_iso", "adm1_name", "adm2_code", "adm2_name",
    "geometry",
]

# (name, lat, lon, precision, level, adm0_iso3, adm0_name, adm1_iso, adm1_name, gazetteer_id)
PLACES = [
    ("Hermosillo", 29.07, -110.96, "place", "place", "MEX", "Mexico", "MX-SON", "Sonora", 101),
    ("Nogales", 31.31, -110.94, "place", "place", "MEX", "Mexico", "MX-SON", "Sonora", 102),
    ("Sonora", 29.3, -110.7, "admin1", "admin1", "MEX", "Mexico", "MX-SON", "Sonora", 103),
    ("Tucson", 32.22, -110.97, "place", "place", "USA", "United States", "US-AZ", "Arizona", 201),
    ("Pima County", 32.1, -111.8, "admin2", "admin2", "USA", "United States", "US-AZ", "Arizona", 202),
    ("California", 37.0, -120.0, "subregion", "region", "USA", "United States", "US-CA", "California", 203),
    ("Mexico", 23.0, -102.0, "country", "country", "MEX", "Mexico", None, None, 100),
]
GEO_PRECISION = {"place": 1, "admin2": 2, "admin1": 3, "subregion": 3, "country": 4}


def synthetic_store_tables(days: int = 20, seed: int = 7):
    """(incidents, mentions, articles): one article per day, 1-3 incidents each."""
    rng = np.random.default_rng(seed)
    incidents, mentions, articles = [], [], []
    for day in range(days):
        article_id = f"a{day:03d}"
        published = pd.Timestamp("2024-03-01") + pd.Timedelta(days=day)
        title = f"Report {day} on border events"
        text = f"Officials in {PLACES[day % len(PLACES)][0]} said on day {day} that crossings rose."
        if day == 3:
            title = "Water dispute <b>escalates</b>"
            text += " The drought keyword appears here."
        articles.append({"article_id": article_id, "content_hash": f"h{day}", "title": title,
                         "url": f"https://news.example.org/{day}", "source": "Example News",
                         "published": published.date().isoformat(), "text": text})
        chosen = rng.choice(len(PLACES), size=1 + day % 3, replace=False)
        for j, idx in enumerate(chosen):
            name, lat, lon, precision, level, iso3, cname, adm1, adm1name, gid = PLACES[idx]
            kind = "org_embedded" if (day + j) % 9 == 8 else ("modified_region" if precision == "subregion" else "toponym")
            surface = f"southern {name}" if precision == "subregion" else name
            event = published - pd.Timedelta(days=int(rng.integers(0, 3)))
            incidents.append({
                "incident_id": f"{article_id}-{j}", "article_id": article_id, "title": title,
                "source": "Example News", "source_url": f"https://news.example.org/{day}",
                "published": published.date().isoformat(), "event_date": event.date().isoformat(),
                "time_precision": "day", "name": name, "kind": kind, "level": level,
                "gazetteer_id": gid, "precision": precision, "geo_precision": GEO_PRECISION[precision],
                "confidence": round(0.4 + 0.05 * ((day * 3 + j) % 12), 2), "adm0_iso3": iso3,
                "adm0_name": cname, "adm1_iso": adm1, "adm1_name": adm1name, "adm2_code": None,
                "adm2_name": None, "reason": "unique match", "snippet": f"Events near {surface} on day {day}.",
                "geometry": Point(lon, lat),
            })
            geom = box(-121, 32.5, -114, 35.5) if precision == "subregion" else Point(lon, lat)
            mentions.append({
                "mention_id": f"{article_id}-m{j}", "article_id": article_id, "start": 0,
                "end": len(surface), "surface": surface, "kind": kind, "place_id": gid, "name": name,
                "level": level, "country": iso3[:2], "admin1_iso": adm1, "lat": lat, "lon": lon,
                "modifier": "southern" if precision == "subregion" else None, "precision": precision,
                "geo_precision": GEO_PRECISION[precision], "confidence": 0.8,
                "evidence": f"Events near {surface}.", "adm0_iso3": iso3, "adm0_name": cname,
                "adm1_iso": adm1, "adm1_name": adm1name, "adm2_code": None, "adm2_name": None,
                "geometry": geom,
            })
    inc = gpd.GeoDataFrame(pd.DataFrame(incidents)[INCIDENT_COLUMNS], geometry="geometry", crs="EPSG:4326")
    men = gpd.GeoDataFrame(pd.DataFrame(mentions)[MENTION_COLUMNS], geometry="geometry", crs="EPSG:4326")
    return inc, men, pd.DataFrame(articles)


# ---- a real store: real parser, gazetteer and boundaries on part of data/sample ----------------

HOSTILE_TITLE = "<script>window.__xss='title';alert('title')</script> Protest in Culiacán"
HOSTILE_TEXT = (
    "CULIACÁN, Mexico (Test Wire) - Gunmen killed two people in Culiacán on Monday "
    "<script>window.__xss='text';alert('text')</script> over water cuts, officials said. "
    "<img src=x onerror=\"window.__xss='img';alert('img')\"> Police in Culiacán closed roads."
)
SAMPLE_FILES = ("2024-q1.jsonl", "2024-q2.jsonl")
_built: dict[str, str] = {}


def build_real_store(dest_dir, files=SAMPLE_FILES, hostile: bool = True):
    """Ingest part of data/sample (and one hostile article) into dest_dir/incidents.gpkg.

    Built once per process and copied, so several tests can share the slow part.
    """
    import shutil
    from pathlib import Path

    from geo import paths
    from geo.read import ArticleRecord, read_paths
    from geo.store import IncidentStore

    key = f"{files}-{hostile}"
    dest = Path(dest_dir) / "incidents.gpkg"
    if key in _built and Path(_built[key]).exists():
        shutil.copy(_built[key], dest)
        return dest
    sample = paths.ROOT / "data" / "sample"
    result = read_paths([sample / f for f in files])
    records = list(result.records)
    if hostile:
        records.append(ArticleRecord(text=HOSTILE_TEXT, article_id="hostile-1", title=HOSTILE_TITLE,
                                     url="javascript:alert('url')", source="<b>Test Wire</b>",
                                     published="2024-06-10"))
    with IncidentStore(dest) as store:
        store.ingest(records)
    master = Path(dest_dir) / "master-incidents.gpkg"
    shutil.copy(dest, master)
    _built[key] = str(master)
    return dest


def started(at):
    """Run an AppTest of the app as a browser session starts: the first run draws the map (the
    sidebar's widgets and the timeline come on the second, which the mounted map asks for)."""
    at.run()
    return at.run()
