"""`geo stats`: what the incident store holds."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--store", type=Path, help="GeoPackage store (default: $GEO_STORE or "
                   "data/incidents.gpkg)")
    p.add_argument("--json", action="store_true", help="print the statistics as JSON")


def run(args: argparse.Namespace) -> int:
    from geo import paths
    from geo.store import IncidentStore, StoreError

    path = args.store or paths.default_store()
    if not Path(path).exists():
        print(f"geo stats: no store at {path} (run `geo ingest` first)", file=sys.stderr)
        return 2
    try:
        with IncidentStore(path) as store:
            stats = store.stats()
    except StoreError as exc:
        print(f"geo stats: {exc}", file=sys.stderr)
        return 2
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
