"""Exports safe to open: KML that parses and carries no live markup, CSV without formulas.
On the real parser, gazetteer and store (both backends); the app's CSV download uses the same writer."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point

from geo.export import export_layer, to_csv, to_kml
from geo.read import ArticleRecord
from geo.store import IncidentStore

HOSTILE_TITLE = '=HYPERLINK("http://evil.example","click") <svg onload=alert(1)>'
HOSTILE_TEXT = ("Gunmen <svg onload=alert(1)> attacked a convoy near Culiacan, Sinaloa, on "
                "Saturday.\x01\x0c\x1b\ufffe <img src=x onerror=alert(2)>")
KML = "{http://www.opengis.net/kml/2.2}"


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)


def html_tags(markup: str) -> list[str]:
    parser = _Tags()
    parser.feed(markup)
    parser.close()
    return parser.tags


@pytest.fixture(scope="module")
def hostile_store(store_location: str | Path, real_gazetteer_dir: Path):
    pytest.importorskip("geo.parse")
    store = IncidentStore(store_location)  # on each backend (GeoPackage, PostGIS)
    report = store.ingest([ArticleRecord(text=HOSTILE_TEXT, article_id="-evil\x01",
                                         title=HOSTILE_TITLE, published="2024-01-22",
                                         source="@source")])
    assert report.stored == 1
    yield store
    store.close()


@pytest.mark.parametrize("layer", ["incidents", "mentions"])
def test_kml_parses_and_no_tag_from_article_text_survives(hostile_store: IncidentStore,
                                                          layer: str) -> None:
    data = export_layer(hostile_store, layer, "kml")
    root = ET.fromstring(data)  # XML 1.0 forbidden characters would make this fail
    assert {e.tag for e in root.iter()} <= {f"{KML}{t}" for t in (
        "kml", "Document", "name", "ExtendedData", "Data", "value", "Placemark", "description",
        "TimeStamp", "when", "Point", "coordinates", "Polygon", "MultiGeometry",
        "outerBoundaryIs", "innerBoundaryIs", "LinearRing", "LineString")}
    descriptions = [e.text or "" for e in root.iter(f"{KML}description")]
    assert descriptions and any("Culiacan" in d for d in descriptions)
    for description in descriptions:  # rendered as HTML by KML clients
        assert html_tags(description) == []
    assert any("&lt;svg onload" in d for d in descriptions)
    assert b"\x01" not in data and b"\x0c" not in data and b"\x1b" not in data
    assert "\ufffe".encode() not in data


def test_csv_neutralises_formulas_in_text_columns_only(hostile_store: IncidentStore) -> None:
    rows = list(csv.DictReader(io.StringIO(export_layer(hostile_store, "incidents", "csv")
                                           .decode("utf-8"))))
    (row,) = rows
    assert row["title"] == "'" + HOSTILE_TITLE
    assert row["article_id"].startswith("'-evil") and row["source"] == "'@source"
    assert float(row["longitude"]) < 0 and row["longitude"].startswith("-")  # numbers untouched


def test_app_download_uses_the_same_neutralisation(hostile_store: IncidentStore) -> None:
    from geo.view.exports import to_bytes

    frame = hostile_store.incidents()
    rows = list(csv.DictReader(io.StringIO(to_bytes(frame, "csv").decode("utf-8"))))
    assert rows[0]["title"] == "'" + HOSTILE_TITLE and rows[0]["longitude"].startswith("-")


def test_writers_on_every_formula_prefix() -> None:
    values = ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "plain", "a=b"]
    frame = gpd.GeoDataFrame({"incident_id": list(range(len(values))), "title": values,
                              "score": [-1.5] * len(values), "snippet": values},
                             geometry=[Point(-100, 20)] * len(values), crs="EPSG:4326")
    table = list(csv.DictReader(io.StringIO(to_csv(frame, "incident_id", {}).decode("utf-8"),
                                             newline="")))
    assert [r["title"] for r in table] == ["'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx", "'\nx",
                                           "plain", "a=b"]
    assert {r["score"] for r in table} == {"-1.5"}
    kml = to_kml(frame, "incident_id", {"layer": "incidents"})
    ET.fromstring(kml)
