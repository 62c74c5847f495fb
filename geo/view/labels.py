"""Place names for the offline basemap, from our own gazetteer, split by the zoom they appear at.

Capitals and big cities first, towns as the analyst zooms in: each populated place gets a
minimum zoom from its population (and capital / admin-seat status), and each zoom tier is a small
static JSON file the browser fetches only when it gets there (`PlaceLabels`).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pandas as pd
from folium.template import Template

from geo import paths
from geo.jsonfile import write_json_atomic
from geo.view.assets import STATIC_URL
from geo.view.basemap import BASEMAP_DIR
from geo.view.elements import FinalTextMacro, js_json

JS_SOURCE = (Path(__file__).parent / "js" / "labels.js").read_text(encoding="utf-8")
# (population at least, minimum zoom); capitals show from CAPITAL_ZOOM, admin-1 seats by 6
POPULATION_ZOOMS: list[tuple[int, int]] = [
    (5_000_000, 3), (1_000_000, 4), (300_000, 5), (100_000, 6), (30_000, 7), (10_000, 8), (3_000, 9), (1_000, 10)]
CAPITAL_ZOOM = 3
ADMIN1_SEAT_ZOOM = 6
ADMIN2_SEAT_ZOOM = 8
MAX_LABELS = 160  # per view: enough to read the map, few enough to stay light


def min_zoom(population: pd.Series, feature_code: pd.Series) -> pd.Series:
    """The zoom from which each place is labelled (NaN: never)."""
    zoom = pd.Series(float("nan"), index=population.index)
    for threshold, z in reversed(POPULATION_ZOOMS):
        zoom[population >= threshold] = z
    zoom[feature_code.eq("PPLA2")] = zoom[feature_code.eq("PPLA2")].clip(upper=ADMIN2_SEAT_ZOOM).fillna(ADMIN2_SEAT_ZOOM)
    zoom[feature_code.eq("PPLA")] = zoom[feature_code.eq("PPLA")].clip(upper=ADMIN1_SEAT_ZOOM).fillna(ADMIN1_SEAT_ZOOM)
    zoom[feature_code.eq("PPLC")] = CAPITAL_ZOOM
    return zoom


def label_tiers(places: pd.DataFrame) -> dict[int, list[list]]:
    """zoom -> [[name, lat, lon, rank]] (rank 0 for capitals, 1 otherwise), most populous first."""
    zoom = min_zoom(places["population"], places["feature_code"].fillna(""))
    frame = places.assign(zoom=zoom).dropna(subset=["zoom"])
    frame = frame.sort_values(["zoom", "population"], ascending=[True, False], kind="stable")
    tiers: dict[int, list[list]] = {}
    for z, group in frame.groupby("zoom", sort=True):
        tiers[int(z)] = [[str(n), round(float(a), 3), round(float(o), 3), 0 if fc == "PPLC" else 1]
                         for n, a, o, fc in zip(group["name"], group["lat"], group["lon"], group["feature_code"],
                                                strict=True)]
    return tiers


def read_places(db: Path) -> pd.DataFrame:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        return pd.read_sql_query(
            "SELECT name, feature_code, population, lat, lon FROM places WHERE level = 'place'", con)


def labels_url(zoom: int) -> str:
    return f"{STATIC_URL}/basemap/labels-{zoom}.json"


def ensure_labels(out_dir: Path = BASEMAP_DIR, db: Path | None = None) -> list[dict]:
    """[{zoom, url}] of the label tiers, written when missing or older than the gazetteer."""
    db = db or paths.gazetteer_db()
    if not db.exists():
        return []
    index = out_dir / "labels-index.json"
    if not index.exists() or index.stat().st_mtime < db.stat().st_mtime:
        out_dir.mkdir(parents=True, exist_ok=True)
        tiers = label_tiers(read_places(db))
        for zoom, rows in tiers.items():
            write_json_atomic(out_dir / f"labels-{zoom}.json", rows)
        write_json_atomic(index, sorted(tiers))
    zooms = json.loads(index.read_text(encoding="utf-8"))
    return [{"zoom": int(z), "url": labels_url(int(z))} for z in zooms]


class PlaceLabels(FinalTextMacro):
    """Zoom-dependent place names over the offline basemap (see js/labels.js)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.js_source }}
        window.placeLabels({{ this._parent.get_name() }}, {{ this.tiers_json }}, {{ this.opts_json }})
            .addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, tiers: list[dict], max_labels: int = MAX_LABELS):
        super().__init__()
        self._name = "PlaceLabels"
        self.js_source = JS_SOURCE
        self.tiers_json = js_json(tiers)
        self.opts_json = js_json({"maxLabels": max_labels})
