"""`geo store migrate|copy|checksum|local-postgis`: manage stores on either backend.

    geo store migrate [--store LOC]      upgrade a store's schema in place (GeoPackage or PostGIS)
    geo store copy SRC DST               copy every layer into a new store, then verify checksums
    geo store checksum [--store LOC]     row counts and checksums of every layer
    geo store local-postgis DIR          run a PostgreSQL + PostGIS server for a store (no docker)
"""

from __future__ import annotations

import argparse
import signal
import sys
import time


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", required=True)
    migrate = sub.add_parser("migrate", help="upgrade a store's schema in place")
    migrate.add_argument("--store", help="store path or postgresql:// URL (default: $GEO_STORE)")
    copy = sub.add_parser("copy", help="copy a store into a new one (GeoPackage <-> PostGIS)")
    copy.add_argument("source", help="store path or postgresql:// URL")
    copy.add_argument("destination", help="a new (or empty) store path or postgresql:// URL")
    check = sub.add_parser("checksum", help="row counts and checksums of every layer")
    check.add_argument("--store", help="store path or postgresql:// URL (default: $GEO_STORE)")
    local = sub.add_parser("local-postgis", help="run a local PostgreSQL + PostGIS server "
                           "(Debian packages) until interrupted")
    local.add_argument("directory", help="cluster folder (created on first use, kept)")
    local.add_argument("--port", type=int, default=5432)
    local.add_argument("--database", default="geo")


def run(args: argparse.Namespace) -> int:
    return {"migrate": _migrate, "copy": _copy, "checksum": _checksum,
            "local-postgis": _local_postgis}[args.action](args)


def _migrate(args: argparse.Namespace) -> int:
    from geo import paths
    from geo.store import IncidentStore
    from geo.store.schema import SCHEMA_VERSION

    location = paths.store_location(args.store)
    before = _recorded_version(location)
    with IncidentStore(location) as store:
        after = _recorded_version(store.location)
    if before == after:
        print(f"{_shown(location)}: schema version {after}, current (this program: "
              f"{SCHEMA_VERSION})")
    else:
        print(f"{_shown(location)}: schema version {before or 'none (new store)'} -> {after}")
    return 0


def _recorded_version(location: object) -> int | None:
    from pathlib import Path

    from geo.store.backend import is_server_location

    if is_server_location(location):
        from geo.store.postgis import schema_version

        return schema_version(str(location))
    if not Path(location).exists():
        return None
    import sqlite3

    from geo.store.db import schema_version as gpkg_version

    connection = sqlite3.connect(f"file:{location}?mode=ro", uri=True)
    try:
        return gpkg_version(connection)
    finally:
        connection.close()


def _copy(args: argparse.Namespace) -> int:
    from geo import paths
    from geo.errors import StoreError
    from geo.store import IncidentStore
    from geo.store.copy import copy_store, summarize

    source_location = paths.store_location(args.source)
    if not paths.store_exists(source_location):
        raise StoreError(f"no store at {_shown(source_location)}")
    started = time.perf_counter()
    with IncidentStore(source_location) as source, \
            IncidentStore(paths.store_location(args.destination)) as destination:
        with source.backend.snapshot():
            copied = copy_store(source.backend, destination.backend, _progress("copied"))
            _clear()
            print(f"copied {', '.join(f'{n} {k}' for k, n in copied.items())} in "
                  f"{time.perf_counter() - started:.1f} s; verifying...", file=sys.stderr)
            one = summarize(source.backend)
        two = summarize(destination.backend)
    bad = [name for name in one if one[name] != two[name]]
    for name, summary in one.items():
        mark = "MISMATCH" if name in bad else "ok"
        print(f"{name:12} {summary.rows:>10,} rows  {summary.checksum[:16]}  "
              f"{two[name].rows:>10,} rows  {two[name].checksum[:16]}  {mark}")
    if bad:
        print(f"geo store copy: the copy differs in {', '.join(bad)}", file=sys.stderr)
        return 1
    print(f"{_shown(source_location)} -> {_shown(args.destination)}: identical")
    return 0


def _checksum(args: argparse.Namespace) -> int:
    from geo import paths
    from geo.errors import StoreError
    from geo.store import IncidentStore
    from geo.store.copy import summarize

    location = paths.store_location(args.store)
    if not paths.store_exists(location):
        raise StoreError(f"no store at {_shown(location)}")
    with IncidentStore(location) as store, store.backend.snapshot():
        for name, summary in summarize(store.backend).items():
            print(f"{name:12} {summary.rows:>10,} rows  {summary.checksum}")
    return 0


def _local_postgis(args: argparse.Namespace) -> int:
    from pathlib import Path

    from geo.pg_local import LocalPostgres

    def interrupt(*_: object) -> None:
        raise KeyboardInterrupt

    # Ctrl-C or kill (TERM) stop the server cleanly; a shell may start `... &` ignoring SIGINT
    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)
    cluster = LocalPostgres(Path(args.directory).resolve(), port=args.port, keep=True,
                            settings={})
    cluster.start()
    try:
        try:
            url = cluster.create_database(args.database)
        except Exception:  # noqa: BLE001 - already there from an earlier run
            url = cluster.url(args.database)
        print(f"PostGIS is serving {url} (Ctrl-C or kill stops it; data kept in "
              f"{args.directory})",
              flush=True)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0
    finally:
        cluster.stop()


def _shown(location: object) -> str:
    from geo.store.postgis import _safe

    return _safe(str(location))


def _progress(verb: str):  # noqa: ANN202
    show = sys.stderr.isatty()

    def report(layer: str, count: int) -> None:
        if show:
            print(f"\r{verb} {count:,} {layer}   ", end="", file=sys.stderr, flush=True)
    return report


def _clear() -> None:
    if sys.stderr.isatty():
        print("\r" + " " * 60 + "\r", end="", file=sys.stderr)
