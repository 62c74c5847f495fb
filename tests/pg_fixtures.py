"""pytest plugin: one throwaway PostgreSQL + PostGIS cluster for the test session.

`postgis_cluster` starts it on a free loopback port (initdb as the postgres user when root,
fsync off) and stops it at the end of the session, also when tests fail or the run is
interrupted. `postgis_url` gives each test its own fresh database (a copy of a template that
already has the postgis extension).

Without PostGIS the tests that need it skip, but never silently: the terminal summary ends with
a warning, and with CI=true they fail instead.
"""

from __future__ import annotations

import atexit
import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from geo.pg_local import LocalPostgres, PostgresUnavailable

TEMPLATE = "geo_template"
BACKENDS = ["gpkg", "postgis"]
_missing: list[str] = []
_names = itertools.count(1)


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _unavailable(reason: str) -> None:
    _missing.append(reason)
    if in_ci():
        pytest.fail(f"PostGIS is required in CI (CI=true): {reason}", pytrace=False)
    pytest.skip(f"PostGIS unavailable: {reason}")


@pytest.fixture(scope="session")
def postgis_cluster() -> Iterator[LocalPostgres]:
    cluster = LocalPostgres()
    try:
        cluster.start()
    except PostgresUnavailable as exc:
        _unavailable(str(exc))
    except Exception as exc:  # noqa: BLE001 - a broken install is reported like a missing one
        cluster.stop()
        _unavailable(f"the local cluster did not start: {exc}")
    atexit.register(cluster.stop)  # also on an interrupted run
    try:
        cluster.create_database(TEMPLATE)
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def postgis_url(postgis_cluster: LocalPostgres) -> Iterator[str]:
    """A fresh, empty PostGIS database for one test (dropped afterwards)."""
    name = f"t{os.getpid()}_{next(_names)}"
    url = postgis_cluster.create_database(name, template=TEMPLATE)
    yield url
    postgis_cluster.drop_database(name)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _missing:
        terminalreporter.section("PostGIS MISSING", sep="!", red=True, bold=True)
        terminalreporter.write_line(
            f"the PostGIS store tests did NOT run: {_missing[0]}", red=True, bold=True)


@pytest.fixture
def postgis_url2(postgis_cluster: LocalPostgres) -> Iterator[str]:
    """A second fresh PostGIS database, for tests that compare two stores."""
    name = f"t{os.getpid()}_{next(_names)}"
    url = postgis_cluster.create_database(name, template=TEMPLATE)
    yield url
    postgis_cluster.drop_database(name)


@pytest.fixture(scope="module", params=BACKENDS)
def store_location(request: pytest.FixtureRequest,
                   tmp_path_factory: pytest.TempPathFactory) -> Iterator[str | Path]:
    """A new, empty store location on each backend, shared by a module's tests (a GeoPackage
    path, or a fresh PostGIS database dropped after the module)."""
    if request.param == "gpkg":
        yield tmp_path_factory.mktemp("store") / "store.gpkg"
        return
    cluster: LocalPostgres = request.getfixturevalue("postgis_cluster")
    name = f"m{os.getpid()}_{next(_names)}"
    yield cluster.create_database(name, template=TEMPLATE)
    cluster.drop_database(name)
