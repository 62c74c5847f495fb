"""`geo ingest PATHS...`: read articles into the incident store and print the counts."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from geo.paths import store_location
from geo.read import FUTURE_DAYS


def safe(line: str) -> str:
    """Ids and reasons come from untrusted input: no terminal control characters."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in line)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="*", help="files (.txt .jsonl .csv .rss/.atom/.xml), folders "
                   "(recursive) or feed URLs (with --allow-urls)")
    p.add_argument("--date", help="publication date YYYY-MM-DD for texts that carry none")
    p.add_argument("--store", type=store_location, help="GeoPackage path or postgresql:// URL "
                   "(default: $GEO_STORE or data/incidents.gpkg)")
    p.add_argument("--rejects", type=Path, help="write rejected records here as JSON Lines "
                   "(default: list them on stderr)")
    p.add_argument("--if-empty", action="store_true",
                   help="do nothing when the store already holds articles (used by `make run`)")
    p.add_argument("--allow-urls", action="store_true", help="fetch feed URLs from the network")
    p.add_argument("--batch-size", type=int, default=100, help="articles per transaction")
    p.add_argument("--workers", type=int, default=1,
                   help="N > 1: ingest on a local Dask cluster of N worker processes")
    p.add_argument("--scheduler", metavar="ADDRESS", help="ingest on an existing Dask cluster "
                   "(tcp://host:8786); its workers need this project and the gazetteer")
    p.add_argument("--partition-size", type=int, default=25,
                   help="articles per Dask task (with --workers or --scheduler)")
    p.add_argument("--dashboard", action="store_true",
                   help="serve the Dask dashboard of the local cluster and print its address")
    p.add_argument("--strict", action="store_true", help="exit 1 if any record was rejected")
    p.add_argument("--reprocess", action="store_true", help="re-parse and re-join every stored "
                   "article (after a gazetteer rebuild), applying analyst corrections again")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.add_argument("--delimiter", type=_delimiter, help="CSV delimiter (default: detected from "
                   "the header, among , ; tab |)")
    p.add_argument("--future-days", type=_future_days, default=FUTURE_DAYS, metavar="N",
                   help="reject publication dates more than N days after today (default "
                   f"{FUTURE_DAYS}: time zones and clock skew; 'off' accepts any date)")


def _future_days(value: str) -> int | None:
    if value.strip().lower() in {"off", "none", "any"}:
        return None
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of days (or 'off')") from None


def _delimiter(value: str) -> str:
    value = {"tab": "\t", "\\t": "\t"}.get(value.lower(), value)
    if len(value) != 1:
        raise argparse.ArgumentTypeError(f"{value!r}: a delimiter is one character (or 'tab')")
    return value


def write_rejects(path: Path, rejects: list) -> None:
    """One JSON object per reject; always written, whatever the ids and reasons hold."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", errors="backslashreplace") as out:
        for item in rejects:
            out.write(json.dumps(item.to_dict(), ensure_ascii=False) + "\n")


def run(args: argparse.Namespace) -> int:
    from geo.errors import InputError
    from geo.read import iter_records
    from geo.store import IncidentStore

    store = IncidentStore(args.store)  # StoreError and GazetteerMissingError: exit 2 in main
    if not args.paths and not args.reprocess:
        raise InputError("give at least one path (or --reprocess)")
    with store:
        if args.reprocess:
            n = store.reprocess_all()
            print(f"reprocessed {n} stored articles in {store.backend.location}")
            if not args.paths:
                return 0
        if args.if_empty:
            n = store.article_count()
            if n:
                print(f"{store.backend.location} already holds {n} articles: nothing to do "
                      "(--if-empty)")
                return 0
        show_progress = not args.quiet and sys.stderr.isatty()

        def progress(report) -> None:  # noqa: ANN001 - IngestReport
            if show_progress:
                print(f"\r{report.summary()}", end="", file=sys.stderr, flush=True)

        records = iter_records(args.paths, default_date=args.date, allow_urls=args.allow_urls,
                               delimiter=args.delimiter, future_days=args.future_days)
        if args.scheduler or args.workers > 1:
            report = _ingest_on_dask(store, records, args, show_progress)
        else:
            report = store.ingest(records, batch_size=args.batch_size, progress=progress)
            if show_progress:
                print(file=sys.stderr)
    if args.rejects:
        write_rejects(args.rejects, report.rejects)
    else:
        for item in report.rejects:
            record = f" [{item.record_id}]" if item.record_id else ""
            print(safe(f"rejected {item.source}{record}: {item.reason}"), file=sys.stderr)
    for source, note in report.notes:
        print(safe(f"note {source}: {note}"), file=sys.stderr)
    print(f"{report.summary()} -> {store.backend.location}"
          + (f"; rejects in {args.rejects}" if args.rejects and report.rejects else ""))
    return 1 if args.strict and report.rejected else 0


def _ingest_on_dask(store, records, args: argparse.Namespace, show_progress: bool):  # noqa: ANN001, ANN202
    """Parse, join and choose incidents on a Dask cluster (geo.dask_ingest)."""
    from geo import dask_ingest

    client, cluster = dask_ingest.start_client(max(1, args.workers), args.scheduler,
                                               dashboard=args.dashboard)
    try:
        where = args.scheduler or f"a local cluster of {args.workers} processes"
        print(f"ingesting on Dask: {where}", file=sys.stderr)
        if args.dashboard or args.scheduler:
            print(f"Dask dashboard: {client.dashboard_link}", file=sys.stderr)
        progress = dask_ingest.tqdm_progress(enabled=show_progress)
        try:
            return dask_ingest.ingest(store, records, client, partition_size=args.partition_size,
                                      progress=progress)
        finally:
            progress.close()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
