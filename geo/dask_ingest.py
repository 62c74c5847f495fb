"""Distributed ingest on Dask `distributed`: `geo ingest PATHS --workers N | --scheduler ADDR`.

The client reads the articles, drops those the store already has, and submits partitions.
Each worker process parses, joins and chooses the incidents of its partitions with a parser and
boundaries loaded ONCE per process by a WorkerPlugin, from the files on disk: the parser index
(a pyahocorasick automaton) is never pickled, scattered or broadcast (automata cannot be shared
between processes and pickling them leaks memory).

Writes: a store that takes concurrent writers (PostGIS) is written by the workers themselves;
a GeoPackage (one writer) gets the prepared articles funnelled back to the client, which writes
them as they arrive. Either way each article is written in its own all-or-nothing unit and the
content hash is unique, so a partition retried after a killed worker adds no duplicates and
leaves no gaps.
"""

from __future__ import annotations

import gc
import os
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

from geo import paths
from geo.read import ArticleRecord, Reject

PLUGIN_NAME = "geo-pipeline"
PARTITION_SIZE = 25  # articles per task: small, so no worker idles long at the end
# Dask's housekeeping, slowed down where only the dashboard looks at it. An idle 2-worker
# local cluster cost 0.44 s of CPU per 10 s in the client process (scheduler and nannies) and
# 0.19 s in each worker, 0.09 s and 0.04 s with these: on a 2-core machine it competes with
# the workers. The tick measures event-loop delays (for "unresponsive loop" warnings, 20 ms
# by default); the system monitor samples CPU, memory and I/O with psutil (0.5 s) for the
# dashboard's plots; work stealing moves queued tasks between workers, and with one thread a
# worker and at most two tasks each in flight there is nothing to move. A `--dashboard`
# cluster keeps Dask's defaults. (deploy/compose.yaml sets the same as environment variables.)
LEAN_DASK_CONFIG = {"distributed.admin.tick.interval": "1s",
                    "distributed.admin.system-monitor.interval": "5s",
                    "distributed.scheduler.work-stealing": False,
                    # the statistical profiler: a thread sampling the task thread every 10 ms
                    "distributed.worker.profile.enabled": False}
_WORKER: dict[str, Any] = {}  # per worker process: parser, boundaries, open stores


class PipelinePlugin(WorkerPlugin):
    """Loads the geoparser and the admin boundaries once per worker process, from files.

    Only the gazetteer folder (a string) travels to the workers."""

    name = PLUGIN_NAME

    def __init__(self, gazetteer_dir: str) -> None:
        self.gazetteer_dir = gazetteer_dir

    def setup(self, worker: object) -> None:
        os.environ["GEO_GAZETTEER_DIR"] = self.gazetteer_dir
        without_arrow()
        load_pipeline()

    def teardown(self, worker: object) -> None:
        for store in _WORKER.pop("stores", {}).values():
            store.close()


def without_arrow() -> None:
    """Keep pyarrow out of this worker process (~70 MB resident): pandas 3 imports it when it
    can, yet nothing a worker does (parse, join, write) uses Arrow. A None entry in sys.modules
    makes `import pyarrow` fail, so pandas falls back to its own string storage. Only before
    pandas is imported; the ingest client keeps pyarrow."""
    if "pandas" not in sys.modules:
        sys.modules.setdefault("pyarrow", None)


def load_pipeline() -> dict[str, Any]:
    """The process's parser and boundaries (loaded on first call; the plugin calls it at
    worker start so no task pays for it)."""
    if "parser" not in _WORKER:
        import psutil

        from geo.join import load_admin_boundaries
        from geo.parse import default_parser

        started = time.perf_counter()
        _WORKER["parser"] = default_parser()
        _WORKER["boundaries"] = load_admin_boundaries()
        _WORKER["boundaries"].adm0  # noqa: B018 - touch: lazy layers load now, not in a task
        warm_up(_WORKER["boundaries"])
        # The parser and boundaries live as long as the process: out of the garbage
        # collector's sight, so its full collections (automatic, and release_memory's after
        # each partition) stop walking their millions of objects (~0.2 s a collection)
        gc.collect()
        gc.freeze()
        _WORKER["load_seconds"] = time.perf_counter() - started
        _WORKER["rss_after_load"] = psutil.Process().memory_info().rss
    return _WORKER


WARM_UP_TEXT = ("Protesters clashed with police in Lyon, France on Monday, and two people "
                "were injured near the city hall. In Marseille, a march was held the next day.")


