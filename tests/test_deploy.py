"""deploy/compose.yaml brought up without docker: the same service commands, run as local
processes against a throwaway PostGIS on a loopback port. The scheduler, two workers started
with the geo.dask_worker preload, `geo ingest --scheduler` of the sample corpus into PostGIS,
and the app answering its health check on that store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from geo import paths
from geo.pg_local import free_port
from geo.store import IncidentStore

pytestmark = pytest.mark.slow
COMPOSE = paths.ROOT / "deploy" / "compose.yaml"


def service_command(name: str, replacements: dict[str, str]) -> list[str]:
    """A compose service's command, with container addresses replaced by local ones."""
    services = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))["services"]
    command = []
    for part in services[name]["command"]:
        for old, new in replacements.items():
            part = part.replace(old, new)
        command.append(part)
    return command


def local(command: list[str]) -> list[str]:
    """Run the project's console scripts from this environment's bin folder."""
    return [str(Path(sys.executable).parent / command[0]), *command[1:]]


def wait_until(check, seconds: float, what: str) -> None:  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.5)


def test_compose_services_run_locally(postgis_url: str, real_gazetteer_dir: Path,
                                      tmp_path: Path) -> None:
    scheduler_port, dashboard_port, app_port = free_port(), free_port(), free_port()
    scheduler = f"tcp://127.0.0.1:{scheduler_port}"
    replacements = {"tcp://scheduler:8786": scheduler, "8786": str(scheduler_port),
                    ":8787": f"127.0.0.1:{dashboard_port}", "8501": str(app_port)}
    env = {**os.environ, "GEO_STORE": postgis_url, "GEO_GAZETTEER_DIR": str(real_gazetteer_dir)}
    logs = tmp_path / "logs"
    logs.mkdir()
    processes: list[subprocess.Popen] = []

    def start(name: str, command: list[str]) -> subprocess.Popen:
        log = (logs / f"{name}-{len(processes)}.log").open("w")
        process = subprocess.Popen(local(command), env=env, cwd=paths.ROOT, stdout=log,
                                   stderr=subprocess.STDOUT)
        processes.append(process)
        return process

    try:
        start("scheduler", service_command("scheduler", replacements))
        for _ in range(2):
            start("worker", service_command("worker", replacements))
        ingest = service_command("ingest", replacements)
        assert ingest[:2] == ["geo", "ingest"]
        ingest[2] = str(paths.ROOT / "data" / "sample")  # the compose volume /articles
        result = subprocess.run(local(ingest), env=env, cwd=paths.ROOT, capture_output=True,
                                text=True, timeout=600)
        assert result.returncode == 0, result.stderr[-3000:]
        assert "ingesting on Dask: " + scheduler in result.stderr
        with IncidentStore(postgis_url) as store:
            stored = store.article_count()
            incidents = store.incidents()
            stored_ids = set(store.articles()["article_id"])
        # incidents are events: several reports merge, and one article can report several
        reported = {a for ids in incidents["article_ids"] for a in json.loads(ids)}
        assert stored > 50 and 0 < len(incidents) and reported <= stored_ids
        assert len(reported) > 0.8 * stored  # almost every sample article reports an event
        assert f"stored {stored}," in result.stdout

        start("app", service_command("app", replacements))

        def healthy() -> bool:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{app_port}/_stcore/health",
                                            timeout=2) as response:
                    return response.read() == b"ok"
            except OSError:
                return False
        wait_until(healthy, 120, "the app")
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
    for log in logs.glob("worker-*.log"):  # the preload loaded the pipeline at start
        assert "geo pipeline loaded in" in log.read_text(errors="replace"), log
