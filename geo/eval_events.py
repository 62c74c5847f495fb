"""Scoring event merging against gold events: B-cubed and pairwise precision, recall, F1.

Input: JSON Lines with `id`, `title`, `text`, `date` (or `published`; null = unknown) and the
gold `event_id`. Each article is scored by its first (main) incident; an article that reports
no event counts as a cluster of its own. Nothing else in the file (such as a topic) is used.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from geo.cluster import cluster_reports
from geo.events import EventReport, extract_events
from geo.types import Mention


@dataclass
class GoldArticle:
    id: str
    title: str
    text: str
    published: date | None
    event_id: str


def load_gold(path: Path) -> list[GoldArticle]:
    """Read a gold file; ValueError names the line of a bad record."""
    out = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                raw = row.get("published") or row.get("date")
                published = date.fromisoformat(str(raw)[:10]) if raw else None
                out.append(GoldArticle(str(row["id"]), row.get("title") or "", row["text"],
                                       published, str(row["event_id"])))
            except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
                raise ValueError(f"{path}:{n}: not a gold article ({exc!r})") from exc
    return out


def b_cubed(predicted: Sequence[str], gold: Sequence[str]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 over items (Bagga & Baldwin 1998)."""
    by_pred: dict[str, set[int]] = defaultdict(set)
    by_gold: dict[str, set[int]] = defaultdict(set)
    for i, (p, g) in enumerate(zip(predicted, gold, strict=True)):
        by_pred[p].add(i)
        by_gold[g].add(i)
    precision = recall = 0.0
    for p, g in zip(predicted, gold, strict=True):
        shared = len(by_pred[p] & by_gold[g])
        precision += shared / len(by_pred[p])
        recall += shared / len(by_gold[g])
    n = max(len(gold), 1)
    precision, recall = precision / n, recall / n
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def pairwise(predicted: Sequence[str], gold: Sequence[str]) -> tuple[float, float, float]:
    """Precision, recall and F1 over pairs of items put together."""
    def pairs(labels: Sequence[str]) -> set[tuple[int, int]]:
        groups: dict[str, list[int]] = defaultdict(list)
        for i, label in enumerate(labels):
            groups[label].append(i)
        return {(a, b) for g in groups.values() for i, a in enumerate(g) for b in g[i + 1:]}
    p, g = pairs(predicted), pairs(gold)
    precision = len(p & g) / len(p) if p else 1.0
    recall = len(p & g) / len(g) if g else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def score(predicted: Sequence[str], gold: Sequence[str]) -> dict[str, float]:
    bp, br, bf = b_cubed(predicted, gold)
    pp, pr, pf = pairwise(predicted, gold)
    return {"articles": len(gold), "b3_precision": bp, "b3_recall": br, "b3_f1": bf,
            "pair_precision": pp, "pair_recall": pr, "pair_f1": pf,
            "predicted_clusters": len(set(predicted)), "gold_clusters": len(set(gold))}


def reports_for(articles: Sequence[GoldArticle],
                parse: Callable[[str, str | None], list[Mention]]) -> list[EventReport]:
    reports = []
    for a in articles:
        mentions = parse(a.text, a.published.isoformat() if a.published else None)
        reports.extend(extract_events(a.id, a.title, a.text, mentions, a.published))
    return reports


def predicted_events(articles: Sequence[GoldArticle], reports: list[EventReport]) -> list[str]:
    """Each article's main incident id (an article with no event is its own cluster)."""
    first: dict[str, str] = {}
    for incident in cluster_reports(reports):
        for r in incident.reports:
            if r.index == 0:
                first[r.article_id] = incident.id
    return [first.get(a.id, f"none:{a.id}") for a in articles]


def format_scores(name: str, s: dict[str, float]) -> str:
    return (f"{name:<28} B3 P {s['b3_precision']:.3f} R {s['b3_recall']:.3f} "
            f"F1 {s['b3_f1']:.3f} | pairwise P {s['pair_precision']:.3f} "
            f"R {s['pair_recall']:.3f} F1 {s['pair_f1']:.3f} | clusters "
            f"{s['predicted_clusters']} (gold {s['gold_clusters']})")
