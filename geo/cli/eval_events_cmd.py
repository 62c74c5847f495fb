"""`geo eval-events FILE.jsonl`: score event merging against gold `event_id`s."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("corpus", type=Path,
                   help="JSONL with id, title, text, date (or published; null = unknown), event_id")
    p.add_argument("--limit", type=int, help="only the first N articles")
    p.add_argument("--json", action="store_true", help="print the scores as JSON")


def run(args: argparse.Namespace) -> int:
    from geo.eval_events import (
        format_scores,
        load_gold,
        predicted_events,
        reports_for,
        score,
    )
    from geo.parse import default_parser

    if not args.corpus.exists():
        print(f"geo eval-events: no such file: {args.corpus}", file=sys.stderr)
        return 2
    try:
        articles = load_gold(args.corpus)[:args.limit]
    except (ValueError, UnicodeDecodeError) as exc:
        print(f"geo eval-events: {exc}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    reports = reports_for(articles, default_parser().parse)
    scores = score(predicted_events(articles, reports), [a.event_id for a in articles])
    scores["seconds"] = round(time.perf_counter() - started, 2)
    if args.json:
        print(json.dumps(scores, indent=1))
    else:
        print(f"{args.corpus.name}: {len(articles)} articles, {len(reports)} event reports, "
              f"{scores['seconds']:.1f} s")
        print(format_scores("geo (place, date, category, text)", scores))
    return 0
