"""Event merging on a gold file (default: ../shared/eval/events_ecbplus_dev.jsonl): ours beside
the TF-IDF + average-linkage reference, in the same run.

    .venv/bin/python bench/bench_events.py [FILE.jsonl]

The reference is scikit-learn's TfidfVectorizer over title and text with average-linkage
clustering on cosine distance, cut at 0.85 (the threshold picked on the ECB+ dev topics, as in
../shared/eval/README.md); its best threshold on the file itself is printed too (an upper
bound it only reaches by tuning on the answers). Ours uses no parameter tuned per topic and
never reads `topic_id`. Ours is scored twice: clustered at once (`geo eval-events`, as
`geo incidents rebuild` does) and ingested into a store in batches of 100 (incremental
merging, as `geo ingest` does). Writes JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo import paths  # noqa: E402
from geo.eval_events import (  # noqa: E402
    format_scores,
    load_gold,
    predicted_events,
    reports_for,
    score,
)

REFERENCE_THRESHOLD = 0.85


def tfidf_average_linkage(texts: list[str], threshold: float) -> list[str]:
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer

    matrix = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(texts)
    labels = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                     distance_threshold=threshold).fit_predict(matrix.toarray())
    return [str(label) for label in labels]


def ingested_events(articles: list) -> list[str]:
    """Each article's main incident after `geo ingest` (a store, batches of 100): incremental
    merging, as an analyst's store gets it."""
    import tempfile

    from geo.read import ArticleRecord
    from geo.store import IncidentStore

    records = [ArticleRecord(a.text, article_id=a.id, title=a.title,
                             published=a.published.isoformat() if a.published else None)
               for a in articles]
    with tempfile.TemporaryDirectory() as tmp, IncidentStore(Path(tmp) / "s.gpkg") as store:
        store.ingest(records, batch_size=100)
        first = dict(store.backend.execute(
            "SELECT article_id, incident_id FROM article_incidents WHERE report_index = 0"
        ).fetchall())
    return [first.get(a.id, f"none:{a.id}") for a in articles]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path,
                        default=paths.shared_dir() / "eval" / "events_ecbplus_dev.jsonl")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    if not args.corpus.exists():
        print(f"no such file: {args.corpus}", file=sys.stderr)
        return 2
    from geo.parse import default_parser

    articles = load_gold(args.corpus)
    gold = [a.event_id for a in articles]
    texts = [f"{a.title}\n{a.text}" for a in articles]
    rows = {}

    started = time.perf_counter()
    reports = reports_for(articles, default_parser().parse)
    rows["geo (place, date, category, text)"] = score(predicted_events(articles, reports), gold)
    rows["geo (place, date, category, text)"]["seconds"] = time.perf_counter() - started

    started = time.perf_counter()
    rows["geo, ingested in batches of 100"] = score(ingested_events(articles), gold)
    rows["geo, ingested in batches of 100"]["seconds"] = time.perf_counter() - started

    started = time.perf_counter()
    rows[f"TF-IDF avg-link @{REFERENCE_THRESHOLD}"] = score(
        tfidf_average_linkage(texts, REFERENCE_THRESHOLD), gold)
    rows[f"TF-IDF avg-link @{REFERENCE_THRESHOLD}"]["seconds"] = time.perf_counter() - started
    best = max((score(tfidf_average_linkage(texts, t / 100), gold) | {"threshold": t / 100}
                for t in range(60, 96, 5)), key=lambda s: s["b3_f1"])
    rows[f"TF-IDF best on this file @{best['threshold']}"] = best
    rows["one incident per article"] = score([a.id for a in articles], gold)

    print(f"{args.corpus.name}: {len(articles)} articles, {len(set(gold))} gold events")
    for name, s in rows.items():
        print(format_scores(name, s))
    args.results.mkdir(parents=True, exist_ok=True)
    out = args.results / f"events_{args.corpus.stem}.json"
    out.write_text(json.dumps({"benchmark": "events", "corpus": str(args.corpus),
                               "run_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                               "rows": rows}, indent=1) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
