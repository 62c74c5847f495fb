"""The throwaway PostGIS cluster the PostGIS store tests run on."""

from __future__ import annotations

import psycopg


def test_cluster_has_postgis_on_loopback(postgis_url: str) -> None:
    with psycopg.connect(postgis_url) as connection:
        version = connection.execute("SELECT postgis_lib_version()").fetchone()[0]
        address = connection.execute("SELECT inet_server_addr()::text").fetchone()[0]
        fsync = connection.execute("SHOW fsync").fetchone()[0]
        point = connection.execute(
            "SELECT ST_AsText(ST_GeomFromEWKB(%s))",
            (bytes.fromhex("0101000020E6100000000000000000084000000000000022C0"),)).fetchone()[0]
    assert version.startswith("3.")
    assert address.startswith("127.0.0.1") and fsync == "off"
    assert point == "POINT(3 -9)"


def test_each_test_gets_its_own_empty_database(postgis_url: str) -> None:
    with psycopg.connect(postgis_url) as connection:
        connection.execute("CREATE TABLE t (x int)")  # would fail if another test's table leaked
        tables = connection.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0]
    assert tables == 2  # t and PostGIS's spatial_ref_sys
