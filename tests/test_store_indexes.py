"""Indexes declared once in geo/store/schema.py reach both backends, also stores made before an
index was declared, and the map's admin-1 + date filter is answered from its index."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from incident_fixtures import PLACES, boundaries, keyword_parser
from test_export import ARTICLES

from geo.filters import KINDS, Filters
from geo.store import IncidentStore
from geo.store.query import prefilter
from geo.store.schema import LAYERS

ADM1_INDEX = "incidents_adm1_date"


def open_store(location: str | Path) -> IncidentStore:
    return IncidentStore(location, parser=keyword_parser, boundaries=boundaries(),
                         gazetteer_get=PLACES.get)


@pytest.fixture(params=["gpkg", "postgis"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str | Path:
    if request.param == "postgis":
        return request.getfixturevalue("postgis_url")
    return tmp_path / "store.gpkg"


def index_names(store: IncidentStore) -> set[str]:
    if store.path is not None:
        sql = "SELECT name FROM sqlite_master WHERE type = 'index'"
    else:
        sql = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
    return {r[0] for r in store.backend.execute(sql).fetchall()}


def test_every_declared_index_exists_on_both_backends(location: str | Path) -> None:
    with open_store(location) as store:
        have = index_names(store)
    declared = {name for layer in LAYERS.values() for name, _ in layer.indexes}
    assert ADM1_INDEX in declared
    assert declared <= have, declared - have


def test_a_store_without_a_declared_index_gets_it_when_opened(location: str | Path) -> None:
    with open_store(location) as store:
        store.ingest(ARTICLES)
        store.backend.execute(f'DROP INDEX "{ADM1_INDEX}"')
        assert ADM1_INDEX not in index_names(store)
        incidents = len(store.incidents())
    with open_store(location) as store:  # as a store written before the index was declared
        assert ADM1_INDEX in index_names(store)
        assert len(store.incidents()) == incidents  # nothing lost


def query_plan(store: IncidentStore, filters: Filters) -> str:
    """The database's plan for the incidents query of `filters` (geo.store.query's SQL)."""
    where, params = prefilter(filters)
    sql = f"SELECT t.* FROM incidents t{where}"
    if store.path is not None:
        rows = store.backend.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()
        return "\n".join(str(r[-1]) for r in rows)
    with store.backend.transaction():  # a tiny table: make the planner show it can use it
        store.backend.execute("SET LOCAL enable_seqscan = off")
        rows = store.backend.execute(f"EXPLAIN {sql}", params).fetchall()
    return "\n".join(r[0] for r in rows)


def test_the_admin1_and_date_filter_uses_the_index(location: str | Path) -> None:
    with open_store(location) as store:
        store.ingest(ARTICLES)
        filters = Filters(start=date(2024, 1, 1), end=date(2024, 3, 31), admin1=("AA-N",),
                          kinds=tuple(KINDS))
        plan = query_plan(store, filters)
        assert ADM1_INDEX in plan, plan
        assert list(store.incidents(filters)["adm1_iso"]) == ["AA-N"]