def warm_up(boundaries: Any) -> None:
    """Two small articles through parse, join, event extraction and clustering, with no
    store: what those steps load lazily on first use (scipy's clustering alone imports in
    ~1.8 s) is loaded at worker start, not in the first partition of each worker."""
    from geo.cluster import cluster_reports
    from geo.store.events import reports_of_article
    from geo.store.ingest import IngestReport, parse_job, prepare_batch

    articles = [ArticleRecord(f"{WARM_UP_TEXT} ({i})", article_id=f"warm-up-{i}",
                              published="2024-03-04") for i in range(2)]
    results = [parse_job((None, a.text, a.published_date, None)) for a in articles]
    reports = []
    for item in prepare_batch(articles, results, {}, boundaries, IngestReport()):
        ids = [f"{item.article.article_id}:{i}" for i in range(len(item.mentions))]
        reports += reports_of_article(item.article.article_id, None, item.article.text,
                                      item.mentions, ids, item.article.published_date)
    cluster_reports(reports)


def worker_info() -> dict[str, float]:
    """Load time and resident memory (now, and the peak so far) of this worker process (for
    `client.run`)."""
    import resource

    import psutil

    state = load_pipeline()
    return {"pid": os.getpid(), "load_seconds": state["load_seconds"],
            "rss_after_load": state["rss_after_load"],
            "rss": psutil.Process().memory_info().rss,
            "rss_peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
            "pyarrow_loaded": sys.modules.get("pyarrow") is not None,
            "gc_frozen": gc.get_freeze_count()}


@dataclass
class PartitionOutcome:
    """What a partition did: counts and rejects, plus the prepared articles when the client
    is the writer (GeoPackage)."""

    stored: int = 0
    already_present: int = 0
    lost_races: list[str] = field(default_factory=list)  # hashes found stored at insert time
    rejects: list[Reject] = field(default_factory=list)
    prepared: list | None = None
    worker_pid: int = 0
    # where the task's time went: start/end (epoch s), wall and this thread's CPU seconds,
    # parse/prepare seconds and the write phases (geo.store.ingest.IngestReport.phase_seconds)
    timings: dict[str, float] = field(default_factory=dict)


def process_partition(articles: list[ArticleRecord], corrections: dict[str, list[dict]],
                      store_target: str | None) -> PartitionOutcome:
    """Runs on a worker: parse, join and choose incidents; write them when store_target
    (a server store's URL) is given, else return them to the client."""
    from geo.store.backend import open_backend
    from geo.store.ingest import IngestReport, parse_job, prepare_batch, write_prepared

    state = load_pipeline()
    start, cpu, wall = time.time(), time.thread_time(), time.perf_counter()
    report = IngestReport()
    results = [parse_job((None, a.text, a.published_date, a.language)) for a in articles]
    parsed = time.perf_counter()
    prepared = prepare_batch(articles, results, corrections, state["boundaries"], report)
    outcome = PartitionOutcome(worker_pid=os.getpid())
    prepared_at = time.perf_counter()
    if store_target is None:
        outcome.prepared = prepared
    else:
        backends = state.setdefault("stores", {})
        if store_target not in backends:
            backends[store_target] = open_backend(store_target)
        write_prepared(backends[store_target], prepared, report)
        outcome.stored, outcome.already_present = report.stored, report.already_present
        outcome.lost_races = report.lost_races
    outcome.rejects = report.rejects
    release_memory()
    outcome.timings = {"start": start, "end": time.time(), "articles": len(articles),
                       "wall": time.perf_counter() - wall, "cpu": time.thread_time() - cpu,
                       "parse": parsed - wall, "prepare": prepared_at - parsed,
                       **report.phase_seconds}
    return outcome


def release_memory() -> None:
    """Hand the partition's freed memory back to the system: a worker process lives for the
    whole ingest, and glibc keeps freed heap pages otherwise (its resident size then only
    grows, partition after partition)."""
    import ctypes

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to trim
        pass


def start_client(workers: int = 2, scheduler: str | None = None, dashboard: bool = False,
                 ) -> tuple[Any, Any]:
    """(client, cluster): a new LocalCluster of `workers` processes, or a client of an existing
    scheduler (cluster None). Each worker has one thread: the parser is pure Python."""
    import logging

    import dask
    from distributed import Client, LocalCluster

    # Dask logs every worker start and stop at INFO: keep the terminal to our progress bar
    for name in ("distributed", "bokeh", "tornado"):
        logging.getLogger(name).setLevel(logging.ERROR)
    if scheduler:
        return Client(scheduler, timeout="30s"), None
    # the scheduler's HTTP server on a free port; the dashboard pages only when asked for,
    # and only then Dask's monitoring at its usual rates (the nannies pass this configuration
    # on to the worker processes)
    with dask.config.set({} if dashboard else LEAN_DASK_CONFIG):
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=":0", scheduler_kwargs={"dashboard": dashboard},
                               memory_limit=0, silence_logs=logging.CRITICAL)  # errors reach us
    return Client(cluster), cluster


