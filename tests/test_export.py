"""Exports: RFC 7946 GeoJSON rules, round trips through GDAL, metadata, every layer/format.
Every test runs on both store backends (GeoPackage and PostGIS)."""

from __future__ import annotations

import io
import json
import re
import warnings
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely
from incident_fixtures import PLACES, assert_rfc7946, boundaries, keyword_parser
from shapely.geometry import shape

from geo.export import FORMATS, LAYERS, RS, ExportError, export_layer, export_with_metadata
from geo.filters import KINDS, Filters
from geo.read import ArticleRecord
from geo.store import IncidentStore

AAA = Filters(countries=("AAA",), kinds=tuple(KINDS))
ARTICLES = [
    ArticleRecord("Gunmen killed four in Townville on Saturday, Aland police said.",
                  article_id="a1", title="Townville <b>attack</b>", url="https://example.org/1",
                  source="Wire", published="2024-01-22"),
    ArticleRecord("Floods hit South yesterday. Rescuers searched villages & farms.",
                  article_id="a2", published="2024-03-05", source="Herald"),
    ArticleRecord("Protesters marched in Borderton on Friday.", article_id="a3",
                  published="2024-06-10T09:00:00Z"),
    ArticleRecord("Nothing located here at all.", article_id="a4", published="2024-06-11"),
]


@pytest.fixture(scope="module")
def store(store_location: str | Path) -> IncidentStore:
    """The same articles in a store on each backend (GeoPackage, PostGIS)."""
    s = IncidentStore(store_location, parser=keyword_parser, boundaries=boundaries(),
                      gazetteer_get=PLACES.get)
    s.ingest(ARTICLES)
    yield s
    s.close()


def test_incidents_geojson_follows_rfc7946(store: IncidentStore) -> None:
    collection = json.loads(export_layer(store, "incidents", "geojson"))
    assert_rfc7946(collection)
    by_id = {f["id"]: f for f in collection["features"]}
    a1 = by_id["inc:a1"]["properties"]
    assert (a1["event_date"], a1["time"], a1["published"]) == \
        ("2024-01-20", "2024-01-20T00:00:00Z", "2024-01-22")
    for key in ("gazetteer_id", "geo_precision", "confidence", "source_url", "snippet"):
        assert a1[key] is not None, key
    assert by_id["inc:a1"]["geometry"] == {"type": "Point", "coordinates": [3.0, 9.0]}
    assert by_id["inc:a4"]["geometry"] is None  # unlocated incidents are kept, without geometry
    assert collection["metadata"]["feature_count"] == 4


def test_mention_polygons_are_reoriented_and_rounded(store: IncidentStore) -> None:
    collection = json.loads(export_layer(store, "mentions", "geojson"))
    assert_rfc7946(collection)
    south = [f for f in collection["features"] if f["properties"]["name"] == "South"][0]
    assert south["geometry"]["type"] == "Polygon"
    assert len(south["geometry"]["coordinates"]) == 2  # the lake hole survives
    assert "geometry_wkt" not in south["properties"]
    props = south["properties"]
    assert props["gazetteer_id"] == props["place_id"] == 12
    assert (props["published"], props["event_date"], props["time"]) == \
        ("2024-03-05", "2024-03-04", "2024-03-04T00:00:00Z")
    assert props["geo_precision"] == 3 and props["confidence"] == 0.9
    assert "South" in props["snippet"]


def test_stable_ids_and_content(store: IncidentStore) -> None:
    first = json.loads(export_layer(store, "mentions", "geojson"))
    second = json.loads(export_layer(store, "mentions", "geojson"))
    assert first["features"] == second["features"]


def test_metadata_records_filter_and_gazetteer_version(store: IncidentStore, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"build_id": "b123", "sources": [
        {"key": "ne", "name": "npm:x", "version": "1.0", "sha256": "ab"}]}))
    monkeypatch.setattr("geo.paths.manifest_path", lambda: manifest)
    filters = Filters(countries=("AAA",), start=date(2024, 1, 1), kinds=tuple(KINDS))
    data, meta = export_with_metadata(store, "incidents", "geojson", filters)
    collection = json.loads(data)
    assert collection["metadata"] == meta
    assert meta["filter"] == {"countries": ["AAA"], "start": "2024-01-01"}
    assert meta["gazetteer"]["build_id"] == "b123"
    assert meta["gazetteer"]["sources"][0]["version"] == "1.0"
    assert {f["id"] for f in collection["features"]} == {"inc:a1", "inc:a2"}


def test_geojson_round_trips_through_gdal(store: IncidentStore, tmp_path: Path) -> None:
    for layer in LAYERS:
        original = json.loads(export_layer(store, layer, "geojson"))
        path = tmp_path / f"{layer}.geojson"
        path.write_bytes(export_layer(store, layer, "geojson"))
        frame = pyogrio.read_dataframe(path)
        assert frame.crs.to_epsg() == 4326
        assert len(frame) == len(original["features"])
        for feature, (_, row) in zip(original["features"], frame.iterrows(), strict=True):
            for key, value in feature["properties"].items():
                got = row[key]
                if value is None:
                    assert got is None or pd.isna(got), key
                elif key in ("event_date", "published", "time", "first_event_date",
                             "last_event_date", "first_reported") or key.endswith("_at"):
                    assert str(pd.Timestamp(got).date()) == str(value)[:10], key
                else:
                    assert got == value, key
            if feature["geometry"] is not None:
                assert row.geometry.equals_exact(shape(feature["geometry"]), 1e-9)


