"""`geo incidents rebuild`: derive every incident again from the stored articles."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=["rebuild"],
                   help="rebuild: re-extract event reports and re-cluster them deterministically")
    p.add_argument("--store", type=Path, help="GeoPackage store (default: $GEO_STORE or "
                   "data/incidents.gpkg)")


def run(args: argparse.Namespace) -> int:
    from geo import paths
    from geo.errors import StoreError
    from geo.store import IncidentStore

    path = args.store or paths.default_store()
    if not Path(path).exists():
        raise StoreError(f"no store at {path} (run `geo ingest` first)")
    with IncidentStore(path) as store:
        count = store.rebuild_incidents()
        articles = store.article_count()
    print(f"{count} incidents from {articles} articles -> {path}")
    return 0
