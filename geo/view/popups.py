"""Evidence shown for an incident, as HTML. Article text is untrusted: everything is escaped.

(The map's marker popups are made in the browser from plain fields, with textContent:
js/timelayer.js.)

The only markup in the output is ours (<mark>, <a>, <div>...). Every value that came from an
article or the store goes through `html.escape`, and links are kept only for http(s) URLs, so an
article with `<script>` or `<img onerror=...>` shows literally and runs nothing.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from urllib.parse import urlsplit

import pandas as pd

from geo.view.filters import GEO_PRECISIONS

MAX_SNIPPET_CHARS = 600


def esc(value: object) -> str:
    """Escaped text for any value; missing values (None, NaN, NaT) become an empty string."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass  # lists and other containers
    return html.escape(str(value), quote=True)


def safe_url(url: object) -> str | None:
    """The URL when it is an http(s) link, else None (no javascript:, data: or relative links)."""
    if not isinstance(url, str) or not url.strip():
        return None
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url.strip()


def highlight(text: object, terms: Iterable[object]) -> str:
    """Escaped `text` with every case-insensitive occurrence of the terms wrapped in <mark>."""
    raw = "" if esc(text) == "" else str(text)
    if len(raw) > MAX_SNIPPET_CHARS:
        raw = raw[:MAX_SNIPPET_CHARS].rstrip() + "…"
    words = sorted({str(t) for t in terms if isinstance(t, str) and t.strip()}, key=len, reverse=True)
    if not words:
        return html.escape(raw)
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    out: list[str] = []
    last = 0
    # split on the raw text and escape each piece, so a match can never cut an entity in two
    for match in pattern.finditer(raw):
        out.append(html.escape(raw[last : match.start()]))
        out.append(f"<mark>{html.escape(match.group())}</mark>")
        last = match.end()
    out.append(html.escape(raw[last:]))
    return "".join(out)


ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def day_text(value: object) -> str:
    """YYYY-MM-DD of a date value, or "unknown"."""
    if esc(value) == "":
        return "unknown"
    if isinstance(value, str) and ISO_DAY.match(value):
        return value[:10]  # the store's ISO text: no parsing needed (fast for many popups)
    if isinstance(value, (date, datetime)):
        return value.strftime("%Y-%m-%d")
    ts = pd.to_datetime(value, errors="coerce", utc=True)
    return "unknown" if pd.isna(ts) else ts.date().isoformat()


def precision_label(geo_precision: object) -> str:
    try:
        return GEO_PRECISIONS.get(int(geo_precision), "unknown")  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "unknown"


def evidence_html(
    incident: Mapping[str, object],
    surfaces: Iterable[str] = (),
    other_places: Iterable[str] = (),
) -> str:
    """A card with the evidence for one incident: snippet with the place marked, and its facts."""
    terms = [*surfaces, incident.get("name")]
    url = safe_url(incident.get("source_url"))
    title = esc(incident.get("title")) or "(untitled article)"
    heading = f'<a href="{esc(url)}" target="_blank" rel="noopener noreferrer">{title}</a>' if url else title
    confidence = incident.get("confidence")
    conf_text = f"{float(confidence):.2f}" if esc(confidence) != "" else "unknown"  # type: ignore[arg-type]
    where = ", ".join(
        esc(incident.get(c)) for c in ("name", "adm2_name", "adm1_name", "adm0_name") if esc(incident.get(c))
    )
    others = sorted({str(p) for p in other_places if p and str(p) != str(incident.get("name"))})
    facts = [
        ("Place", where or "unknown"),
        ("Mention kind", esc(incident.get("kind")) or "unknown"),
        ("Precision", esc(precision_label(incident.get("geo_precision")))
         + (" (derived region)" if incident.get("precision") == "subregion" else "")),
        ("Confidence", esc(conf_text)),
        ("Event date", esc(day_text(incident.get("event_date")))),
        ("Published", esc(day_text(incident.get("published")))),
        ("Source", esc(incident.get("source")) or "unknown"),
    ]
    rows = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in facts)
    reason = esc(incident.get("reason"))
    others_html = ", ".join(esc(p) for p in others) or "none"
    return (
        '<div class="evidence">'
        f'<div class="evidence-title">{heading}</div>'
        f'<blockquote class="evidence-snippet">{highlight(incident.get("snippet"), terms)}</blockquote>'
        f'<table class="evidence-facts">{rows}</table>'
        + (f'<div class="evidence-reason">Why: {reason}</div>' if reason else "")
        + f'<div class="evidence-others">Other places in the article: {others_html}</div>'
        "</div>"
    )


EVIDENCE_CSS = """
<style>
.evidence {border-left: 4px solid #c0392b; padding: .4rem .8rem; margin-bottom: .8rem;
  background: #fbfaf8; border-radius: 4px; font-size: .92rem;}
.evidence-title {font-weight: 600; font-size: 1rem; margin-bottom: .3rem;}
.evidence-snippet {margin: .3rem 0 .5rem 0; color: #333; font-style: normal;}
.evidence-snippet mark {background: #ffe08a; padding: 0 .1em; border-radius: 2px;}
.evidence-facts th {text-align: left; padding-right: .8rem; color: #666; font-weight: 500;}
.evidence-facts td, .evidence-facts th {border: none; padding: .05rem .8rem .05rem 0;}
.evidence-facts {border: none; margin-bottom: .3rem;}
.evidence-reason, .evidence-others {color: #555; font-size: .85rem;}
</style>
"""