def test_geojson_sequence_is_rfc8142(store: IncidentStore, tmp_path: Path) -> None:
    data = export_layer(store, "mentions", "geojsonl")
    records = data.split(RS)[1:]
    assert data.startswith(RS) and all(r.endswith(b"\n") for r in records)
    features = [json.loads(r) for r in records]
    whole = json.loads(export_layer(store, "mentions", "geojson"))["features"]
    assert features == whole
    path = tmp_path / "m.geojsons"
    path.write_bytes(data)
    assert len(pyogrio.read_dataframe(path)) == len(whole)


def test_gpkg_export_round_trips_with_metadata_table(store: IncidentStore, tmp_path: Path) -> None:
    for layer in LAYERS:
        path = tmp_path / f"{layer}.gpkg"
        path.write_bytes(export_layer(store, layer, "gpkg", AAA))
        layers = dict(pyogrio.list_layers(path))
        name = layer.replace("-", "_")
        assert list(layers) == [name]  # one layer: the metadata lives in gpkg_metadata
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # geopandas opens it without a "more than one layer" warning
            frame = gpd.read_file(path)
        expected = json.loads(export_layer(store, layer, "geojson", AAA))
        assert len(frame) == len(expected["features"])
        meta = pyogrio.read_info(path, layer=name)["layer_metadata"]
        assert json.loads(meta["filter"]) == {"countries": ["AAA"]}


def test_csv_has_lat_lon_and_round_trips(store: IncidentStore) -> None:
    table = pd.read_csv(io.BytesIO(export_layer(store, "incidents", "csv")))
    collection = json.loads(export_layer(store, "incidents", "geojson"))
    assert list(table["incident_id"]) == [f["id"] for f in collection["features"]]
    row = table.set_index("incident_id").loc["inc:a1"]
    assert (row["latitude"], row["longitude"]) == (9.0, 3.0)
    assert row["title"] == "Townville <b>attack</b>"  # data, not markup: CSV keeps it verbatim
    assert "# " not in export_layer(store, "incidents", "csv").decode()[:2]
    # polygons are given by a point inside them
    mentions = pd.read_csv(io.BytesIO(export_layer(store, "mentions", "csv")))
    south = mentions[mentions["name"] == "South"].iloc[0]
    assert shapely.Polygon([(0, 0), (0, 5), (10, 5), (10, 0)]).contains(
        shapely.Point(south["longitude"], south["latitude"]))


def test_kml_has_timestamps_escapes_text_and_reads_back(store: IncidentStore,
                                                        tmp_path: Path) -> None:
    data = export_layer(store, "incidents", "kml")
    text = data.decode()
    assert "<when>2024-01-20</when>" in text
    assert "<b>attack</b>" not in text and "&lt;b&gt;attack" in text
    path = tmp_path / "i.kml"
    path.write_bytes(data)
    frame = pyogrio.read_dataframe(path)
    assert len(frame) == 3  # the unlocated incident has no placemark
    assert set(frame["Name"]) == {"Townville", "South", "Borderton"}
    polygons = tmp_path / "m.kml"
    polygons.write_bytes(export_layer(store, "adm1-counts", "kml"))
    assert set(pyogrio.read_dataframe(polygons).geom_type) == {"Polygon"}


def test_count_layers(store: IncidentStore) -> None:
    adm1 = json.loads(export_layer(store, "adm1-counts", "geojson"))
    assert_rfc7946(adm1)
    counts = {f["id"]: f["properties"]["incidents"] for f in adm1["features"]}
    assert counts == {"AA-N": 1, "AA-S": 1, "BB-X": 1}
    adm0 = json.loads(export_layer(store, "adm0-counts", "geojson",
                                  Filters(end=date(2024, 3, 31), kinds=tuple(KINDS))))
    assert {f["id"]: f["properties"]["incidents"] for f in adm0["features"]} == {"AAA": 2}
    assert adm0["features"][0]["geometry"]["type"] == "Polygon"


def test_bad_layer_or_format(store: IncidentStore) -> None:
    with pytest.raises(ExportError, match="unknown layer"):
        export_layer(store, "places", "geojson")
    with pytest.raises(ExportError, match="unknown format"):
        export_layer(store, "incidents", "shp")


def test_every_layer_and_format_exports(store: IncidentStore) -> None:
    for layer in LAYERS:
        for fmt in FORMATS:
            assert export_layer(store, layer, fmt), (layer, fmt)


def _without_metadata(data: bytes, fmt: str) -> object:
    """An export's content without the metadata that names the store and the export time."""
    if fmt == "geojson":
        return json.loads(data)["features"]
    if fmt == "kml":
        return re.sub(rb"<ExtendedData><Data name=\"export_metadata\">.*?</ExtendedData>", b"",
                      data, count=1)
    return data


def test_both_backends_export_the_same_content(tmp_path: Path, postgis_url: str) -> None:
    """The same articles ingested into a GeoPackage and into PostGIS export the same features,
    byte for byte in CSV and KML, for every layer and filter tried."""
    stores = [IncidentStore(location, parser=keyword_parser, boundaries=boundaries(),
                            gazetteer_get=PLACES.get)
              for location in (tmp_path / "s.gpkg", postgis_url)]
    try:
        for s in stores:
            s.ingest(ARTICLES)
        for filters in (None, Filters(countries=("AAA",), start=date(2024, 3, 1),
                                      kinds=tuple(KINDS))):
            for layer in LAYERS:
                for fmt in ("geojson", "csv", "kml"):
                    gpkg, pg = (_without_metadata(export_layer(s, layer, fmt, filters), fmt)
                                for s in stores)
                    assert gpkg == pg, (layer, fmt, filters)
                    assert gpkg, (layer, fmt)
    finally:
        for s in stores:
            s.close()
