"""Event reports of one article: the events it tells, each with its own place, date and category.

The main event is what geo.incidents.choose_incident picks (lead place, event date). Further
events come from clauses that carry an event word, their own date and a place elsewhere
("gunmen attacked a bar in Celaya on Saturday, and on Sunday a convoy was ambushed near
Culiacán" gives two). Background sentences give none. An opinion piece whose lead tells no
event gives none at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from geo import categories
from geo.dates import (
    DateExpression,
    find_date_expressions,
    is_plausible_event_date,
    resolve_event_date,
)
from geo.eventtext import text_vector
from geo.incidents import (
    _EVENT_WORDS,
    choose_incident,
    classify_sentences,
    make_snippet,
)
from geo.join import geo_precision_of
from geo.types import Mention

_OPINION = re.compile(r"^\s*(?:opinion|op-ed|editorial|column|commentary|analysis|"
                      r"opini[oó]n|columna|editorial|an[aá]lisis)\b\s*[:|—–-]", re.I)
# Clause boundaries inside a sentence: "..., and on Sunday ...", "; ", "..., while ...".
_CLAUSE = re.compile(r";\s+|,\s+(?:and|while|whereas|y|mientras|en tanto)\s+|\s+while\s+", re.I)
MAX_EVENTS = 5
SCAN_SENTENCES = 8  # further events are told near the top, later sentences are context


@dataclass
class EventReport:
    """One event told by one article, with everything merging needs and why."""

    article_id: str
    index: int  # 0 is the article's main event
    role: str  # "main" or "also reported"
    mention: int | None  # index into the article's mentions
    place_name: str | None
    country: str | None
    admin1: str | None
    admin2: str | None
    lat: float | None
    lon: float | None
    geo_precision: int | None
    place_reason: str
    event_date: date | None
    time_precision: int | None
    date_evidence: str
    published: date | None
    category: str
    category_evidence: str
    sentence: str
    date_stated: bool = False  # the text states the event's date (not only the report's)
    years: tuple[int, ...] = ()  # years the article names, for undated reports
    vector: dict[str, float] = field(default_factory=dict, repr=False)
    mention_id: str | None = None  # the stored mention, once written

    @property
    def key(self) -> tuple[str, int]:
        return (self.article_id, self.index)


def _place_fields(m: Mention | None) -> dict:
    if m is None:
        return dict(place_name=None, country=None, admin1=None, admin2=None, lat=None,
                    lon=None, geo_precision=None)
    return dict(place_name=m.name or m.surface, country=m.country or m.country_iso3,
                admin1=m.admin1_iso, admin2=m.admin2_code, lat=m.lat, lon=m.lon,
                geo_precision=geo_precision_of(m))


def _usable(m: Mention) -> bool:
    return m.resolved and m.kind != "org_embedded" and geo_precision_of(m) is not None


def _clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out, lo = [], start
    for match in _CLAUSE.finditer(text, start, end):
        out.append((lo, match.start()))
        lo = match.end()
    out.append((lo, end))
    return [(a, b) for a, b in out if text[a:b].strip()]


def _years(text: str, published: date | None) -> tuple[int, ...]:
    found = {int(y) for y in re.findall(r"\b((?:19|20)\d\d)\b", text)}
    if published:
        found = {y for y in found if y <= published.year} | {published.year}
    return tuple(sorted(found))


def report_stamp(text: str, dates: list[DateExpression]) -> DateExpression | None:
    """The report's own date when the text opens with it: a line holding only a date, or a
    dateline ("DETROIT, Apr 12, 2007 (Reuters) -"). It dates the report, not the event."""
    for d in dates:
        if d.start > 200 or d.date is None or d.kind not in ("iso", "month_day", "day_month",
                                                              "es_day_month"):
            continue
        line_start = text.rfind("\n", 0, d.start) + 1
        line_end = text.find("\n", d.end)
        line = text[line_start:line_end if line_end >= 0 else len(text)].strip()
        if len(line) <= len(d.surface) + 12 or re.match(
                r"^[A-ZÀ-Ý][A-ZÀ-Ý .'-]+,\s*$", text[line_start:d.start]):
            return d
    return None


def extract_events(article_id: str, title: str, text: str, mentions: list[Mention],
                   published: date | None) -> list[EventReport]:
    """The events an article reports: the main one first, then any further ones."""
    title = title or ""
    full = text or ""
    dates = find_date_expressions(full, published)
    sentences = classify_sentences(full, published, dates)
    lead = " ".join(full[s.start:s.end] for s in sentences[:2])
    if _OPINION.search(title) or _OPINION.search(full[:200]):
        if not any(s.event and not s.background for s in sentences[:3]):
            return []
    stamp = report_stamp(full, dates)
    # a title that is only a date ("DECEMBER 16, 2008") is the report's date line
    title_stamp = report_stamp(title, find_date_expressions(title, None)) if title else None
    if title_stamp and published is None:
        published = title_stamp.date
        dates = find_date_expressions(full, published)
        sentences = classify_sentences(full, published, dates)
    elif stamp and published is None:
        published = stamp.date
        dates = find_date_expressions(full, published)
        sentences = classify_sentences(full, published, dates)
    choice = choose_incident(full, mentions, published, dates=dates, sentences=sentences)
    event_date, precision, date_evidence = \
        choice.event_date, choice.time_precision, choice.date_evidence
    if stamp and date_evidence.startswith(f"'{stamp.surface}'"):
        skip = [(s.start, s.end) for s in sentences if s.background] + [(stamp.start, stamp.end)]
        redo = resolve_event_date(full, published, skip, dates)
        event_date, precision, date_evidence = redo.date, redo.precision, redo.evidence
    if choice.primary is not None:  # a date in the main place's own clause is its date
        m = mentions[choice.primary]
        for sentence_ in sentences:
            if sentence_.start <= m.start < sentence_.end:
                for lo, hi in _clauses(full, sentence_.start, sentence_.end):
                    own = [d for d in dates if lo <= d.start < hi and d.date is not None
                           and is_plausible_event_date(d.date, published) and d is not stamp]
                    if lo <= m.start < hi and own and own[0].date != event_date:
                        event_date, precision = own[0].date, own[0].precision
                        date_evidence = (f"'{own[0].surface}' ({own[0].kind}) in the clause "
                                         f"of the place, resolved against {published}")
                break
    lead_end = sentences[1].end if len(sentences) > 1 else len(full)
    if published is None and event_date is not None and not any(
            d.date == event_date and d.start < lead_end for d in dates):
        # undated: nothing tells a background date from the event's, so only the lead's counts
        event_date, precision = None, None
        date_evidence = "no publication date, and no date in the lead (a later one may be " \
            "background)"
    stated = published is not None and not date_evidence.startswith("no event date")
    years = _years(title + "\n" + (full if published else lead), published)
    main_mention = mentions[choice.primary] if choice.primary is not None else None
    sentence = choice.snippet or " ".join(lead.split())[:280]
    category = categories.classify(title, sentence, full[:3000])
    reports = [EventReport(
        article_id, 0, "main", choice.primary, **_place_fields(main_mention),
        place_reason=choice.reason, event_date=event_date, time_precision=precision,
        date_evidence=date_evidence, published=published, category=category.key,
        category_evidence=category.evidence, sentence=sentence, date_stated=stated, years=years, vector=text_vector(title, full))]

    seen = {(reports[0].admin1 or reports[0].country, reports[0].event_date)}
    for s in sentences[:SCAN_SENTENCES]:
        if s.background or not s.event:
            continue
        for lo, hi in _clauses(full, s.start, s.end):
            clause = full[lo:hi]
            found = [d for d in dates if lo <= d.start < hi and d.date is not None
                    and is_plausible_event_date(d.date, published)]
            where = [i for i, m in enumerate(mentions) if lo <= m.start < hi and _usable(m)]
            if not found or not where or not _EVENT_WORDS.search(clause):
                continue
            best = min(where, key=lambda i: (geo_precision_of(mentions[i]), mentions[i].start))
            m = mentions[best]
            if geo_precision_of(m) > 3:
                continue  # "in Mexico": too vague to be an event of its own
            key = (m.admin1_iso or m.country, found[0].date)
            main = reports[0]
            # the same or a containing place as the main event's, within a day: the same event
            same_place = (m.country or m.country_iso3) == main.country and (
                not main.admin1 or m.admin1_iso == main.admin1)
            if key in seen or (same_place and main.event_date is not None and
                               abs((found[0].date - main.event_date).days) <= 1):
                continue
            seen.add(key)
            snippet = make_snippet(full, lo, hi, None)
            cat = categories.classify("", clause, "")
            if cat.key == categories.OTHER:
                cat = category
            reports.append(EventReport(
                article_id, len(reports), "also reported", best, **_place_fields(m),
                place_reason=f"{m.name or m.surface}: the place of a further event clause",
                event_date=found[0].date, time_precision=found[0].precision,
                date_evidence=f"'{found[0].surface}' ({found[0].kind}) in the same clause",
                published=published, category=cat.key, category_evidence=cat.evidence,
                sentence=snippet, date_stated=published is not None, years=years, vector=text_vector(title, "", snippet)))
            if len(reports) >= MAX_EVENTS:
                return reports
    return reports
