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


OVERVIEW_INDEX = "incidents_overview"


def test_whole_store_counts_read_the_narrow_index_not_the_rows(tmp_path: Path) -> None:
    """The app's reads over a whole store (units and their dates, timeline, headline, the
    order of the most reported) are answered from the covering index on a GeoPackage, so their
    cost does not carry every incident's text and geometry."""
    from geo.store import overview

    with open_store(tmp_path / "store.gpkg") as store:
        store.ingest(ARTICLES)
        backend = store.backend
        statements: list[tuple[str, list]] = []
        execute, read_frame = backend.execute, backend.read_frame

        def recording(method):  # noqa: ANN001, ANN202 - a test spy
            def call(sql: str, params=()):  # noqa: ANN001, ANN202
                statements.append((sql, list(params)))
                return method(sql, params)
            return call

        backend.execute, backend.read_frame = recording(execute), recording(read_frame)
        try:
            overview.unit_spans(backend)
            overview.daily_counts(backend, Filters())
            overview.daily_counts(backend, Filters(time_axis="published"))
            overview.headline(backend, Filters())
            chosen_before = len(statements)
            top = overview.top_incidents(backend, Filters(), 2)
        finally:
            backend.execute, backend.read_frame = execute, read_frame
        assert len(top) == 2
        for sql, params in statements[:chosen_before]:
            rows = backend.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()
            plan = "\n".join(str(r[-1]) for r in rows)
            assert f"COVERING INDEX {OVERVIEW_INDEX}" in plan, (sql, plan)
        # the most reported: chosen in the index, then only those rows are read whole
        sql, params = statements[chosen_before]
        plan = "\n".join(str(r[-1]) for r in backend.execute(f"EXPLAIN QUERY PLAN {sql}",
                                                            params).fetchall())
        assert f"COVERING INDEX {OVERVIEW_INDEX}" in plan, plan
