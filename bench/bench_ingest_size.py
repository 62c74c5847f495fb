"""Ingest time per MB of article text, from 10 kB to 5 MB: the work per article is linear.

    .venv/bin/python bench/bench_ingest_size.py                  # 10 kB, 100 kB, 1 MB, 5 MB
    .venv/bin/python bench/bench_ingest_size.py --sizes 10000 1000000

One article per size, made by joining the sample corpus's texts (data/sample/*.jsonl) until it
has the size, written as a one-line JSONL file and ingested into a fresh store the way
`geo ingest` does (read + parse + join + incident + write). The parser is loaded and the store
created before the clock starts (all articles go into one store); sizes up to 1 MB are timed 3
times and the best run is kept, since other processes on the machine make single short runs noisy. Prints a table and writes JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.read import ArticleRecord, iter_records, read_paths  # noqa: E402
from geo.store import IncidentStore  # noqa: E402

SIZES = (10_000, 100_000, 1_000_000, 5_000_000)


def make_text(chars: int) -> str:
    texts = [r.text for r in read_paths([ROOT / "data" / "sample"]).records]
    if not texts:
        raise SystemExit("data/sample has no articles")
    parts, total, i = [], 0, 0
    while total < chars:
        part = texts[i % len(texts)]
        parts.append(part)
        total += len(part) + 2
        i += 1
    return "\n\n".join(parts)[:chars]


def mention_count(store: IncidentStore) -> int:
    return store.connection.execute("SELECT count(*) FROM mentions").fetchone()[0]


def ingest_one(text: str, store: IncidentStore, folder: Path, name: str) -> dict:
    source = folder / f"{name}.jsonl"
    # a marker line keeps every run's content (hash) distinct: nothing is "already present"
    source.write_text(json.dumps({"id": name, "published": "2024-05-02",
                                  "text": f"{name}.\n{text}"[:len(text)]},
                                 ensure_ascii=False) + "\n", encoding="utf-8")
    before = mention_count(store)
    start = time.perf_counter()
    report = store.ingest(iter_records([source], future_days=None))
    seconds = time.perf_counter() - start
    mentions = mention_count(store) - before
    if report.stored != 1:
        raise SystemExit(f"{name}: not stored: {[r.reason for r in report.rejects]}")
    return {"chars": len(text), "seconds": round(seconds, 2), "mentions": mentions,
            "seconds_per_mb": round(seconds / (len(text) / 1e6), 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES),
                        help="article sizes in characters")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store = IncidentStore(folder / "bench.gpkg")
        # load the parser, gazetteer and boundaries, and create the store, before any timing
        store.ingest([ArticleRecord(text=make_text(20_000), article_id="warm",
                                    published="2024-05-02")])
        print(f"{'chars':>10} {'mentions':>9} {'seconds':>8} {'s per MB':>9}")
        for size in args.sizes:
            text = make_text(size)
            runs = [ingest_one(text, store, folder, f"a{size}-{i}")
                    for i in range(3 if size <= 1_000_000 else 1)]
            row = min(runs, key=lambda r: r["seconds"])
            rows.append(row)
            print(f"{row['chars']:>10,} {row['mentions']:>9,} {row['seconds']:>8.2f} "
                  f"{row['seconds_per_mb']:>9.2f}", flush=True)
        store.close()
    args.results.mkdir(parents=True, exist_ok=True)
    out = args.results / "ingest_size.json"
    out.write_text(json.dumps({"when": datetime.now(UTC).isoformat(timespec="seconds"),
                               "machine": platform.platform(), "rows": rows}, indent=1) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
