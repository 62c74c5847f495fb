"""`geo eval FILE.jsonl`: score the geoparser on a benchmark corpus (../shared/eval format)."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from geo.errors import InputError
from geo.evaluate import DEFAULT_KINDS, evaluate, format_table, load_corpus


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("corpus", type=Path, help="JSONL with id, text, date, toponyms[start,end,name,lat,lon]")
    p.add_argument("--errors", type=Path, help="write per-document missed/spurious/far errors here")
    p.add_argument("--limit", type=int, help="only the first N documents")
    p.add_argument("--kinds", default=",".join(DEFAULT_KINDS),
                   help=f"mention kinds counted as predictions (default {','.join(DEFAULT_KINDS)})")
    p.add_argument("--json", action="store_true", help="print the metrics as JSON instead of a table")


def run(args: argparse.Namespace) -> int:
    from geo.parse import default_parser

    if not args.corpus.is_file():
        raise InputError(f"no such file: {args.corpus}")
    docs = load_corpus(args.corpus, args.limit)  # InputError: not JSON Lines
    parser = default_parser()
    kinds = tuple(k.strip() for k in args.kinds.split(",") if k.strip())
    # the chosen set first, then the documented variants (see geo.evaluate)
    with_dem = tuple(dict.fromkeys(kinds + ("demonym",)))
    with_org = tuple(dict.fromkeys(with_dem + ("org_embedded",)))
    sets = {"+".join(kinds) or "none": kinds}
    sets.setdefault("+".join(with_dem), with_dem)
    sets.setdefault("+".join(with_org), with_org)
    err_file = (args.errors.open("w", encoding="utf-8", errors="backslashreplace")
                if args.errors else None)
    t0 = time.perf_counter()
    try:
        results = evaluate(docs, parser.parse, sets, err_file.write if err_file else None)
    finally:
        if err_file:
            err_file.close()
    elapsed = time.perf_counter() - t0
    if args.json:
        print(json.dumps({"corpus": str(args.corpus), "docs": len(docs), "seconds": elapsed, "results": results}, indent=1))
    else:
        print(f"{args.corpus.name}: {len(docs)} documents, {elapsed:.1f} s ({len(docs) / max(elapsed, 1e-9):.0f} docs/s)")
        print(format_table(results))
        if args.errors:
            print(f"errors written to {args.errors}")
    return 0