def ingest(store: Any, records: Iterable[ArticleRecord | Reject], client: Any,
           partition_size: int = PARTITION_SIZE, progress: Callable[[Any], None] | None = None,
           max_in_flight: int | None = None) -> Any:
    """Ingest `records` into `store` (an IncidentStore) on the Dask cluster behind `client`;
    returns the IngestReport. Partitions stream: at most max_in_flight are submitted at once
    (bounded memory on the client), default two per worker thread."""
    from distributed import as_completed

    from geo.store.corrections import corrections_for
    from geo.store.ingest import IngestReport, article_batches, new_articles, write_prepared

    report = IngestReport()
    started = time.perf_counter()
    # a server store takes the workers' writes; a GeoPackage has one writer: this process
    target = None if store.path is not None else store.backend.url
    limit = max_in_flight or 2 * max(1, sum(client.nthreads().values()))
    in_flight = as_completed()
    pending_ids: dict[str, str] = {}  # hash -> id, submitted but not yet written
    submitted: dict[str, list[ArticleRecord]] = {}  # future key -> its articles
    run_id = f"{os.getpid()}-{time.time_ns()}"  # keys unique to this run
    partitions = article_batches(records, partition_size, report)
    count = 0

    def submit_next() -> bool:
        nonlocal count
        for batch in partitions:
            fresh = new_articles(store.backend, batch, report, pending_ids)
            if not fresh:
                continue
            if count == 0:  # workers load the pipeline now (not when nothing is new)
                client.register_plugin(PipelinePlugin(str(paths.gazetteer_dir())),
                                       name=PLUGIN_NAME)
            pending_ids.update((a.content_hash, a.article_id) for a in fresh)
            corrections = corrections_for(store.backend, {a.content_hash for a in fresh},
                                          store.place)
            future = client.submit(process_partition, fresh, corrections, target,
                                   key=f"geo-partition-{run_id}-{count}", pure=False)
            submitted[future.key] = fresh
            in_flight.add(future)
            count += 1
            return True
        return False

    while in_flight.count() < limit and submit_next():
        pass
    for future in in_flight:
        outcome: PartitionOutcome = future.result()
        if outcome.prepared is not None:
            write_prepared(store.backend, outcome.prepared, report)
        articles = submitted.pop(future.key)
        ours = written_by_lost_attempt(store.backend, outcome.lost_races, articles)
        report.stored += outcome.stored + ours
        report.already_present += outcome.already_present - ours
        for item in outcome.rejects:
            report.reject(item)
        for article in articles:
            pending_ids.pop(article.content_hash, None)
        report.partition_timings.append({**outcome.timings, "worker": outcome.worker_pid})
        future.release()
        if progress:
            progress(report)
        while in_flight.count() < limit and submit_next():
            pass
    report.seconds = time.perf_counter() - started
    return report


def written_by_lost_attempt(backend: Any, lost_races: list[str], articles: list[ArticleRecord],
                            ) -> int:
    """How many of a partition's "already present" articles an earlier attempt of the same
    partition wrote: a worker killed after its commit but before its answer reached us, so Dask
    ran the partition again. Each was absent when the partition was submitted (new_articles
    checked), so one stored since under the id we gave it is ours, not a duplicate. (Another
    ingest storing the same content under the same id at that moment is counted here too: the
    store holds it once either way.)"""
    from geo.store.backend import chunks, marks

    submitted_ids = {a.content_hash: a.article_id for a in articles}
    count = 0
    for chunk in chunks(sorted(set(lost_races))):
        rows = backend.execute("SELECT content_hash, article_id FROM articles "
                               f"WHERE content_hash IN ({marks(len(chunk))})", chunk).fetchall()
        count += sum(submitted_ids.get(content_hash) == article_id
                     for content_hash, article_id in rows)
    return count


def tqdm_progress(total: int | None = None, enabled: bool = True) -> Callable[[Any], None]:
    """A progress callback drawing a tqdm bar of articles done (written, present or
    rejected) on stderr."""
    from tqdm import tqdm

    bar = tqdm(total=total, unit="article", file=sys.stderr, disable=not enabled,
               dynamic_ncols=True)

    def update(report: Any) -> None:
        bar.update(report.stored + report.already_present + report.rejected - bar.n)
        bar.set_postfix(stored=report.stored, present=report.already_present,
                        rejected=report.rejected, refresh=False)

    update.close = bar.close  # type: ignore[attr-defined]
    return update
