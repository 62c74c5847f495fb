"""Scale-out figures: Dask speed-up, PostGIS vs GeoPackage, a million incidents, concurrency.

    .venv/bin/python bench/bench_scaleout.py                  # all parts, scaled-down defaults
    .venv/bin/python bench/bench_scaleout.py dask --n 2000    # one part
    .venv/bin/python bench/bench_scaleout.py dask --n 1000 --partition-size 100 --order 1 2 \
        --pg synchronous_commit=off                           # other task size, order, server
    .venv/bin/python bench/bench_scaleout.py dask --n 1000 --sample-waits  # + server waits
    .venv/bin/python bench/bench_scaleout.py bulk --bulk-sizes 100000 1000000
    .venv/bin/python bench/bench_scaleout.py bulk --bulk-sizes 100000 --ingest 1000
    parts: dask | backends | adminjoin | bulk | million | concurrency

Runs on a throwaway PostGIS cluster on a loopback port (Debian's postgresql + PostGIS, see
geo/pg_local.py). The machine's load average is printed with every part: the figures mean
little on a machine shared with other work. Results go to bench/results/scaleout_*.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from geo.pg_local import LocalPostgres  # noqa: E402

if __name__ == "__main__":
    # not when Dask's worker processes import this file (as __mp_main__, to unpickle): pandas
    # would load there before the worker plugin keeps pyarrow out (geo.dask_ingest.without_arrow)
    from bench_ingest import make_articles

    from geo.store import IncidentStore

RESULTS = ROOT / "bench" / "results"


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores"


def save(name: str, result: dict) -> None:
    result.update(run_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), load=load())
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"scaleout_{name}.json"
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {out}", flush=True)


# -- Dask: 1 -> 2 workers ----------------------------------------------------------------
def process_cpu() -> dict[str, float]:
    """This process's CPU seconds (for `client.run` on the workers)."""
    import psutil

    times = psutil.Process().cpu_times()
    return {"pid": os.getpid(), "cpu": times.user + times.system, "threads": thread_cpu()}


