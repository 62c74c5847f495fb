"""Gazetteer benchmark: build time, database size, lookups per second (exact, fuzzy), memory.

    .venv/bin/python bench/bench_gazetteer.py [--rebuild]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

import psutil

from geo import paths
from geo.build import build_gazetteer
from geo.gazetteer import Gazetteer

RESULTS = Path(__file__).parent / "results"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rebuild", action="store_true", help="time a full rebuild (no cache)")
    ap.add_argument("--n", type=int, default=2000)
    args = ap.parse_args()
    proc = psutil.Process()
    out: dict = {}
    if args.rebuild:
        t = time.perf_counter()
        build_gazetteer(force=True, use_cache=False, log=lambda *_: None)
        out["build_seconds"] = round(time.perf_counter() - t, 1)
    d = paths.gazetteer_dir()
    out["sqlite_mb"] = round((d / "gazetteer.sqlite").stat().st_size / 1e6, 1)
    out["boundaries_mb"] = round((d / "boundaries.gpkg").stat().st_size / 1e6, 1)
    out["boundaries_simplified_mb"] = round((d / "boundaries_simplified.gpkg").stat().st_size / 1e6, 1)
    rss0 = proc.memory_info().rss
    g = Gazetteer()
    names = [r[0] for r in g.connection.execute(
        "SELECT name FROM places WHERE level='place' ORDER BY population DESC LIMIT 20000")]
    random.seed(7)
    sample = random.sample(names, args.n)
    t = time.perf_counter()
    for n in sample:
        g.lookup(n)
    out["exact_lookups_per_s"] = round(args.n / (time.perf_counter() - t))
    typos = [n[:-1] + "x" if len(n) > 4 else n for n in sample[: args.n // 10]]
    t = time.perf_counter()
    for n in typos:
        g.lookup(n, fuzzy=True)
    out["fuzzy_lookups_per_s"] = round(len(typos) / (time.perf_counter() - t), 1)
    out["lookup_rss_mb"] = round((proc.memory_info().rss - rss0) / 1e6, 1)
    out["process_rss_mb"] = round(proc.memory_info().rss / 1e6, 1)
    for k, v in out.items():
        print(f"{k:>26}: {v}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "gazetteer.json").write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
