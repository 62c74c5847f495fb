"""Downloads: the filtered layers as RFC 7946 GeoJSON, CSV and GeoPackage, with telling names.
The tests on a real store run on both backends (GeoPackage and PostGIS)."""

from __future__ import annotations

import io
import json
from datetime import date

import geopandas as gpd
import pandas as pd
import pytest
from view_fixtures import build_real_store, synthetic_store_tables

from geo.view.exports import export_filename, layer_frame, to_bytes
from geo.view.filters import KINDS, Filters, apply_filters


def assert_rfc7946(doc: dict) -> None:
    assert doc["type"] == "FeatureCollection" and "crs" not in doc
    for feature in doc["features"]:
        assert feature["type"] == "Feature" and isinstance(feature["properties"], dict)
        geom = feature["geometry"]
        if geom is None:
            continue
        coords = json.dumps(geom["coordinates"])
        numbers = [float(x) for x in coords.replace("[", " ").replace("]", " ").replace(",", " ").split()]
        lons, lats = numbers[0::2], numbers[1::2]
        assert all(-180 <= x <= 180 for x in lons) and all(-90 <= y <= 90 for y in lats)


@pytest.fixture(scope="module")
def tables():
    return synthetic_store_tables()


def test_file_names_say_layer_and_range():
    f = Filters(start=date(2024, 3, 2), end=date(2024, 3, 9))
    assert export_filename("incidents", f, "geojson") == "incidents_2024-03-02_2024-03-09.geojson"
    assert export_filename("adm1-counts", Filters(), "csv", (date(2024, 1, 1), date(2024, 2, 1))) == \
        "adm1-counts_2024-01-01_2024-02-01.csv"
    assert export_filename("mentions", Filters(), "gpkg") == "mentions_all-dates.gpkg"
    # the filter is in the name, so different views never collide
    view = Filters(countries=("MEX", "USA"), admin1=("MX-SIN",), query="Agua / fría?")
    assert export_filename("incidents", view, "csv", (date(2024, 1, 1), date(2024, 2, 1))) == \
        "incidents_MEX+USA_MX-SIN_q-agua-fr-a_2024-01-01_2024-02-01.csv"
    many = Filters(countries=("AAA", "BBB", "CCC", "DDD", "EEE"))
    assert export_filename("incidents", many, "csv") == "incidents_AAA+BBB+CCC+2more_all-dates.csv"
    names = {export_filename("incidents", Filters(countries=(c,)), "geojson") for c in ("MEX", "USA")}
    assert len(names) == 2


def test_exports_follow_the_filters(tables):
    incidents, mentions, _ = tables
    narrow = Filters(countries=("USA",), kinds=tuple(KINDS))
    shown = apply_filters(incidents, narrow)
    doc = json.loads(to_bytes(layer_frame("incidents", shown, mentions, narrow), "geojson", "incidents"))
    assert_rfc7946(doc)
    assert len(doc["features"]) == len(shown) < len(incidents)
    assert {f["properties"]["adm0_iso3"] for f in doc["features"]} == {"USA"}
    ment = layer_frame("mentions", shown, mentions, narrow)
    assert set(ment["article_id"]) <= set(shown["article_id"])
    counts = layer_frame("adm1-counts", shown, mentions, narrow)
    assert counts["incidents"].sum() == shown["adm1_iso"].notna().sum()
    assert (counts["first_event_date"] <= counts["last_event_date"]).all()
    assert doc["metadata"]["filter"]["app"] == {} and doc["metadata"]["feature_count"] == len(shown)


def test_mentions_export_respects_kinds(tables):
    incidents, mentions, _ = tables
    default = layer_frame("mentions", incidents, mentions, Filters())
    assert "org_embedded" not in set(default["kind"]) and len(default) < len(mentions)


def test_csv_and_gpkg_round_trip(tables, tmp_path):
    incidents, mentions, _ = tables
    frame = layer_frame("incidents", incidents, mentions, Filters(kinds=tuple(KINDS)))
    table = pd.read_csv(io.BytesIO(to_bytes(frame, "csv")))
    assert len(table) == len(frame) and {"longitude", "latitude"} <= set(table.columns)
    assert table["latitude"].between(-90, 90).all()
    path = tmp_path / "x.gpkg"
    path.write_bytes(to_bytes(frame, "gpkg", "incidents"))
    back = gpd.read_file(path, layer="incidents")
    assert len(back) == len(frame) and back.crs.to_epsg() == 4326
    region_mentions = mentions[mentions.geometry.geom_type == "Polygon"]
    table = pd.read_csv(io.BytesIO(to_bytes(region_mentions, "csv", "mentions")))
    assert (table["geometry_type"] == "Polygon").all() and table["latitude"].between(-90, 90).all()


