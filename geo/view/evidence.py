"""An incident's evidence beyond its main report, as HTML: what it is (category and the words
that chose it, sources, first report, merge confidence) and EVERY source that reports it, each
with its outlet, title, link, dates, why it joined and its event sentence.

Article text is untrusted: every value is escaped (`popups.esc`), links are kept only for
http(s) URLs (`popups.safe_url`), and the only markup is ours.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from geo.filters import CATEGORIES
from geo.view.popups import day_text, esc, highlight, safe_url

MAX_CATEGORY_EVIDENCE_CHARS = 300


def _number(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if number != number else number  # NaN


def _count(value: object, default: int) -> int:
    number = _number(value)
    return default if number is None else int(number)


def incident_summary_html(incident: Mapping[str, object], source_total: int) -> str:
    """One line on the incident as an event: category (with its evidence), how many sources,
    when it was first reported and how sure the merge is."""
    key = incident.get("category")
    label = CATEGORIES.get(key, str(key)) if isinstance(key, str) and key else "uncategorised"
    # "Label: title: word; event sentence: word | sentence: ..." -> the trigger words only
    evidence = str(incident.get("category_evidence") or "").split(" | sentence:")[0].strip()
    evidence = evidence.removeprefix(f"{label}:").strip()
    if len(evidence) > MAX_CATEGORY_EVIDENCE_CHARS:
        evidence = evidence[: MAX_CATEGORY_EVIDENCE_CHARS - 1] + "…"
    sources = _count(incident.get("source_count"), source_total)
    parts = [f"{sources} source{'' if sources == 1 else 's'}"]
    if esc(incident.get("first_reported")):
        parts.append(f"first reported {esc(day_text(incident.get('first_reported')))}")
    confidence = _number(incident.get("merge_confidence"))
    if confidence is not None:
        parts.append(f"merge confidence {confidence:.2f}")
    why = f' <span class="incident-category-why">({esc(evidence)})</span>' if evidence else ""
    return (f'<div class="incident-summary"><span class="incident-category">{esc(label)}</span>{why}'
            f'<br>{" · ".join(parts)}</div>')


def source_html(source: Mapping[str, object]) -> str:
    """One source: outlet, linked title, published and event dates, why it joined, its sentence."""
    url = safe_url(source.get("url"))
    title = esc(source.get("title")) or "(untitled article)"
    heading = (f'<a href="{esc(url)}" target="_blank" rel="noopener noreferrer">{title}</a>'
               if url else title)
    outlet = esc(source.get("source")) or "unknown outlet"
    dates = f"published {esc(day_text(source.get('published')))}"
    if esc(source.get("event_date")):
        dates += f" · event {esc(day_text(source.get('event_date')))}"
    similarity = _number(source.get("similarity"))
    score = f' <span class="source-score">score {similarity:.2f}</span>' if similarity is not None else ""
    reason = esc(source.get("reason")) or "no reason recorded"
    role = source.get("role")
    further = (f' <span class="source-role">({esc(role)} report of the article)</span>'
               if isinstance(role, str) and role and role != "main" else "")
    sentence = source.get("sentence")
    quote = (f'<blockquote class="source-sentence">{highlight(sentence, [source.get("place_name")])}'
             "</blockquote>" if esc(sentence) else "")
    return (f'<li class="source" data-article="{esc(source.get("article_id"))}">'
            f'<div class="source-head"><b class="source-outlet">{outlet}</b> · {heading}{further}</div>'
            f'<div class="source-dates">{dates}</div>{quote}'
            f'<div class="source-why">Why it joined: {reason}{score}</div></li>')


def sources_html(incident: Mapping[str, object], sources: pd.DataFrame) -> str:
    """The incident's summary and the list of all its sources (rows of `incident_sources`)."""
    mine = sources[sources["incident_id"].astype(str) == str(incident.get("incident_id"))] \
        if len(sources) and "incident_id" in sources else sources.iloc[0:0]
    items = "".join(source_html(row) for row in mine.to_dict("records"))
    listing = (f'<div class="sources-title">Sources ({len(mine)})</div><ol class="sources">{items}</ol>'
               if items else '<div class="sources-title">Sources: none recorded for this incident</div>')
    return ('<div class="incident-sources">' + incident_summary_html(incident, len(mine)) + listing
            + "</div>")


SOURCES_CSS = """
<style>
.incident-sources {margin: -.4rem 0 .9rem 0; padding: .3rem .8rem .4rem .8rem; border-left: 4px solid #c0392b;
  background: #f6f4f0; border-radius: 0 0 4px 4px; font-size: .9rem;}
.incident-summary {margin-bottom: .3rem;}
.incident-category {font-weight: 600;}
.incident-category-why, .source-dates, .source-why, .source-role {color: #555; font-size: .85rem;}
.sources-title {font-weight: 600; margin-top: .3rem;}
ol.sources {margin: .2rem 0 0 1.2rem; padding: 0;}
li.source {margin-bottom: .5rem;}
.source-sentence {margin: .2rem 0; color: #333; font-style: normal;}
.source-sentence mark {background: #ffe08a; padding: 0 .1em; border-radius: 2px;}
.source-score {background: #e8e3da; border-radius: 3px; padding: 0 .3em;}
</style>
"""
