"""The `geo` command. Each subcommand lives in its own module and is imported lazily.

Errors: a subcommand raises a `geo.errors.GeoError` (bad input, missing setup, store problem);
`main` catches it once and exits 2 with the message on stderr. Diagnostics go through `logging`
(warnings and above on stderr).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from geo.errors import GeoError

# subcommand -> module under geo.cli that defines add_arguments(parser) and run(args) -> int
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "gazetteer": ("geo.cli.gazetteer_cmd", "build, inspect and query the local gazetteer"),
    "assets": ("geo.cli.assets_cmd", "install the pinned Leaflet assets the map serves locally"),
    "parse": ("geo.cli.parse_cmd", "print place mentions as JSON Lines"),
    "eval": ("geo.cli.eval_cmd", "score the geoparser on a benchmark corpus"),
    "eval-events": ("geo.cli.eval_events_cmd", "score event merging on a file with gold event ids"),
    "ingest": ("geo.cli.ingest_cmd", "read articles into the incident store"),
    "incidents": ("geo.cli.incidents_cmd", "rebuild incidents; split, merge, set place or "
                  "category (analyst corrections), list and undo them"),
    "stats": ("geo.cli.stats_cmd", "summarise the incident store"),
    "export": ("geo.cli.export_cmd", "export layers as GeoJSON, CSV, GeoPackage or KML"),
    "store": ("geo.cli.store_cmd", "migrate, copy (GeoPackage <-> PostGIS) and check stores"),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="geo", description="Offline geospatial incident mapper")
    sub = parser.add_subparsers(dest="command", required=True)
    modules = {}
    argv = sys.argv[1:] if argv is None else argv
    wanted = argv[0] if argv and not argv[0].startswith("-") else None
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        p = sub.add_parser(name, help=help_text)
        # import only the module that is asked for, so `geo --help` stays fast
        if name == wanted:
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                parser.error(f"'{name}' is not available: {exc}")
            module.add_arguments(p)
            modules[name] = module
    args = parser.parse_args(argv)
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.WARNING, format="geo: %(levelname)s: %(message)s")
    try:
        return int(modules[args.command].run(args) or 0)
    except GeoError as exc:
        print(f"geo {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
