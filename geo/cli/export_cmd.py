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

from geo.paths import store_location


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
    p.add_argument("--store", type=store_location, help="GeoPackage path or postgresql:// URL "
                   "(default: $GEO_STORE or data/incidents.gpkg)")
    # the app's filter, field for field (geo.filters.Filters)
    p.add_argument("--from", dest="date_from", type=_iso_date, help="on or after this day")
    p.add_argument("--to", dest="date_to", type=_iso_date, help="on or before this day")
    p.add_argument("--time-axis", choices=["event_date", "published"], default="event_date",
                   help="the date --from/--to apply to (event date falls back to publication)")
    p.add_argument("--country", type=_codes, help="ISO3 or ISO2 codes, comma-separated")
    p.add_argument("--adm1", type=_codes, help="ISO 3166-2 codes, comma-separated")
    p.add_argument("--category", type=_codes,
                   help="incident categories, comma-separated (battles, flood, ...; see docs/events.md)")
    p.add_argument("--precision", type=_codes,
                   help="geo precisions to keep, comma-separated (1 place ... 4 country)")
    p.add_argument("--min-precision", type=int, choices=[1, 2, 3, 4],
                   help="keep geo_precision <= N (the same as --precision 1,...,N)")
    p.add_argument("--kinds", type=_codes, help="mention kinds, comma-separated (default all)")
    p.add_argument("--min-confidence", type=float, default=0.0)
    p.add_argument("--text", help="free text in the title, text, place or source")


def filters_from_args(args: argparse.Namespace):  # noqa: ANN201 - geo.filters.Filters
    """The one Filters type, from the command line (no option: everything)."""
    from geo.filters import CATEGORIES, GEO_PRECISIONS, KINDS, Filters

    precisions = tuple(GEO_PRECISIONS)
    if args.precision:
        try:
            precisions = tuple(sorted({int(p) for p in args.precision}))
        except ValueError:
            raise argparse.ArgumentTypeError("--precision takes numbers 1 to 4") from None
    elif args.min_precision:
        precisions = tuple(range(1, args.min_precision + 1))
    categories = tuple(c.lower() for c in getattr(args, "category", None) or ())
    if bad := sorted(set(categories) - set(CATEGORIES)):
        raise argparse.ArgumentTypeError(
            f"unknown category {', '.join(bad)}: choose from {', '.join(CATEGORIES)}")
    unknown = set(args.kinds or ()) - set(KINDS)
    if unknown or not set(precisions) <= set(GEO_PRECISIONS):
        raise argparse.ArgumentTypeError(
            f"unknown kind(s) {sorted(unknown)}: choose from {', '.join(KINDS)}" if unknown
            else "--precision takes numbers 1 to 4")
    return Filters(
        start=date.fromisoformat(args.date_from) if args.date_from else None,
        end=date.fromisoformat(args.date_to) if args.date_to else None,
        time_axis=args.time_axis, countries=tuple(c.upper() for c in args.country or ()),
        admin1=tuple(a.upper() for a in args.adm1 or ()),
        categories=tuple(c for c in CATEGORIES if c in categories), query=args.text or "",
        geo_precision=precisions, kinds=tuple(args.kinds or KINDS),
        min_confidence=args.min_confidence or 0.0)


def run(args: argparse.Namespace) -> int:
    from geo import paths
    from geo.errors import InputError, StoreError
    from geo.export import TEXT_FORMATS, export_with_metadata
    from geo.store import IncidentStore

    if args.output is None and args.format not in TEXT_FORMATS:
        raise InputError(f"{args.format} is binary: give --output PATH")
    path = args.store or paths.default_store()
    if not paths.store_exists(path):
        raise StoreError(f"no store at {path} (run `geo ingest` first)")
    try:
        filters = filters_from_args(args)
    except argparse.ArgumentTypeError as exc:
        raise InputError(str(exc)) from exc
    with IncidentStore(path) as store:
        data, meta = export_with_metadata(store, args.layer, args.format, filters)
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