def test_unknown_layer_or_format_is_a_clear_error(tables):
    incidents, mentions, _ = tables
    with pytest.raises(ValueError, match="unknown layer"):
        layer_frame("roads", incidents, mentions, Filters())
    with pytest.raises(ValueError, match="unknown format"):
        to_bytes(incidents, "shp")


def test_metadata_records_the_app_filter(tables):
    incidents, mentions, _ = tables
    f = Filters(countries=("MEX",), min_confidence=0.5)
    doc = json.loads(to_bytes(layer_frame("incidents", apply_filters(incidents, f), mentions, f), "geojson",
                              "incidents", f))
    assert doc["metadata"]["filter"]["app"] == {"country": "MEX", "minconf": "0.5"}
    assert all(feat["id"] for feat in doc["features"])


def test_real_store_exports(real_store):
    from geo.boundaries import load_boundaries
    from geo.store import IncidentStore

    with IncidentStore(real_store) as store:
        incidents, mentions = store.incidents(), store.mentions()
    filters = Filters(start=date(2024, 1, 1), end=date(2024, 3, 31))
    shown = apply_filters(incidents, filters)
    assert 0 < len(shown) < len(incidents)
    adm1 = load_boundaries("adm1", simplified=True)
    for layer in ("incidents", "mentions", "adm1-counts"):
        doc = json.loads(to_bytes(layer_frame(layer, shown, mentions, filters, adm1), "geojson", layer, filters))
        assert_rfc7946(doc)
        assert doc["features"], layer
    counts = json.loads(to_bytes(layer_frame("adm1-counts", shown, mentions, filters, adm1), "geojson"))
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in counts["features"] if f["geometry"])


@pytest.fixture(scope="module")
def real_store(real_gazetteer_dir, store_location, tmp_path_factory):
    """Part of data/sample through the real pipeline, on each backend: the GeoPackage as built,
    or copied into PostGIS (`geo store copy`). Tests only read it."""
    from geo.store import IncidentStore
    from geo.store.copy import copy_store

    gpkg = build_real_store(tmp_path_factory.mktemp("real"))
    if not isinstance(store_location, str):
        return gpkg
    with IncidentStore(gpkg) as source, IncidentStore(store_location) as destination:
        copy_store(source.backend, destination.backend)
    return store_location


def _ids(data: bytes, column: str) -> list[str]:
    return sorted(pd.read_csv(io.BytesIO(data), dtype=str)[column].dropna())


@pytest.mark.parametrize("fields, args", [
    ({"start": date(2024, 2, 1), "end": date(2024, 5, 31)}, ["--from", "2024-02-01", "--to", "2024-05-31"]),
    ({"countries": ("MEX",), "query": "police"}, ["--country", "MEX", "--text", "police"]),
    ({"geo_precision": (1, 2), "time_axis": "published", "start": date(2024, 3, 1)},
     ["--precision", "1,2", "--time-axis", "published", "--from", "2024-03-01"]),
    ({"kinds": ("toponym",), "min_confidence": 0.6}, ["--kinds", "toponym", "--min-confidence", "0.6"]),
])
def test_app_download_and_geo_export_give_the_same_rows(real_store, capsysbinary, fields, args):
    """One Filters type: the app's download and `geo export` with the same filter agree."""
    from dataclasses import replace

    from geo.boundaries import load_boundaries
    from geo.cli import main
    from geo.store import IncidentStore

    path = real_store
    with IncidentStore(path) as store:
        incidents, mentions, articles = store.read_all()
    filters = replace(Filters(kinds=tuple(KINDS)), **fields)
    shown = apply_filters(incidents, filters, articles)
    assert 0 < len(shown) < len(incidents), "the filter must select something, not everything"
    adm1 = load_boundaries("adm1", simplified=True)
    for layer, column in (("incidents", "incident_id"), ("mentions", "mention_id"),
                          ("adm1-counts", "adm1_iso")):
        app_rows = _ids(to_bytes(layer_frame(layer, shown, mentions, filters, adm1), "csv", layer, filters),
                        column)
        capsysbinary.readouterr()
        assert main(["export", "--store", str(path), "--layer", layer, "--format", "csv", *args]) == 0
        cli_rows = _ids(capsysbinary.readouterr().out, column)
        assert cli_rows == app_rows, layer
