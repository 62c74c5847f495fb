"""Geoparsing metrics on corpora in the ../shared/eval format (EUPEG conventions).

Recognition: a prediction matches a gold toponym when the strings are equal ignoring case
and the span centres are within 10 characters (each matched once); also reported with exact
spans. Resolution over matched toponyms with gold coordinates: error km, acc@161, mean,
median, AUC (area under sorted log(1+err)/log(20039), lower is better). End-to-end:
e2e@161 = gold toponyms recognised AND within 161 km / gold toponyms with coordinates.

Which of our mention kinds count as predictions (a documented choice, one default for all
corpora): toponym and modified_region (scored on its place-name part: "southern
California" -> "California", as corpora annotate the name). Demonyms ("Mexican") are left
out by default: GeoVirus and GeoCorpora do not annotate them (counting them costs 5-7
points of precision there), LGL does (leaving them out costs it ~4 points of recall);
`geo eval` prints the score with them as a second row. org_embedded ("Sinaloa" in
"Sinaloa Cartel") is never counted by default: an organisation is not a location, although
LGL annotates such names; a third row shows that variant. `--kinds` overrides the set.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from geo.distance import haversine_km
from geo.regions import base_span
from geo.types import Mention

CENTRE_TOLERANCE = 10
ACC_KM = 161.0
EARTH_HALF_CIRCUMFERENCE_KM = 20039.0
DEFAULT_KINDS = ("toponym", "modified_region")


@dataclass
class Pred:
    start: int
    end: int
    name: str
    lat: float | None
    lon: float | None
    kind: str = "toponym"
    evidence: str = ""


def predictions_from(mentions: Iterable[Mention], text: str, kinds: Iterable[str] = DEFAULT_KINDS) -> list[Pred]:
    """Mentions -> scored predictions (modified regions scored on their place-name part)."""
    kinds = set(kinds)
    out = []
    for m in mentions:
        if m.kind not in kinds:
            continue
        start, end = m.start, m.end
        if m.kind == "modified_region" and not m.surface[:1].isupper():
            # "southern California" is annotated as "California"; "Southern California",
            # capitalised, is a proper region name and corpora annotate all of it
            start, end = base_span(m.start, m.end, m.surface)
        out.append(Pred(start, end, text[start:end], m.lat, m.lon, m.kind, m.evidence))
    return out


def match_lenient(gold: list[dict], preds: list[Pred]) -> list[tuple[int, int]]:
    """EUPEG rule: same string ignoring case, centres within 10 chars; each used once."""
    pairs, used = [], set()
    for gi, g in enumerate(gold):
        gc, gname = (g["start"] + g["end"]) / 2, g["name"].lower()
        best, best_d = None, None
        for pi, p in enumerate(preds):
            if pi in used or p.name.lower() != gname:
                continue
            d = abs((p.start + p.end) / 2 - gc)
            if d <= CENTRE_TOLERANCE and (best_d is None or d < best_d):
                best, best_d = pi, d
        if best is not None:
            used.add(best)
            pairs.append((gi, best))
    return pairs


def match_exact(gold: list[dict], preds: list[Pred]) -> int:
    spans = {(p.start, p.end) for p in preds}
    return sum((g["start"], g["end"]) in spans for g in gold)


@dataclass
class Scores:
    gold: int = 0
    pred: int = 0
    matched: int = 0
    exact: int = 0
    gold_with_coords: int = 0
    errors_km: list[float] = field(default_factory=list)

    def prf(self, hits: int) -> tuple[float, float, float]:
        p = hits / self.pred if self.pred else 0.0
        r = hits / self.gold if self.gold else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    def summary(self) -> dict[str, float]:
        p, r, f = self.prf(self.matched)
        ep, er, ef = self.prf(self.exact)
        errs = sorted(self.errors_km)
        within = sum(e <= ACC_KM for e in errs)
        out = {
            "docs_gold": self.gold, "predicted": self.pred, "precision": p, "recall": r, "f1": f,
            "exact_precision": ep, "exact_recall": er, "exact_f1": ef,
            "resolved_pairs": len(errs),
            "acc161": within / len(errs) if errs else 0.0,
            "mean_km": statistics.fmean(errs) if errs else 0.0,
            "median_km": statistics.median(errs) if errs else 0.0,
            "auc": auc(errs),
            "e2e161": within / self.gold_with_coords if self.gold_with_coords else 0.0,
        }
        return out


def auc(errors_km: list[float]) -> float:
    """Area under sorted log(1+error)/log(20039) (0 = perfect, 1 = antipodal everywhere)."""
    if not errors_km:
        return 0.0
    ys = [math.log(1 + e) / math.log(EARTH_HALF_CIRCUMFERENCE_KM) for e in sorted(errors_km)]
    if len(ys) == 1:
        return ys[0]
    area = sum((a + b) / 2 for a, b in zip(ys, ys[1:], strict=False))
    return area / (len(ys) - 1)


def load_corpus(path: Path, limit: int | None = None) -> list[dict]:
    """Documents of a JSONL corpus, read by geo.read (records split on "\n" only); InputError
    names the first line that is not a JSON object with a string 'text'."""
    from geo.errors import InputError
    from geo.read import iter_json_lines, without_surrogates

    docs = []
    with Path(path).open("rb") as stream:
        for where, doc, why, _ in iter_json_lines(stream, str(path)):
            if doc is not None and not isinstance(doc.get("text"), str):
                why = "no string 'text' field"
            if why:
                raise InputError(f"{path} is not JSON Lines of documents: {where}: {why}")
            doc["text"] = without_surrogates(doc["text"])[0]  # same length: offsets hold
            docs.append(doc)
            if limit and len(docs) >= limit:
                break
    return docs


def evaluate(docs: list[dict], parse_fn: Callable[[str, str | None], list[Mention]],
             kinds_sets: dict[str, tuple[str, ...]] | None = None,
             errors_out: Callable[[str], None] | None = None) -> dict[str, dict[str, float]]:
    """Score parse_fn on docs for each named set of counted kinds (first set = main)."""
    kinds_sets = kinds_sets or {"default": DEFAULT_KINDS}
    scores = {name: Scores() for name in kinds_sets}
    main = next(iter(kinds_sets))
    for doc in docs:
        text, gold = doc["text"], doc.get("toponyms", [])
        mentions = parse_fn(text, doc.get("date"))
        for name, kinds in kinds_sets.items():
            preds = predictions_from(mentions, text, kinds)
            report = _score_doc(scores[name], gold, preds)
            if name == main and errors_out is not None:
                errors_out(_format_errors(doc, text, gold, preds, report))
    return {name: s.summary() for name, s in scores.items()}


def _score_doc(s: Scores, gold: list[dict], preds: list[Pred]) -> dict:
    pairs = match_lenient(gold, preds)
    s.gold += len(gold)
    s.pred += len(preds)
    s.matched += len(pairs)
    s.exact += match_exact(gold, preds)
    far = []
    for g in gold:
        if g.get("lat") is not None and g.get("lon") is not None:
            s.gold_with_coords += 1
    for gi, pi in pairs:
        g, p = gold[gi], preds[pi]
        if g.get("lat") is None or g.get("lon") is None:
            continue
        if p.lat is None or p.lon is None:
            err = EARTH_HALF_CIRCUMFERENCE_KM
        else:
            err = haversine_km(g["lat"], g["lon"], p.lat, p.lon)
        s.errors_km.append(err)
        if err > ACC_KM:
            far.append((g, p, err))
    matched_g = {gi for gi, _ in pairs}
    matched_p = {pi for _, pi in pairs}
    return {
        "missed": [g for i, g in enumerate(gold) if i not in matched_g],
        "spurious": [p for i, p in enumerate(preds) if i not in matched_p],
        "far": far,
    }


def _snippet(text: str, start: int, end: int, width: int = 40) -> str:
    left = text[max(0, start - width):start].replace("\n", " ")
    right = text[end:end + width].replace("\n", " ")
    return f"…{left}[{text[start:end]}]{right}…"


def _format_errors(doc: dict, text: str, gold: list[dict], preds: list[Pred], report: dict) -> str:
    if not (report["missed"] or report["spurious"] or report["far"]):
        return ""
    lines = [f"== {doc.get('id', '?')}"]
    for g in report["missed"]:
        lines.append(f"  MISSED   {g['name']!r} @{g['start']}  {_snippet(text, g['start'], g['end'])}")
    for p in report["spurious"]:
        lines.append(f"  SPURIOUS {p.name!r} @{p.start} ({p.kind})  {_snippet(text, p.start, p.end)}  <- {p.evidence[:120]}")
    for g, p, err in report["far"]:
        lines.append(
            f"  FAR      {g['name']!r} @{g['start']} {err:,.0f} km: gold ({g['lat']:.2f},{g['lon']:.2f}) "
            f"ours ({p.lat},{p.lon})  <- {p.evidence[:160]}"
        )
    return "\n".join(lines) + "\n"


def format_table(results: dict[str, dict[str, float]]) -> str:
    width = max(22, *(len(n) + 2 for n in results))
    head = f"{'kinds':<{width}}{'P':>6}{'R':>6}{'F1':>6}{'exF1':>6}{'acc161':>8}{'meankm':>8}{'medkm':>7}{'AUC':>6}{'e2e161':>8}"
    rows = [head]
    for name, r in results.items():
        rows.append(
            f"{name:<{width}}{r['precision']:6.3f}{r['recall']:6.3f}{r['f1']:6.3f}{r['exact_f1']:6.3f}"
            f"{r['acc161']:8.3f}{r['mean_km']:8.0f}{r['median_km']:7.0f}{r['auc']:6.3f}{r['e2e161']:8.3f}"
        )
    return "\n".join(rows)
