"""`geo gazetteer build | info | lookup NAME`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from geo import paths


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", required=True)
    b = sub.add_parser("build", help="build the gazetteer if missing or out of date")
    b.add_argument("--force", action="store_true", help="rebuild even when up to date")
    b.add_argument("--no-cache", action="store_true", help="neither read nor fill the build cache")
    b.add_argument("--geonames-dir", type=Path, help="use an official GeoNames dump from this folder")
    b.add_argument("--out", type=Path, help="output folder (default gazetteer/build)")
    sub.add_parser("info", help="counts, sources and licences of the built gazetteer")
    lk = sub.add_parser("lookup", help="look a name up")
    lk.add_argument("name")
    lk.add_argument("--country", help="ISO2 or ISO3 code")
    lk.add_argument("--admin1", help="ISO 3166-2 or GeoNames admin-1 code")
    lk.add_argument("--level", choices=["country", "admin1", "admin2", "place"])
    lk.add_argument("--fuzzy", action="store_true")
    lk.add_argument("--limit", type=int, default=10)
    lk.add_argument("--json", action="store_true", help="print JSON Lines")


def run(args: argparse.Namespace) -> int:
    if args.action == "build":
        from geo.build import build_gazetteer
        from geo.errors import SetupError

        try:  # SourceError (a GeoError) reaches the CLI as it is
            build_gazetteer(out_dir=args.out, force=args.force, geonames_dir=args.geonames_dir,
                            use_cache=not args.no_cache)
        except FileNotFoundError as exc:
            raise SetupError(f"gazetteer build failed: {exc}") from exc
        from geo.geoparse_index import ensure_index_files

        # the geoparser's index, built once here so that every process just maps it in
        db = (args.out or paths.gazetteer_dir()) / "gazetteer.sqlite"
        print(f"geoparser index ready at {ensure_index_files(db)}")
        from geo.region_store import ensure_store

        # every "southern X" of the boundaries, cut once here (see geo.region_store)
        store = ensure_store(str(db.parent / paths.simplified_boundaries_path().name))
        if store is not None:
            print(f"derived regions ready at {store}")
        return 0
    from geo.gazetteer import load_gazetteer

    gaz = load_gazetteer()  # GazetteerMissingError: exit 2 with the build hint
    if args.action == "info":
        m = gaz.manifest()
        print(f"build {m.get('build_id')} built {m.get('built_at')} ({gaz.path})")
        for k, v in m.get("counts", {}).items():
            print(f"  {k:>22}: {v:,}")
        print("sources:")
        for s in m.get("sources", []):
            print(f"  {s['name']} {s['version']} sha256 {s['sha256'][:12]}… — {s['licence']}; {s['attribution']}")
        for line in m.get("report", []):
            print(f"note: {line}")
        return 0
    results = gaz.lookup(args.name, country=args.country, admin1=args.admin1, level=args.level,
                         fuzzy=args.fuzzy, limit=args.limit)
    if not results:
        print(f"no candidates for {args.name!r}", file=sys.stderr)
        return 1
    for p in results:
        if args.json:
            print(json.dumps(p.to_dict() | {"alt_names": p.alt_names[:10]}, ensure_ascii=False))
        else:
            where = ", ".join(x for x in (p.admin1_iso or p.admin1_code, p.country) if x)
            print(f"{p.score:5.2f}  {p.id:>10}  {p.level:<7} {p.feature_code or '':<6} {p.name} "
                  f"({where}) pop {p.population:,}  {p.lat:.4f},{p.lon:.4f}  via {p.matched!r}")
    return 0