def thread_cpu() -> dict[str, float]:
    """CPU seconds of this process's threads by name (Dask's "IO loop" runs the scheduler,
    the nannies and the client's messaging; MainThread the ingest loop)."""
    import threading

    names = {t.native_id: t.name for t in threading.enumerate()}
    out: dict[str, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for task in Path("/proc/self/task").iterdir():
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the thread ended
        name = names.get(int(task.name), "other")
        name = "Dask threads" if name.startswith("Dask-") else name
        out[name] = out.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / tick
    return out


def postgres_cpu(pg: LocalPostgres) -> float:
    """CPU seconds of the whole server: the postmaster, its live children (backends, WAL
    writer, checkpointer...) and the children it has reaped (closed connections)."""
    import psutil

    pid = int((pg.data_dir / "postmaster.pid").read_text().split()[0])
    main = psutil.Process(pid)
    times = main.cpu_times()
    total = times.user + times.system + times.children_user + times.children_system
    for child in main.children():
        try:
            child_times = child.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += child_times.user + child_times.system
    return total


def server_counters(url: str) -> dict[str, float]:
    """Cluster-wide checkpoint and WAL counters (deltas taken around a run)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        bgwriter = connection.execute(
            "SELECT checkpoints_timed, checkpoints_req, checkpoint_write_time, "
            "checkpoint_sync_time, buffers_checkpoint, buffers_backend_fsync "
            "FROM pg_stat_bgwriter").fetchone()
        wal = connection.execute("SELECT wal_records, wal_bytes, wal_write, wal_sync "
                                 "FROM pg_stat_wal").fetchone()
    names = ("checkpoints_timed", "checkpoints_req", "checkpoint_write_ms", "checkpoint_sync_ms",
             "buffers_checkpoint", "buffers_backend_fsync", "wal_records", "wal_bytes",
             "wal_writes", "wal_syncs")
    return dict(zip(names, (float(v) for v in (*bgwriter, *wal)), strict=True))


class WaitSampler(threading.Thread):
    """Samples what the database's active backends wait on (pg_stat_activity), every 0.1 s:
    lock waits on the incident merge show as Lock:advisory, commits as IO:WALSync/WALWrite."""

    def __init__(self, url: str, database: str) -> None:
        super().__init__(daemon=True)
        self.url, self.database = url, database
        self.counts: dict[str, int] = {}
        self.samples = 0
        self.stopping = threading.Event()

    def run(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as connection:
            while not self.stopping.wait(0.1):
                self.samples += 1
                for kind, event in connection.execute(
                        "SELECT wait_event_type, wait_event FROM pg_stat_activity WHERE "
                        "datname = %s AND state = 'active' AND pid <> pg_backend_pid()",
                        (self.database,)).fetchall():
                    name = f"{kind}:{event}" if kind else "CPU"
                    self.counts[name] = self.counts.get(name, 0) + 1

    def stop(self) -> dict:
        self.stopping.set()
        self.join()
        return {"samples": self.samples, "active_backends_by_wait": dict(
            sorted(self.counts.items(), key=lambda item: -item[1]))}


def task_figures(timings: list[dict]) -> dict:
    """Per-run sums of the Dask tasks' own timings, per worker and over all: CPU (the task
    thread's, which other processes on the machine cannot inflate), wall, and the write
    phases; plus how long the last worker ran on alone at the end (a straggler tail)."""
    sums: dict[str, float] = {}
    workers: dict[int, dict[str, float]] = {}
    for t in timings:
        worker = workers.setdefault(t["worker"], {"tasks": 0, "cpu": 0.0, "wall": 0.0,
                                                  "first_start": t["start"], "last_end": 0.0})
        worker["tasks"] += 1
        worker["cpu"] += t["cpu"]
        worker["wall"] += t["wall"]
        worker["first_start"] = min(worker["first_start"], t["start"])
        worker["last_end"] = max(worker["last_end"], t["end"])
        for key, value in t.items():
            if key not in {"start", "end", "worker"}:
                sums[key] = sums.get(key, 0.0) + value
    ends = sorted(w["last_end"] for w in workers.values())
    return {"tasks": len(timings), **{k: round(v, 2) for k, v in sums.items()},
            "per_worker": [{"tasks": w["tasks"], "cpu": round(w["cpu"], 2),
                            "wall": round(w["wall"], 2)} for w in workers.values()],
            "tail_alone_s": round(ends[-1] - ends[0], 2) if len(ends) > 1 else 0.0,
            "task_sizes": sorted({int(t["articles"]) for t in timings})}


def bench_dask(pg: LocalPostgres, n: int, partition_size: int, order: tuple[int, ...],
               sample_waits: bool = False) -> dict:
    import resource

    from geo import paths
    from geo.dask_ingest import PLUGIN_NAME, PipelinePlugin, ingest, start_client, worker_info

    articles = make_articles(n)
    runs: dict[int, list[dict]] = {1: [], 2: []}
    # The first ingest into this fresh (durable, fsync on) server took 57-63 s against 27-35 s
    # for the same run later, whatever its worker count: an untimed warm-up ingest goes first,
    # as a team's server is warm. ABBA order then cancels what drift is left.
    for workers in (0, *order):
        name = f"dask_{workers}_{time.time_ns()}"
        url = pg.create_database(name)
        client, cluster = start_client(max(workers, 1))
        if not workers:
            try:
                client.register_plugin(PipelinePlugin(str(paths.gazetteer_dir())), name=PLUGIN_NAME)
                with IncidentStore(url) as store:
                    warm = ingest(store, articles[:300], client, partition_size=partition_size)
                print(f"warm-up (untimed): {warm.stored} articles in {warm.seconds:.1f} s", flush=True)
            finally:
                client.close()
                cluster.close()
            continue
        try:
            t0 = time.perf_counter()
            client.register_plugin(PipelinePlugin(str(paths.gazetteer_dir())), name=PLUGIN_NAME)
            loaded = client.run(worker_info)
            startup = time.perf_counter() - t0
            print(f"{workers} worker(s) loaded in {startup:.1f} s ({load()})", flush=True)
            workers_cpu = client.run(process_cpu)
            server_cpu, counters = postgres_cpu(pg), server_counters(pg.url())
            client_cpu = resource.getrusage(resource.RUSAGE_SELF)
            threads_cpu = thread_cpu()
            # opt-in: its query every 0.1 s costs this process and the server CPU too
            sampler = WaitSampler(pg.url(), name) if sample_waits else None
            if sampler:
                sampler.start()
            load_before = os.getloadavg()[0]
            with IncidentStore(url) as store:
                report = ingest(store, articles, client, partition_size=partition_size)
            waits = sampler.stop() if sampler else {}
            client_after = resource.getrusage(resource.RUSAGE_SELF)
            threads_cpu = {k: round(v - threads_cpu.get(k, 0.0), 2)
                           for k, v in thread_cpu().items()}
            server_cpu = postgres_cpu(pg) - server_cpu
            counters = {k: v - counters[k] for k, v in server_counters(pg.url()).items()}
            workers_after = client.run(process_cpu)
            worker_threads: dict[str, float] = {}  # summed over the workers
            for k, v in workers_after.items():
                for thread, seconds in v["threads"].items():
                    worker_threads[thread] = worker_threads.get(thread, 0.0) + seconds \
                        - workers_cpu[k]["threads"].get(thread, 0.0)
            workers_cpu = {k: v["cpu"] - workers_cpu[k]["cpu"] for k, v in workers_after.items()}
            after = client.run(worker_info)
        finally:
            client.close()
            cluster.close()
        tasks = task_figures(report.partition_timings)
        runs[workers].append({
            "seconds": round(report.seconds, 2), "stored": report.stored,
            "articles_per_second": round(report.stored / report.seconds, 1),
            "task": tasks,
            "cpu_seconds": {
                "worker_processes": [round(v, 2) for v in workers_cpu.values()],
                "client_and_scheduler": round(client_after.ru_utime + client_after.ru_stime
                                              - client_cpu.ru_utime - client_cpu.ru_stime, 2),
                "postgres": round(server_cpu, 2),
                "client_threads": {k: v for k, v in threads_cpu.items() if v},
                "worker_threads": {k: round(v, 2) for k, v in worker_threads.items() if v}},
            "postgres": {**{k: round(v) for k, v in counters.items()}, **waits},
            "worker_load_seconds": [round(v["load_seconds"], 1) for v in loaded.values()],
            "worker_rss_mb_after_load": [v["rss_after_load"] >> 20 for v in loaded.values()],
            "worker_rss_mb_after_ingest": [v["rss"] >> 20 for v in after.values()],
            "worker_rss_mb_peak": [v["rss_peak"] >> 20 for v in after.values()],
            "worker_pyarrow_loaded": [v["pyarrow_loaded"] for v in after.values()],
            "load_1min_before": round(load_before, 1), "load": load()})
        run = runs[workers][-1]
        cpu = run["cpu_seconds"]
        # what is not the tasks' own CPU: the server, the client with the scheduler and the
        # nannies, and Dask's work in the worker processes beyond their tasks
        cpu["non_task"] = round(cpu["postgres"] + cpu["client_and_scheduler"]
                                + sum(cpu["worker_processes"]) - tasks["cpu"], 2)
        print(f"  {workers} worker(s): {report.stored} articles in {report.seconds:.1f} s = "
              f"{run['articles_per_second']} articles/s; worker RSS {run['worker_rss_mb_after_ingest']} MB, "
              f"peak {run['worker_rss_mb_peak']} MB ({load()})", flush=True)
        print(f"    tasks: {json.dumps(tasks)}", flush=True)
        print(f"    cpu s: {json.dumps(run['cpu_seconds'])}; postgres: "
              f"{json.dumps(run['postgres'])}", flush=True)
    return {"articles": n, "partition_size": partition_size, "order": list(order),
            "server_settings": pg.settings, "runs": runs, **dask_speedups(runs)}


def dask_speedups(runs: dict[int, list[dict]]) -> dict:
    """Wall speed-up (mean of the runs of each worker count) and the task-CPU speed-up: the
    1-worker run's task CPU over the busiest worker's task CPU in the 2-worker run, i.e. the
    speed-up if each worker had a core of its own (other processes on the machine inflate
    wall times, not a task's own CPU time)."""
    if not (runs[1] and runs[2]):
        return {}
    mean = {w: statistics.mean(r["seconds"] for r in rs) for w, rs in runs.items()}
    one_cpu = statistics.mean(r["task"]["cpu"] for r in runs[1])
    busiest = statistics.mean(max(w["cpu"] for w in r["task"]["per_worker"]) for r in runs[2])
    two_cpu = statistics.mean(r["task"]["cpu"] for r in runs[2])
    # With the two cores to ourselves: one worker waits for its server's work (its tasks'
    # CPU plus the server's, in series); two workers can go no faster than their busiest
    # worker, nor than all the run's CPU (workers, client + scheduler, server) over 2 cores.
    one_alone = statistics.mean(r["task"]["cpu"] + r["cpu_seconds"]["postgres"] for r in runs[1])
    two_alone = statistics.mean(max(
        max(w["cpu"] for w in r["task"]["per_worker"]),
        (sum(r["cpu_seconds"]["worker_processes"]) + r["cpu_seconds"]["client_and_scheduler"]
         + r["cpu_seconds"]["postgres"]) / 2) for r in runs[2])
    result = {"speedup": round(mean[1] / mean[2], 2),
              "speedup_task_cpu": round(one_cpu / busiest, 2),
              "speedup_two_cores_bound": round(one_alone / two_alone, 2),
              "task_cpu_1_worker": round(one_cpu, 1), "task_cpu_2_workers": round(two_cpu, 1),
              "task_cpu_busiest_of_2": round(busiest, 1),
              "non_task_cpu": {w: round(statistics.mean(r["cpu_seconds"]["non_task"] for r in rs), 2)
                               for w, rs in runs.items()}}
    pairs = list(zip(runs[1], runs[2], strict=False))
    result["speedup_by_pair"] = [round(a["seconds"] / b["seconds"], 2) for a, b in pairs]
    print(f"speed-up 1 -> 2 workers: wall {result['speedup']:.2f}x (mean of the runs; pairs "
          f"{result['speedup_by_pair']}), task CPU {result['speedup_task_cpu']:.2f}x "
          f"(1 worker {one_cpu:.1f} s of task CPU; 2 workers {two_cpu:.1f} s, the busiest "
          f"{busiest:.1f} s); on 2 cores of our own at best {result['speedup_two_cores_bound']:.2f}x "
          f"({one_alone:.1f} s of worker + server CPU in series, against {two_alone:.1f} s); "
          f"CPU not in tasks (server, client + scheduler + nannies, Dask in the workers) "
          f"{result['non_task_cpu'][1]:.1f} s with 1 worker, {result['non_task_cpu'][2]:.1f} s "
          f"with 2", flush=True)
    return result


# -- PostGIS vs GeoPackage ---------------------------------------------------------------
def bench_backends(pg: LocalPostgres, n: int, tmp: Path) -> tuple[dict, str]:
    from geo.export import export_layer
    from geo.filters import Filters
    from geo.store.ingest import parse_article

    articles = make_articles(n)
    parse_article("Warm-up in Paris, in the morning.", None)  # parser and language models
    url = pg.create_database(f"backends_{time.time_ns()}")
    out = {"articles": n}
    for name, location in (("geopackage", tmp / "bench.gpkg"), ("postgis", url)):
        with IncidentStore(location) as store:
            store.boundaries  # noqa: B018 - loaded before timing
            report = store.ingest(articles)
            t0 = time.perf_counter()
            data = export_layer(store, "incidents", "geojson")
            export_seconds = time.perf_counter() - t0
            top = store.stats()["incidents_by_country"]
            adm1 = store.backend.execute(
                "SELECT adm1_iso, count(*) FROM incidents WHERE adm1_iso IS NOT NULL "
                "GROUP BY 1 ORDER BY 2 DESC LIMIT 1").fetchone()[0]
            t0 = time.perf_counter()
            sql_count = store.backend.execute(
                "SELECT count(*) FROM incidents WHERE adm1_iso = ?", (adm1,)).fetchone()[0]
            sql_seconds = time.perf_counter() - t0
            t0 = time.perf_counter()
            frame = store.incidents(Filters(admin1=(adm1,)))
            filter_seconds = time.perf_counter() - t0
        out[name] = {"ingest_seconds": round(report.seconds, 2),
                     "articles_per_second": round(report.stored / report.seconds, 1),
                     "incidents_geojson_seconds": round(export_seconds, 3),
                     "incidents_geojson_mb": round(len(data) / 1e6, 2),
                     "admin1": adm1, "count_sql_ms": round(sql_seconds * 1000, 2),
                     "count": sql_count, "filter_to_frame_ms": round(filter_seconds * 1000, 1),
                     "filtered_rows": len(frame), "countries": len(top), "load": load()}
        print(f"{name}: {out[name]}", flush=True)
    return out, url


# -- admin join: shapely/geopandas in the worker vs ST_Intersects in PostGIS ----------------
def bench_adminjoin(pg: LocalPostgres, store_url: str) -> dict:
    """The same points (the place mentions of the backends run) joined to admin-1 both ways."""
    import geopandas as gpd
    import psycopg
    import shapely

    from geo.join import load_admin_boundaries
    from geo.store.postgis import copy_rows, ewkb
    from geo.store.schema import Layer

    with psycopg.connect(store_url) as connection:
        rows = connection.execute("SELECT lon, lat FROM mentions WHERE level = 'place' AND "
                                  "lon IS NOT NULL").fetchall()
        adm1 = load_admin_boundaries().adm1
        connection.execute("CREATE TABLE bench_adm1 (fid bigint PRIMARY KEY, geom "
                           "geometry(Geometry, 4326), admin1_iso text)")
        copy_rows(connection, Layer("bench_adm1", [("admin1_iso", "TEXT")], "", "GEOMETRY"),
                  ({"fid": i, "geom": g, "admin1_iso": code} for i, (g, code) in
                   enumerate(zip(adm1.geometry, adm1["admin1_iso"], strict=True))),
                  with_fid=True)
        connection.execute("CREATE INDEX ON bench_adm1 USING gist (geom)")
        connection.execute("CREATE TABLE bench_points (id int, geom geometry(Point, 4326))")
        with connection.cursor().copy("COPY bench_points FROM STDIN") as copy:
            for i, (x, y) in enumerate(rows):
                copy.write_row((i, ewkb(shapely.Point(x, y))))
        connection.execute("ANALYZE bench_adm1")
        connection.execute("ANALYZE bench_points")
        t0 = time.perf_counter()
        sql = dict(connection.execute(
            "SELECT p.id, a.admin1_iso FROM bench_points p JOIN bench_adm1 a "
            "ON ST_Intersects(a.geom, p.geom)").fetchall())
        sql_seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    points = gpd.GeoDataFrame({"id": range(len(rows))}, geometry=gpd.points_from_xy(
        [r[0] for r in rows], [r[1] for r in rows]), crs="EPSG:4326")
    joined = gpd.sjoin(points, adm1[["admin1_iso", "geometry"]], predicate="intersects")
    python_seconds = time.perf_counter() - t0
    python = dict(zip(joined["id"], joined["admin1_iso"], strict=True))
    agree = sum(python.get(k) == v for k, v in sql.items()) / max(1, len(sql))
    result = {"points": len(rows), "polygons": len(adm1),
              "postgis_st_intersects_s": round(sql_seconds, 3),
              "geopandas_sjoin_s": round(python_seconds, 3), "agreement": round(agree, 4),
              "load": load()}
    print(f"admin join: {result}", flush=True)
    return result


# -- a million incidents -----------------------------------------------------------------
def bench_million(pg: LocalPostgres, n: int) -> dict:
    """n synthetic incidents (and their articles) COPYed into PostGIS, then filtered."""
    import numpy as np
    import psycopg
    import shapely

    from geo.filters import Filters
    from geo.store.postgis import ewkb

    url = pg.create_database(f"million_{time.time_ns()}")
    IncidentStore(url).close()  # create the tables
    rng = np.random.default_rng(7)
    admin1 = [f"C{c:02d}-{a:02d}" for c in range(100) for a in range(30)]  # 3,000 units
    first = date(2023, 1, 1)
    t0 = time.perf_counter()
    with psycopg.connect(url) as connection:
        with connection.cursor().copy(
                "COPY articles (article_id, content_hash, published, text) FROM STDIN") as copy:
            for i in range(n):
                copy.write_row((f"m{i}", f"h{i}", None, "synthetic"))
        units = rng.integers(0, len(admin1), n)
        days = rng.integers(0, 730, n)
        lon, lat = rng.uniform(-180, 180, n), rng.uniform(-60, 70, n)
        with connection.cursor().copy(
                "COPY incidents (geom, incident_id, article_id, event_date, adm0_iso3, adm1_iso, "
                "geo_precision, kind, confidence, lat, lon) FROM STDIN") as copy:
            for i in range(n):
                unit = admin1[units[i]]
                copy.write_row((ewkb(shapely.Point(lon[i], lat[i])), f"inc:m{i}", f"m{i}",
                                (first + timedelta(days=int(days[i]))).isoformat(),
                                unit[:3], unit, 1, "toponym", 0.9, lat[i], lon[i]))
        connection.execute("ANALYZE incidents")
    load_seconds = time.perf_counter() - t0
    print(f"{n:,} incidents loaded in {load_seconds:.1f} s ({load()})", flush=True)
    filters = Filters(start=date(2023, 3, 1), end=date(2023, 5, 31), admin1=("C42-07",))
    timings = []
    with IncidentStore(url) as store:
        for _ in range(5):
            t0 = time.perf_counter()
            frame = store.incidents(filters)
            timings.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        count = store.backend.execute(
            "SELECT count(*) FROM incidents WHERE event_date BETWEEN ? AND ? AND adm1_iso = ?",
            ("2023-03-01", "2023-05-31", "C42-07")).fetchone()[0]
        count_seconds = time.perf_counter() - t0
    assert count == len(frame), (count, len(frame))
    result = {"incidents": n, "load_seconds": round(load_seconds, 1),
              "filter": "event date 2023-03-01..2023-05-31 and admin-1 C42-07",
              "rows": len(frame), "store_incidents_filter_s_median": round(
                  statistics.median(timings), 3), "store_incidents_filter_s_max": round(
                  max(timings), 3), "sql_count_s": round(count_seconds, 3), "load": load()}
    print(f"million: {result}", flush=True)
    return result


# -- bulk stores: the same synthetic incidents in both backends, read like the app ------------
def bulk_fill(store: IncidentStore, n: int, seed: int = 1, chunk: int = 20_000) -> float:
    """n synthetic incidents, one article each (no mentions), written through the store's own
    backend (COPY on PostGIS, executemany on a GeoPackage); places drawn from the real
    gazetteer weighted by population, as bench_map does. Returns the seconds taken."""
    from bench_map import gazetteer_places, synthetic_incidents

    from geo.store.schema import LAYERS

    places = gazetteer_places()
    columns = LAYERS["incidents"].column_names
    t0 = time.perf_counter()
    with store.backend.transaction():
        for start in range(0, n, chunk):
            frame = synthetic_incidents(min(chunk, n - start), places, seed=seed + start)
            ids = [f"b{start + i}" for i in range(len(frame))]
            frame["incident_id"], frame["article_id"] = [f"inc:{a}" for a in ids], ids
            frame["lat"], frame["lon"] = frame.geometry.y, frame.geometry.x
            frame["source_count"], frame["category"] = 1, "battles"
            store.backend.insert_rows("articles", (
                {"article_id": a, "content_hash": f"h-{a}", "title": t, "url": u, "source": "Bench",
                 "published": p, "text": f"{t}. {snippet}", "ingested_at": p}
                for a, t, u, p, snippet in zip(ids, frame["title"], frame["source_url"],
                                               frame["published"], frame["snippet"], strict=True)))
            records = frame.drop(columns="geometry").to_dict("records")
            store.backend.insert_rows("incidents", (
                {**{c: r.get(c) for c in columns}, "geom": g}
                for r, g in zip(records, frame.geometry, strict=True)))
    store.backend.execute("ANALYZE")
    return time.perf_counter() - t0


def app_filter_to_map(location: str | Path, filters_by_name: dict) -> dict:
    """The app's path through the same functions (geo/view/window.py): open the store as the
    app does (pooled on a server), read the filters' choices (units, date bounds: SQL), then per
    filter: the undated incidents when they fit the point cap, else SQL counts and the cap's most
    reported incidents; build the map's data and render what is sent to the browser."""
    from bench_map import app_payload, point_rows

    from geo.view import window
    from geo.view.data import open_store

    t0 = time.perf_counter()
    with open_store(str(location)) as store:
        catalog = window.read_catalog(store)
    out = {"catalog_s": round(time.perf_counter() - t0, 2), "incidents": catalog.total,
           "row_cap": window.ROW_CAP}
    for name, filters in filters_by_name.items():
        t0 = time.perf_counter()
        with open_store(str(location)) as store:
            base = window.read_undated(store, filters)
            view = window.read_view(store, filters, base)
        read_seconds = time.perf_counter() - t0
        group, size = app_payload(view.shown, view.mentions)
        to_map_seconds = time.perf_counter() - t0
        markers = point_rows(group)
        out[name] = {"read_s": round(read_seconds, 2),
                     "filter_to_map_s": round(to_map_seconds, 2),
                     "matching": view.headline.incidents, "rows_read": len(view.shown),
                     "point_rows_drawn": markers, "payload_mb": round(size / 1e6, 2)}
    return out


def bench_bulk(pg: LocalPostgres, n: int, tmp: Path, backends: tuple[str, ...],
               ingest: int = 0) -> dict:
    """n bulk-generated incidents per backend: export, counts and filters in SQL, and the app's
    filter-to-map time. With `ingest`, the last `ingest` of the n are real articles (bench
    copies of the sample) ingested after the bulk fill, one process, parse to merge: the
    ingest rate of a store that already holds n - ingest incidents."""
    from geo.export import export_layer
    from geo.filters import Filters
    from geo.store.ingest import parse_article

    out: dict = {"incidents": n, "note": "bulk-generated incidents + articles, no mentions"}
    articles = make_articles(ingest) if ingest else []
    if articles:
        out["note"] += f"; then {ingest} real articles ingested (their incidents, mentions, " \
                       "reports; the bulk incidents have no event reports to merge with)"
        parse_article("Warm-up in Paris, in the morning.", None)  # parser and language models
    for name in backends:
        location = tmp / f"bulk_{n}.gpkg" if name == "geopackage" else \
            pg.create_database(f"bulk_{n}_{time.time_ns()}")
        with IncidentStore(location) as store:
            fill_seconds = bulk_fill(store, n - len(articles))
            ingested = {}
            if articles:
                store.boundaries  # noqa: B018 - loaded before timing
                report = store.ingest(articles)
                ingested = {"ingest_articles": report.stored,
                            "ingest_seconds": round(report.seconds, 1),
                            "ingest_articles_per_second": round(report.stored / report.seconds, 1),
                            "ingest_load": load()}
                print(f"bulk {n:,} {name}: {ingested}", flush=True)
            adm1 = store.backend.execute(
                "SELECT adm1_iso, count(*) FROM incidents WHERE adm1_iso IS NOT NULL "
                "GROUP BY 1 ORDER BY 2 DESC LIMIT 1").fetchone()[0]
            t0 = time.perf_counter()
            count = store.backend.execute("SELECT count(*) FROM incidents WHERE adm1_iso = ?",
                                          (adm1,)).fetchone()[0]
            count_seconds = time.perf_counter() - t0
            quarter = Filters(start=date(2024, 3, 1), end=date(2024, 5, 31), admin1=(adm1,))
            t0 = time.perf_counter()
            rows = len(store.incidents(quarter))
            filter_seconds = time.perf_counter() - t0
            t0 = time.perf_counter()
            data = export_layer(store, "incidents", "geojson") if n <= 200_000 else b""
            export_seconds = time.perf_counter() - t0
        result = {"bulk_fill_s": round(fill_seconds, 1), **ingested, "admin1": adm1,
                  "count_by_admin1_sql_ms": round(count_seconds * 1000, 2), "count": count,
                  "store_incidents_date_admin1_s": round(filter_seconds, 3),
                  "date_admin1_rows": rows,
                  "incidents_geojson_s": round(export_seconds, 1) if data else None,
                  "incidents_geojson_mb": round(len(data) / 1e6, 1) if data else None}
        result["app"] = app_filter_to_map(location, {
            "all_incidents": Filters(), "one_admin1_quarter": quarter})
        result["load"] = load()
        out[name] = result
        print(f"bulk {n:,} {name}: {result}", flush=True)
    return out


# -- concurrency: 4 readers + 1 ingest -----------------------------------------------------
def bench_concurrency(url: str, seconds: float, readers: int, tmp: Path) -> dict:
    from geo.filters import Filters
    from geo.store.postgis import open_pool

    feed = tmp / "feed.jsonl"
    with feed.open("w", encoding="utf-8") as out:
        for a in make_articles(20000):
            out.write(json.dumps({"id": f"c-{a.article_id}", "text": a.text + " (live)",
                                  "published": a.published}) + "\n")
    with IncidentStore(url) as store:
        before = store.article_count()
        codes = [c for c in store.stats()["incidents_by_country"] if c != "unknown"][:10]
    ingest = subprocess.Popen([sys.executable, "-m", "geo", "ingest", str(feed), "--store", url,
                               "--quiet", "--batch-size", "50"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    pool = open_pool(url, max_size=readers)
    latencies: list[float] = []
    errors: list[str] = []
    stop = time.monotonic() + seconds

    def reader(k: int) -> None:
        i = 0
        while time.monotonic() < stop:
            filters = Filters(countries=(codes[(k + i) % len(codes)],)) if codes else Filters()
            t0 = time.perf_counter()
            try:
                with IncidentStore(url, pool=pool) as store:
                    store.incidents(filters)
                    store.version_token()
                latencies.append(time.perf_counter() - t0)
            except Exception as exc:  # noqa: BLE001 - counted, the figure we report
                errors.append(f"{type(exc).__name__}: {exc}")
            i += 1

    threads = [threading.Thread(target=reader, args=(k,)) for k in range(readers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ingest.terminate()
    ingest.wait(timeout=30)
    pool.close()
    with IncidentStore(url) as store:
        written = store.article_count() - before
    latencies.sort()
    result = {"seconds": seconds, "readers": readers, "reads": len(latencies),
              "errors": len(errors), "error_examples": errors[:3],
              "read_p50_s": round(latencies[len(latencies) // 2], 3) if latencies else None,
              "read_p95_s": round(latencies[int(len(latencies) * 0.95)], 3) if latencies else None,
              "articles_ingested_meanwhile": written, "load": load()}
    print(f"concurrency: {result}", flush=True)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("parts", nargs="*",
                        default=["dask", "backends", "adminjoin", "million", "concurrency"])
    parser.add_argument("--n", type=int, default=2000, help="articles for dask and backends")
    parser.add_argument("--partition-size", type=int, default=None,
                        help="dask: articles per task (default: geo ingest's)")
    parser.add_argument("--order", type=int, nargs="+", default=[1, 2, 2, 1],
                        help="dask: worker counts of the timed runs, in order")
    parser.add_argument("--sample-waits", action="store_true",
                        help="dask: sample what the server's backends wait on every 0.1 s "
                        "(pg_stat_activity; costs client and server CPU, so off by default)")
    parser.add_argument("--pg", nargs="*", default=[], metavar="NAME=VALUE",
                        help="server settings (default: PostgreSQL's own, durable)")
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--bulk-sizes", type=int, nargs="+", default=[100_000],
                        help="bulk: incidents per store (GeoPackage and PostGIS up to 200,000; "
                        "PostGIS only above)")
    parser.add_argument("--ingest", type=int, default=0,
                        help="bulk: the last N incidents of each store come from N real "
                        "articles ingested after the bulk fill (the ingest rate at that size)")
    args = parser.parse_args(argv)
    print(load(), flush=True)
    settings = dict(item.split("=", 1) for item in args.pg)
    with LocalPostgres(settings=settings) as pg, tempfile.TemporaryDirectory() as tmp:
        url = None
        if "dask" in args.parts:
            from geo.dask_ingest import PARTITION_SIZE

            save(f"dask_{args.n}", bench_dask(pg, args.n, args.partition_size or PARTITION_SIZE,
                                              tuple(args.order), args.sample_waits))
        if {"backends", "adminjoin", "concurrency"} & set(args.parts):
            result, url = bench_backends(pg, args.n, Path(tmp))
            save(f"backends_{args.n}", result)
        if "adminjoin" in args.parts:
            save("adminjoin", bench_adminjoin(pg, url))
        if "bulk" in args.parts:
            for size in args.bulk_sizes:
                backends = ("geopackage", "postgis") if size <= 200_000 else ("postgis",)
                suffix = f"_ingest{args.ingest}" if args.ingest else ""
                save(f"bulk_{size}{suffix}", bench_bulk(pg, size, Path(tmp), backends,
                                                        args.ingest))
        if "million" in args.parts:
            save(f"million_{args.incidents}", bench_million(pg, args.incidents))
        if "concurrency" in args.parts:
            save("concurrency", bench_concurrency(url, args.seconds, 4, Path(tmp)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
