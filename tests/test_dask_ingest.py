"""Distributed ingest on a real local Dask cluster of 2 worker processes, on the real
gazetteer: the same incidents as a single-process ingest whatever the partitioning, into a
GeoPackage (one writer) and into PostGIS (workers write), and a worker killed mid-partition
leaves no duplicates and no gaps."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from geo import paths
from geo.read import ArticleRecord
from geo.store import IncidentStore

pytestmark = pytest.mark.slow
N = 1000  # articles for the partitioning tests (three full ingests: kept modest for the suite)


def corpus(n: int) -> list[ArticleRecord]:
    """n distinct articles made by varying the sample corpus, with some exact duplicates."""
    texts = []
    for f in sorted((paths.ROOT / "data" / "sample").glob("2024-*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if row.get("text") and len(row.get("published") or "") == 10:
                texts.append((row["text"], row["published"]))
    assert texts, "the sample corpus is missing"
    out = []
    for i in range(n):
        text, published = texts[i % len(texts)]
        out.append(ArticleRecord(f"{text}\n\n(Report {i}.)", article_id=f"d{i}",
                                 published=published))
    # the same content again under other ids: stored once
    out += [ArticleRecord(a.text, article_id=f"dup{i}", published=a.published)
            for i, a in enumerate(out[:: max(1, n // 20)])]
    return out


@pytest.fixture(scope="module")
def client(real_gazetteer_dir: Path) -> Iterator[object]:
    from geo.dask_ingest import start_client

    client, cluster = start_client(workers=2)
    yield client
    client.close()
    cluster.close()


def mapping(store: IncidentStore) -> dict[str, tuple]:
    """article's event report -> its incident (place, date, admin-1, point)."""
    incidents = store.incidents().set_index("incident_id")
    links = store.backend.read_frame("SELECT article_id, report_index, incident_id "
                                     "FROM article_incidents")
    out = {}
    for link in links.itertuples():
        row = incidents.loc[link.incident_id]
        out[f"{link.article_id}#{link.report_index}"] = (
            link.incident_id, row["name"], row["event_date"], row["adm1_iso"],
            None if row.geometry is None else row.geometry.wkt)
    return out


@pytest.fixture(scope="module")
def single_process(tmp_path_factory: pytest.TempPathFactory,
                   real_gazetteer_dir: Path) -> tuple[dict, int]:
    with IncidentStore(tmp_path_factory.mktemp("single") / "s.gpkg") as store:
        report = store.ingest(corpus(N), batch_size=100)
        assert report.rejected == 0
        return mapping(store), len(store.mentions())


def test_dask_into_geopackage_matches_single_process(client: object, tmp_path: Path,
                                                      single_process: tuple[dict, int]) -> None:
    from geo.dask_ingest import ingest

    expected, mentions = single_process
    with IncidentStore(tmp_path / "d.gpkg") as store:
        report = ingest(store, corpus(N), client, partition_size=37)
        assert (report.read, report.stored, report.already_present, report.rejected) == \
            (N + 20, N, 20, 0)
        assert mapping(store) == expected
        assert len(store.mentions()) == mentions
    # both workers took part
    info = client.run(lambda: os.getpid())
    assert len(set(info.values())) == 2
    # the workers did it without pyarrow (geo.dask_ingest.without_arrow: ~70 MB each)
    from geo.dask_ingest import worker_info

    infos = client.run(worker_info).values()
    assert [v["pyarrow_loaded"] for v in infos] == [False, False]
    # the loaded pipeline is out of the garbage collector's sight (geo.dask_ingest.load_pipeline)
    assert all(v["gc_frozen"] > 100_000 for v in infos)


def test_the_local_cluster_keeps_dask_housekeeping_slow(client: object) -> None:
    """geo.dask_ingest.LEAN_DASK_CONFIG reaches the scheduler (in this process) and, through
    the nannies, the worker processes: ticks every second, no work stealing, no profiler."""
    def intervals(server: object) -> dict:
        return {k: c.callback_time for k, c in server.periodic_callbacks.items()}

    workers = client.run(lambda dask_worker: intervals(dask_worker)).values()
    scheduler = client.run_on_scheduler(lambda dask_scheduler: (
        intervals(dask_scheduler), "stealing" in dask_scheduler.extensions))
    for ms in (*workers, scheduler[0]):
        assert (ms["tick"], ms["monitor"]) == (1000, 5000)
    assert not any("profile" in ms for ms in workers)
    assert scheduler[1] is False


