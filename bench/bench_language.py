"""Language detection cost: detector load time and memory, time per article on English text
(most of it decided by function words, without the detector) and on Spanish text (the detector).

    .venv/bin/python bench/bench_language.py
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import psutil

from geo import paths
from geo.nlp.language import detect_language, load_detector

ROOT = Path(__file__).resolve().parents[1]


def _texts() -> dict[str, list[str]]:
    sample = [json.loads(line) for f in sorted((ROOT / "data" / "sample").glob("2024-q*.jsonl"))
              for line in f.read_text(encoding="utf-8").split("\n") if line]
    out = {"sample (English)": [r["text"] for r in sample if detect_language(r["text"]) == "en"],
           "sample (Spanish)": [r["text"] for r in sample if detect_language(r["text"]) == "es"]}
    for corpus in ("lgl", "geocorpora"):
        path = paths.shared_dir() / "eval" / f"{corpus}.jsonl"  # the dev corpora, when present
        if path.exists():
            out[corpus] = [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").split("\n") if line]
    return out


def main() -> None:
    proc = psutil.Process()
    rss0 = proc.memory_info().rss
    t0 = time.perf_counter()
    load_detector()
    print(f"detector load: {time.perf_counter() - t0:.2f} s, +{(proc.memory_info().rss - rss0) / 2**20:.0f} MB resident")
    for name, texts in _texts().items():
        if not texts:
            continue
        best = float("inf")
        for _ in range(3):
            t = time.perf_counter()
            langs = [detect_language(x) for x in texts]
            best = min(best, time.perf_counter() - t)
        share = {lang: round(langs.count(lang) / len(langs), 3) for lang in sorted(set(langs))}
        print(f"{name:18} {len(texts):5} texts  {1000 * best / len(texts):.3f} ms/text  {share}")


if __name__ == "__main__":
    main()
