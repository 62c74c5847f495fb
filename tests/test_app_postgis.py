"""The app on a PostGIS store (GEO_STORE=postgresql://...): it reads through the pooled
connection and shows what the same store shows as a GeoPackage; a correction made in the app
is written to PostGIS."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest
from view_fixtures import build_real_store

from geo import paths
from geo.store import IncidentStore
from geo.store.copy import copy_store
from geo.view.panels import TAB_KEY

APP = str(paths.ROOT / "app.py")


@pytest.fixture()
def postgis_store(real_gazetteer_dir, tmp_path, postgis_url) -> tuple[str, object]:
    gpkg = build_real_store(tmp_path)
    with IncidentStore(gpkg) as source, IncidentStore(postgis_url) as destination:
        copy_store(source.backend, destination.backend)
    return postgis_url, gpkg


def test_app_reads_a_postgis_store_through_the_pool(postgis_store, monkeypatch):
    from geo.view.data import connection_pool

    url, gpkg = postgis_store
    tables = []
    for location in (str(gpkg), url):
        monkeypatch.setenv("GEO_STORE", location)
        at = AppTest.from_file(APP, default_timeout=120)
        at.session_state[TAB_KEY] = "Incidents"  # only the open tab is built
        at.run()
        assert not at.exception, at.exception
        tables.append(at.dataframe[0].value)
    assert len(tables[1]) == len(tables[0]) > 20
    assert list(tables[1].columns) == list(tables[0].columns)
    pool = connection_pool(url)
    assert pool.get_stats()["requests_num"] >= 2  # the version check and the read
