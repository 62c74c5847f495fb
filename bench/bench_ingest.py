"""Ingest throughput (parse + join + write) and export time/size per layer and format.

    .venv/bin/python bench/bench_ingest.py            # 10,000 articles (a few minutes)
    .venv/bin/python bench/bench_ingest.py --n 1000   # smaller
    .venv/bin/python bench/bench_ingest.py --n 10000 --merge-cost   # merging vs none
    .venv/bin/python bench/bench_ingest.py --n 500 --prefill 10000,100000,1000000
        # the same 500 articles into stores pre-filled with that many incidents

Articles are made by varying the sample corpus (data/sample/*.jsonl): each copy gets its own id,
a marker sentence (so its content hash differs) and a publication date shifted by whole weeks,
so weekday-relative dates stay meaningful. Prints a table and writes JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.export import FORMATS, LAYERS, export_layer  # noqa: E402
from geo.read import ArticleRecord, read_paths  # noqa: E402
from geo.store import IncidentStore, parse_text  # noqa: E402


def peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def make_articles(n: int) -> list[ArticleRecord]:
    base = [r for r in read_paths([ROOT / "data" / "sample"]).records if r.published]
    if not base:
        raise SystemExit("data/sample has no dated articles to vary")
    articles = []
    for i in range(n):
        record = base[i % len(base)]
        copy = i // len(base)
        published = date.fromisoformat(record.published[:10]) + timedelta(weeks=copy % 52)
        articles.append(ArticleRecord(
            text=f"{record.text}\n\n(Benchmark copy {copy}.)", article_id=f"bench-{i:06d}",
            title=record.title, url=record.url, source=record.source,
            published=published.isoformat(), source_path="bench"))
    return articles


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="articles to ingest")
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--workers", type=int, default=1, help="geoparser processes")
    parser.add_argument("--store", type=Path, help="keep the store here (default: temporary)")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--merge-cost", action="store_true",
                        help="ingest twice, without and with merging reports into incidents, "
                             "and print what merging costs (no exports)")
    parser.add_argument("--prefill", help="comma-separated store sizes: pre-fill a store with "
                        "that many synthetic incidents (bench/synthetic_incidents.py), then "
                        "time ingesting the --n articles into it, merging included")
    args = parser.parse_args(argv)

    articles = make_articles(args.n)
    if args.merge_cost:
        return merge_cost(articles, args)
    if args.prefill:
        return prefilled(articles, [int(v) for v in args.prefill.split(",")], args)
    with tempfile.TemporaryDirectory() as tmp:
        store_path = args.store or Path(tmp) / "bench.gpkg"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{store_path}{suffix}").unlink(missing_ok=True)

        started = time.perf_counter()
        store = IncidentStore(store_path)
        parse_text("Warm-up in Paris.", None)  # load the parser's index and the boundaries
        store.boundaries  # noqa: B018
        startup = time.perf_counter() - started

        parse_seconds = 0.0

        def timed_parse(text: str, published: date | None) -> list:
            nonlocal parse_seconds
            t0 = time.perf_counter()
            try:
                return parse_text(text, published)
            finally:
                parse_seconds += time.perf_counter() - t0

        if args.workers == 1:  # parse time is only measurable in this process
            store.parser = timed_parse
        report = store.ingest(articles, batch_size=args.batch_size, workers=args.workers)
        ingest_seconds = report.seconds
        stats = store.stats()
        store.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        store_bytes = store_path.stat().st_size

        ingest_peak_mb = peak_rss_mb()
        split = (f"parse {parse_seconds:.1f} s, join+incident+write "
                 f"{ingest_seconds - parse_seconds:.1f} s" if args.workers == 1 else
                 f"parse in {args.workers} worker processes, overlapped with join+write")
        print(f"ingest: {report.stored:,} articles, {stats['mentions']:,} mentions in "
              f"{ingest_seconds:.1f} s = {report.stored / ingest_seconds:,.1f} articles/s "
              f"({split}; startup {startup:.1f} s); store {store_bytes / 1e6:.1f} MB; "
              f"peak RSS {ingest_peak_mb:.0f} MB (this process)", flush=True)
        print(f"{'layer':<13}{'format':<10}{'seconds':>9}{'MB':>10}", flush=True)
        exports = []
        for layer in LAYERS:
            for fmt in FORMATS:
                t0 = time.perf_counter()
                data = export_layer(store, layer, fmt)
                row = {"layer": layer, "format": fmt,
                       "seconds": round(time.perf_counter() - t0, 3), "bytes": len(data)}
                del data
                exports.append(row)
                print(f"{layer:<13}{fmt:<10}{row['seconds']:>9.2f}{row['bytes'] / 1e6:>10.2f}",
                      flush=True)
        store.close()

    result = {
        "benchmark": "ingest", "run_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": {"python": platform.python_version(), "processor": platform.machine(),
                    "cpus_used": args.workers + (args.workers > 1)},
        "articles": args.n, "workers": args.workers, "stored": report.stored, "rejected": report.rejected,
        "mentions": stats["mentions"], "startup_seconds": round(startup, 2),
        "ingest_seconds": round(ingest_seconds, 2),
        "articles_per_second": round(report.stored / ingest_seconds, 1),
        "parse_seconds": round(parse_seconds, 2) if args.workers == 1 else None,
        "join_choose_write_seconds": round(ingest_seconds - parse_seconds, 2)
        if args.workers == 1 else None,
        "store_bytes": store_bytes, "ingest_peak_rss_mb": round(ingest_peak_mb),
        "peak_rss_mb": round(peak_rss_mb()), "exports": exports,
    }
    args.results.mkdir(parents=True, exist_ok=True)
    out = args.results / f"ingest_{args.n}_w{args.workers}.json"
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {out}")
    return 0 if report.rejected == 0 else 1


def timed_merge(ingest_module, seconds: list[float]):
    """geo.store.ingest.merge, adding the seconds it takes to seconds[0]."""
    merge = ingest_module.merge

    def timed(*a, **k):
        t0 = time.perf_counter()
        try:
            return merge(*a, **k)
        finally:
            seconds[0] += time.perf_counter() - t0

    return timed


def merge_cost(articles: list[ArticleRecord], args: argparse.Namespace) -> int:
    """Ingest the same articles into two stores, without and with merging (parse included:
    the cost that matters is that of the whole ingest). The time spent in merging itself is
    measured too: on a shared machine it varies less between the two runs than their totals."""
    import scipy.cluster.hierarchy  # noqa: F401  (a one-time import merging needs, as warm-up)

    import geo.store.ingest as ingest_module

    parse_text("Warm-up in Paris.", None)
    seconds, incidents, merging = {}, {}, {}
    original = ingest_module.merge
    with tempfile.TemporaryDirectory() as tmp:
        for merge in (False, True):
            store = IncidentStore(Path(tmp) / f"merge-{merge}.gpkg", merge=merge)
            store.boundaries  # noqa: B018
            spent = [0.0]
            ingest_module.merge = timed_merge(ingest_module, spent)
            try:
                report = store.ingest(articles, batch_size=args.batch_size)
            finally:
                ingest_module.merge = original
            seconds[merge], merging[merge] = report.seconds, spent[0]
            incidents[merge] = store.stats()["incidents"]
            store.close()
            print(f"merge={merge}: {report.stored:,} articles in {report.seconds:.1f} s "
                  f"({report.stored / report.seconds:,.1f} articles/s), of which incidents "
                  f"(merge step) {spent[0]:.1f} s; {incidents[merge]:,} incidents", flush=True)
    extra = seconds[True] / seconds[False] - 1
    step = (merging[True] - merging[False]) / seconds[False]
    print(f"merging costs {extra:+.1%} in total time; the merge step adds {step:+.1%} to the "
          f"ingest without it ({len(articles):,} articles, batch {args.batch_size})")
    result = {"benchmark": "ingest-merge-cost", "articles": len(articles),
              "run_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
              "seconds_without": round(seconds[False], 2), "seconds_with": round(seconds[True], 2),
              "merge_step_without": round(merging[False], 2),
              "merge_step_with": round(merging[True], 2),
              "incidents_without": incidents[False], "incidents_with": incidents[True],
              "extra_cost": round(extra, 4), "merge_step_extra": round(step, 4)}
    args.results.mkdir(parents=True, exist_ok=True)
    out = args.results / f"ingest_merge_{len(articles)}.json"
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {out}")
    return 0


def prefilled(articles: list[ArticleRecord], sizes: list[int], args: argparse.Namespace) -> int:
    """Per-article cost of ingesting the same articles (merging on) as the store grows."""
    import scipy.cluster.hierarchy  # noqa: F401  (a one-time import merging needs, as warm-up)
    from synthetic_incidents import prefill, template_reports

    import geo.store.ingest as ingest_module

    base = [r for r in read_paths([ROOT / "data" / "sample"]).records if r.published]
    templates = template_reports(base)
    parse_text("Warm-up in Paris.", None)
    merge = ingest_module.merge
    rows = []
    for size in sizes:
        spent = [0.0]
        with tempfile.TemporaryDirectory() as tmp:
            store = IncidentStore(Path(tmp) / "prefilled.gpkg")
            store.boundaries  # noqa: B018
            t0 = time.perf_counter()
            prefill(store, size, templates)
            fill_seconds = time.perf_counter() - t0
            ingest_module.merge = timed_merge(ingest_module, spent)
            try:
                report = store.ingest(articles, batch_size=args.batch_size)
            finally:
                ingest_module.merge = merge
            incidents = store.stats()["incidents"]
            store.close()
        merge_seconds = spent[0]
        row = {"prefill": size, "fill_seconds": round(fill_seconds, 1),
               "articles": report.stored, "ingest_seconds": round(report.seconds, 2),
               "ms_per_article": round(1000 * report.seconds / report.stored, 1),
               "merge_ms_per_article": round(1000 * merge_seconds / report.stored, 2),
               "incidents_after": incidents}
        rows.append(row)
        print(f"store of {size:,} incidents (filled in {fill_seconds:.0f} s): "
              f"{report.stored:,} articles in {report.seconds:.1f} s = "
              f"{row['ms_per_article']} ms/article, of which merging "
              f"{row['merge_ms_per_article']} ms; {incidents:,} incidents after", flush=True)
    result = {"benchmark": "ingest-prefilled", "articles": len(articles),
              "run_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "rows": rows}
    args.results.mkdir(parents=True, exist_ok=True)
    out = args.results / f"ingest_prefilled_{len(articles)}.json"
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
