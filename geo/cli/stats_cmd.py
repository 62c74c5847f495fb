"""`geo stats`: what the incident store holds."""

from __future__ import annotations

import argparse
import json

from geo.paths import store_location


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--store", type=store_location, help="GeoPackage path or postgresql:// URL "
                   "(default: $GEO_STORE or data/incidents.gpkg)")
    p.add_argument("--json", action="store_true", help="print the statistics as JSON")


def run(args: argparse.Namespace) -> int:
    from geo import paths
    from geo.errors import StoreError
    from geo.store import IncidentStore

    path = args.store or paths.default_store()
    if not paths.store_exists(path):
        raise StoreError(f"no store at {path} (run `geo ingest` first)")
    with IncidentStore(path) as store:
        stats = store.stats()
    if args.json:
        print(json.dumps(stats, indent=1, ensure_ascii=False))
        return 0
    for key, value in stats.items():
        if isinstance(value, dict):
            print(f"{key}:")
            for k, v in list(value.items())[:15]:
                print(f"  {k:>12}  {v}")
            if len(value) > 15:
                print(f"  ... {len(value) - 15} more")
        else:
            print(f"{key}: {value}")
    return 0