def test_dask_into_postgis_matches_single_process(client: object, postgis_url: str,
                                                  single_process: tuple[dict, int]) -> None:
    from geo.dask_ingest import ingest

    expected, mentions = single_process
    with IncidentStore(postgis_url) as store:
        report = ingest(store, corpus(N), client, partition_size=250)
        assert (report.stored, report.already_present, report.rejected) == (N, 20, 0)
        # each task says where its time went (bench_scaleout's task-CPU figures)
        timings = report.partition_timings
        assert sum(t["articles"] for t in timings) == N
        assert all(t["cpu"] > 0 and t["wall"] >= t["parse"] + t["merge"] and
                   t["merge"] >= t["merge_lock_wait"] >= 0 for t in timings)
        assert mapping(store) == expected
        assert len(store.mentions()) == mentions
        # again: everything is already there
        again = ingest(store, corpus(N), client, partition_size=500)
        assert (again.stored, again.already_present) == (0, N + 20)


def test_a_partition_run_again_after_its_answer_was_lost_counts_as_stored(
        postgis_url: str, real_gazetteer_dir: Path) -> None:
    """A worker killed after its commit but before its answer reached the client: Dask runs
    the partition again, which finds every article present. Those are this run's writes, not
    duplicates: the report says stored, as if the first answer had arrived."""
    from geo.dask_ingest import _WORKER, process_partition, written_by_lost_attempt

    articles = corpus(6)[:6]
    with IncidentStore(postgis_url) as store:
        first = process_partition(articles, {}, postgis_url)  # its answer "never arrives"
        again = process_partition(articles, {}, postgis_url)  # Dask's retry
        assert (first.stored, again.stored, again.already_present) == (6, 0, 6)
        assert sorted(again.lost_races) == sorted(a.content_hash for a in articles)
        assert written_by_lost_attempt(store.backend, again.lost_races, articles) == 6
        # the same content under other ids was not ours to store: present, not stored
        renamed = [ArticleRecord(a.text, article_id=f"other{i}", published=a.published)
                   for i, a in enumerate(articles)]
        assert written_by_lost_attempt(store.backend, again.lost_races, renamed) == 0
        assert len(store.articles()) == 6
    _WORKER.get("stores", {}).pop(postgis_url).close()  # this process played the worker


def test_a_worker_killed_mid_partition_loses_nothing_and_duplicates_nothing(
        client: object, postgis_url: str) -> None:
    """PostGIS: the workers write, so the killed one may die inside its transaction."""
    from geo.dask_ingest import ingest

    location = postgis_url
    articles = corpus(600)
    killed: list[tuple[int, list]] = []

    def kill_a_busy_worker(_report: object) -> None:
        if killed:
            return
        pids = client.run(os.getpid)
        busy = {addr: keys for addr, keys in client.processing().items() if keys}
        if busy:
            address, keys = next(iter(busy.items()))
            os.kill(pids[address], signal.SIGKILL)
            killed.append((pids[address], keys))

    with IncidentStore(location) as store:
        report = ingest(store, articles, client, partition_size=20, progress=kill_a_busy_worker)
        assert killed, "no worker was busy when the first partition finished"
        assert (report.stored, report.already_present, report.rejected) == (600, 20, 0)
        stored = store.articles()
        assert len(stored) == 600 and stored["content_hash"].is_unique
        incidents = store.incidents()
        links = store.backend.read_frame("SELECT article_id, incident_id FROM article_incidents")
        assert sorted(set(links["article_id"])) == sorted(stored["article_id"])
        assert set(incidents["incident_id"]) == set(links["incident_id"])
        mentions = store.mentions()
        assert mentions["mention_id"].is_unique
        assert set(mentions["article_id"]) <= set(stored["article_id"])
    # the killed process is gone and the nanny started another in its place
    assert killed[0][0] not in client.run(os.getpid).values()
