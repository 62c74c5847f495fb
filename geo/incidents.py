"""Where and when: choose each article's primary (event) location and its event date.

News reports put the event in the lead and background later ("Guzmán was extradited to the
United States in 2023"). So we split the text into sentences, mark background sentences (dates
long before publication, "back in", related-story boilerplate, embedded posts), find the event
country from the lead, and pick the most specific place of that country in the lead, recording
why. Organisation-embedded mentions ("Sinaloa Cartel") never count.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from geo.dates import DateExpression, EventDate, find_date_expressions, resolve_event_date
from geo.join import geo_precision_of
from geo.types import Mention

_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "st", "gen", "sen", "rep", "gov", "lt", "col", "sgt",
                  "capt", "prof", "jr", "sr", "no", "vs", "mt", "ft", "u.s", "u.k", "u.n", "inc",
                  "co", "corp", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
                  "oct", "nov", "dec", "e.g", "i.e"}
_BOUNDARY = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"'“‘(\[]?[A-Z0-9])|\n\s*\n?")
_BOILERPLATE = re.compile(r"^\s*[(\[]?\s*(related|read more|see also|watch|listen|sign up|"
                          r"subscribe|advertisement|copyright|©)\b|https?://|pic\.twitter", re.I)
_BACKGROUND_PHRASES = re.compile(
    r"\b(back in|years? ago|decades? ago|last year|earlier this year|in the past|previously|"
    r"in recent years|historically|has long been|since (?:19|20)\d\d)\b", re.I)
_YEAR = re.compile(r"\b((?:19|20)\d\d)\b")
_EVENT_WORDS = re.compile(
    r"\b(kill\w*|dead|deaths?|died|wounded|injur\w*|attack\w*|clash\w*|fight\w*|firefight|"
    r"gunfight|gunm[ae]n|shoot\w*|shot|explo\w+|blast|bomb\w*|airstrikes?|strikes?|shell\w*|"
    r"protest\w*|demonstrat\w*|riot\w*|arrest\w*|detain\w*|raid\w*|ambush\w*|kidnap\w*|"
    r"abduct\w*|massacre\w*|seiz\w+|captur\w+|fell(?:ed)?|flood\w*|earthquake|crash\w*|fire)\b",
    re.I)
SNIPPET_CHARS = 280


@dataclass
class Sentence:
    start: int
    end: int
    index: int
    background: bool
    event: bool
    why_background: str = ""


@dataclass
class IncidentChoice:
    """The primary mention (index into the mention list, None if nothing usable) and why."""

    primary: int | None
    reason: str
    snippet: str
    event_date: date | None
    time_precision: int | None
    date_evidence: str


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence boundaries: punctuation + capital, or blank lines; abbreviations don't split."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        cut = match.start()
        token = re.search(r"([\w.]+)[.!?][\"'”’)]*$", text[start:cut])
        word = (token.group(1) if token else "").lower()
        if "\n" not in match.group(0) and (word in _ABBREVIATIONS or len(word) == 1):
            continue
        if text[start:cut].strip():
            spans.append((start, cut))
        start = match.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


def classify_sentences(text: str, published: date | None,
                       dates: list[DateExpression] | None = None) -> list[Sentence]:
    dates = dates if dates is not None else find_date_expressions(text, published)
    sentences = []
    for index, (start, end) in enumerate(sentence_spans(text)):
        chunk = text[start:end]
        why = ""
        if _BOILERPLATE.search(chunk):
            why = "related-story link, embedded post or boilerplate"
        elif _BACKGROUND_PHRASES.search(chunk):
            why = f"background phrase '{_BACKGROUND_PHRASES.search(chunk).group(0)}'"
        elif published is not None:
            old_years = [y for y in _YEAR.findall(chunk) if int(y) < published.year]
            old_dates = [d for d in dates if start <= d.start < end and d.date is not None
                         and (published - d.date).days > 62]
            if old_years or old_dates:
                why = f"dated before the report ({(old_years or [old_dates[0].surface])[0]})"
        has_date = any(start <= d.start < end for d in dates)
        sentences.append(Sentence(start, end, index, bool(why),
                                  bool(_EVENT_WORDS.search(chunk)) or has_date, why))
    return sentences


def _sentence_of(sentences: list[Sentence], offset: int) -> Sentence | None:
    for sentence in sentences:
        if sentence.start <= offset < sentence.end:
            return sentence
    return None


def make_snippet(text: str, start: int, end: int, sentence: Sentence | None) -> str:
    lo, hi = (sentence.start, sentence.end) if sentence else (start, end)
    if hi - lo > SNIPPET_CHARS:  # centre the window on the mention
        lo = max(lo, start - SNIPPET_CHARS // 2)
        hi = min(hi, lo + SNIPPET_CHARS)
    return " ".join(text[lo:hi].split())


def choose_incident(text: str, mentions: list[Mention], published: date | None,
                    lead_sentences: int = 4) -> IncidentChoice:
    """Primary location and event date of one article, with the reasons recorded."""
    dates = find_date_expressions(text, published)
    sentences = classify_sentences(text, published, dates)
    background = [(s.start, s.end) for s in sentences if s.background]
    when: EventDate = resolve_event_date(text, published, background)

    def result(primary: int | None, reason: str) -> IncidentChoice:
        snippet = ""
        if primary is not None:
            m = mentions[primary]
            snippet = make_snippet(text, m.start, m.end, _sentence_of(sentences, m.start))
        return IncidentChoice(primary, reason, snippet, when.date, when.precision, when.evidence)

    usable = [i for i, m in enumerate(mentions)
              if m.resolved and m.kind != "org_embedded" and geo_precision_of(m) is not None]
    n_org = sum(1 for m in mentions if m.kind == "org_embedded")
    if not usable:
        return result(None, f"no resolved place outside organisation names ({n_org} "
                      "organisation-embedded, "
                      f"{sum(1 for m in mentions if not m.resolved)} unresolved)")

    where = {i: _sentence_of(sentences, mentions[i].start) for i in usable}
    foreground = [i for i in usable if not (where[i] and where[i].background)]
    skipped_background = len(usable) - len(foreground)
    pool = foreground or usable
    # the lead: the first sentences that hold places, plus any event sentence
    lead_indexes = sorted({where[i].index for i in pool if where[i]})[:lead_sentences]
    lead = [i for i in pool if where[i] is None or where[i].index in lead_indexes
            or (where[i].event and where[i].index <= (lead_indexes[-1] if lead_indexes else 0) + 2)]
    pool = lead or pool

    # event country: weighted votes from the lead (event sentences and the first one count more)
    votes: dict[str, float] = defaultdict(float)
    first_seen: dict[str, int] = {}
    for i in pool:
        country = mentions[i].country or mentions[i].country_iso3 or "?"
        sentence = where[i]
        weight = (2.0 if sentence and sentence.event else 1.0) * \
            (1.5 if sentence and sentence.index == lead_indexes[0] else 1.0)
        votes[country] += weight
        first_seen.setdefault(country, mentions[i].start)
    event_country = max(votes, key=lambda c: (votes[c], -first_seen[c]))
    in_country = [i for i in pool if (mentions[i].country or mentions[i].country_iso3 or "?")
                  == event_country]

    def rank(i: int) -> tuple:
        sentence = where[i]
        return (geo_precision_of(mentions[i]), not (sentence and sentence.event),
                mentions[i].kind == "demonym", mentions[i].start)

    best = min(in_country, key=rank)
    m = mentions[best]
    sentence = where[best]
    why_sentence = ("an event sentence" if sentence and sentence.event else "a lead sentence")
    reason = (f"{m.name or m.surface} ({m.level}, geo_precision {geo_precision_of(m)}): the most "
              f"specific place in the lead, in {why_sentence}, inside the event country "
              f"{event_country} ({votes[event_country]:g} weighted mentions of "
              f"{sum(votes.values()):g}); skipped {skipped_background} background and {n_org} "
              "organisation-embedded mentions")
    if not foreground:
        reason += "; every place is in background sentences, so background was used"
    return result(best, reason)
