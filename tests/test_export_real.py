"""The seed article through the real parser, gazetteer and boundaries into every export."""

from __future__ import annotations

import io
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely
from incident_fixtures import assert_rfc7946

from geo import paths
from geo.export import FORMATS, LAYERS, export_layer, export_with_metadata
from geo.read import read_paths
from geo.store import IncidentStore


@pytest.fixture(scope="module")
def seed_store(store_location: str | Path, seed_article: tuple[str, dict],
               real_gazetteer_dir: Path) -> IncidentStore:
    pytest.importorskip("geo.parse", reason="geo.parse (the geoparser helper's) not there yet")
    _, expected = seed_article
    records = read_paths([paths.shared_dir() / "seeds" / expected["file"]])
    store = IncidentStore(store_location)  # on each backend (GeoPackage, PostGIS)
    report = store.ingest(records.records)
    assert (report.stored, report.rejected) == (1, 0)
    yield store
    store.close()


def test_seed_incident_is_sonora_on_saturday(seed_store: IncidentStore,
                                             seed_article: tuple[str, dict]) -> None:
    _, expected = seed_article
    incident = seed_store.incidents().iloc[0]
    assert incident["adm1_iso"] == expected["primary_location"]["admin1_iso"]
    assert incident["adm0_iso3"] == "MEX" and incident["adm1_name"] == "Sonora"
    assert (incident["event_date"], incident["time_precision"]) == (expected["event_date"], 1)
    assert incident["published"] == expected["published"]
    assert incident["geo_precision"] == 3
    assert "Sonora" in incident["snippet"] and incident["reason"]
    sonora = gpd.read_file(paths.boundaries_path(), layer="adm1",
                           where="admin1_iso = 'MX-SON'").geometry.iloc[0]
    assert sonora.contains(incident.geometry)


def test_seed_mentions_carry_polygons_and_flags(seed_store: IncidentStore) -> None:
    mentions = seed_store.mentions()
    org = mentions[mentions["kind"] == "org_embedded"]
    assert len(org) >= 1 and set(org["surface"]) == {"Sinaloa"}
    sonora = mentions[mentions["surface"] == "Sonora"].iloc[0]
    assert sonora.geometry.geom_type in {"Polygon", "MultiPolygon"}
    assert (sonora["adm1_iso"], sonora["geo_precision"]) == ("MX-SON", 3)
    regions = mentions[mentions["kind"] == "modified_region"]
    if len(regions):  # "southern California": a derived shape inside California
        california = gpd.read_file(paths.simplified_boundaries_path(), layer="adm1",
                                   where="admin1_iso = 'US-CA'").geometry.iloc[0]
        region = regions.iloc[0].geometry
        assert region.area < california.area
        assert california.buffer(0.05).contains(region)


def test_real_geojson_exports_follow_rfc7946(seed_store: IncidentStore, tmp_path: Path) -> None:
    for layer in LAYERS:
        data, meta = export_with_metadata(seed_store, layer, "geojson")
        collection = json.loads(data)
        assert_rfc7946(collection)
        assert collection["features"], layer
        path = tmp_path / f"{layer}.geojson"
        path.write_bytes(data)
        frame = pyogrio.read_dataframe(path)
        assert len(frame) == len(collection["features"])
        assert list(frame[{"incidents": "incident_id", "mentions": "mention_id",
                           "articles": "article_id",
                           "adm1-counts": "adm1_iso", "adm0-counts": "adm0_iso3"}[layer]]) \
            == [f["id"] for f in collection["features"]]
    manifest = json.loads(paths.manifest_path().read_text())
    assert meta["gazetteer"]["build_id"] == manifest["build_id"]
    assert len(meta["gazetteer"]["sources"]) == len(manifest["sources"])


def test_real_adm1_counts_cover_sonora(seed_store: IncidentStore) -> None:
    counts = json.loads(export_layer(seed_store, "adm1-counts", "geojson"))
    feature = counts["features"][0]
    assert (feature["id"], feature["properties"]["incidents"]) == ("MX-SON", 1)
    polygon = shapely.geometry.shape(feature["geometry"])
    assert polygon.contains(shapely.Point(-110.96, 29.07))  # Hermosillo


def test_real_other_formats_round_trip(seed_store: IncidentStore, tmp_path: Path) -> None:
    incidents = json.loads(export_layer(seed_store, "incidents", "geojson"))["features"]
    table = pd.read_csv(io.BytesIO(export_layer(seed_store, "incidents", "csv")))
    assert table.loc[0, "adm1_iso"] == "MX-SON"
    assert (table.loc[0, "longitude"], table.loc[0, "latitude"]) == \
        tuple(incidents[0]["geometry"]["coordinates"])
    gpkg = tmp_path / "m.gpkg"
    gpkg.write_bytes(export_layer(seed_store, "mentions", "gpkg"))
    assert len(gpd.read_file(gpkg, layer="mentions")) == len(seed_store.mentions())
    kml = tmp_path / "i.kml"
    kml.write_bytes(export_layer(seed_store, "incidents", "kml"))
    assert len(pyogrio.read_dataframe(kml)) == 1
    for fmt in FORMATS:
        assert export_layer(seed_store, "adm0-counts", fmt)
