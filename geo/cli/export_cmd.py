"""`geo export --layer L --format F [--output PATH] [filters]`.

Without --output, text formats go to stdout and the export metadata (filter, gazetteer and
boundary versions) goes to stderr as one JSON line (or to --meta PATH). With --output, formats
that cannot embed metadata (csv, geojsonl, kml) get a `<output>.meta.json` sidecar.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path


def _iso_date(value: str) -> str:
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date YYYY-MM-DD") from None


def _codes(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def add_arguments(p: argparse.ArgumentParser) -> None:
    from geo.export import FORMATS, LAYERS

    p.add_argument("--layer", choices=LAYERS, default="incidents")
    p.add_argument("--format", choices=FORMATS, default="geojson")
    p.add_argument("--output", "-o", type=Path, help="file to write (default: stdout)")
    p.add_argument("--meta", type=Path, help="write the export metadata JSON here")
    p.add_argument("--store", type=Path, help="GeoPackage store (default: $GEO_STORE or "
                   "data/incidents.gpkg)")
    p.add_argument("--from", dest="date_from", type=_iso_date, help="event date on or after")
    p.add_argument("--to", dest="date_to", type=_iso_date, help="event date on or before")
    p.add_argument("--country", type=_codes, help="ISO3 or ISO2 codes, comma-separated")
    p.add_argument("--adm1", type=_codes, help="ISO 3166-2 codes, comma-separated")
    p.add_argument("--min-precision", type=int, choices=[1, 2, 3, 4],
                   help="keep geo_precision <= N (1 place ... 4 country)")
    p.add_argument("--kinds", type=_codes, help="mention kinds, comma-separated")
    p.add_argument("--min-confidence", type=float)
    p.add_argument("--text", help="only articles whose text or title contains this")


def run(args: argparse.Namespace) -> int:
    from geo import paths
    from geo.errors import InputError, StoreError
    from geo.export import TEXT_FORMATS, export_with_metadata
    from geo.store import IncidentStore

    if args.output is None and args.format not in TEXT_FORMATS:
        raise InputError(f"{args.format} is binary: give --output PATH")
    path = args.store or paths.default_store()
    if not Path(path).exists():
        raise StoreError(f"no store at {path} (run `geo ingest` first)")
    filters = {"date_from": args.date_from, "date_to": args.date_to, "countries": args.country,
               "adm1": args.adm1, "min_precision": args.min_precision, "kinds": args.kinds,
               "min_confidence": args.min_confidence, "text": args.text}
    with IncidentStore(path) as store:
        data, meta = export_with_metadata(store, args.layer, args.format, **filters)
    meta_json = json.dumps(meta, ensure_ascii=False)
    if args.meta:
        args.meta.write_text(meta_json + "\n", encoding="utf-8")
    if args.output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        if not args.meta:
            print(meta_json, file=sys.stderr)
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(data)
    if args.format in {"csv", "geojsonl", "kml"} and not args.meta:
        Path(f"{args.output}.meta.json").write_text(meta_json + "\n", encoding="utf-8")
    print(f"wrote {meta['feature_count']} {args.layer} features ({len(data):,} bytes) to "
          f"{args.output}", file=sys.stderr)
    return 0
