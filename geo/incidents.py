"""Where and when: choose each article's primary (event) location and its event date.

News reports put the event in the lead and background later ("Guzmán was extradited to the
United States in 2023"). So we split the text into sentences, mark background sentences (dates
long before publication, "back in", related-story boilerplate, embedded posts), find the event
country from the lead, and pick the most specific place of that country in the lead, recording
why. Organisation-embedded mentions ("Sinaloa Cartel") never count.

Bounded work: everything here is linear in the text and the mentions (sentences are found by
binary search, support is counted once per place), and only the first `MAX_INCIDENT_CHARS`
characters are looked at: the event is in the lead, and a 5 MB "article" must not cost more
than a long one.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from geo.dates import DateExpression, EventDate, find_date_expressions, resolve_event_date
from geo.join import geo_precision_of
from geo.types import Mention

_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "st", "gen", "sen", "rep", "gov", "lt", "col", "sgt",
                  "capt", "prof", "jr", "sr", "no", "vs", "mt", "ft", "u.s", "u.k", "u.n", "inc",
                  "co", "corp", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
                  "oct", "nov", "dec", "e.g", "i.e"}
# AP-style US state abbreviations ("VALDOSTA, Ga. (AP) -"); only when capitalised ("fell ill.")
_STATES = {"ala", "ariz", "ark", "calif", "colo", "conn", "del", "fla", "ga", "ill", "ind",
                  "kan", "ky", "la", "md", "mass", "mich", "minn", "miss", "mo", "mont", "neb",
                  "nev", "n.h", "n.j", "n.m", "n.y", "n.c", "n.d", "okla", "ore", "pa", "r.i",
                  "s.c", "s.d", "tenn", "tex", "vt", "va", "wash", "wis", "wyo"}
_BOUNDARY = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"'“‘(\[]?[A-Z0-9])|\n\s*\n?"
                       r"|(?<=\))\s+(?=[A-Z])")
_BOILERPLATE = re.compile(r"^\s*[(\[]?\s*(related|read more|see also|watch|listen|sign up|"
                          r"subscribe|advertisement|copyright|©)\b|https?://|pic\.twitter", re.I)
# "(?<!\w)" where "\b" opens on a word character: the same matches, and re scans it faster
_BACKGROUND_PHRASES = re.compile(
    r"(?<!\w)(back in|years? ago|decades? ago|last year|earlier this year|in the past|previously|"
    r"in recent years|historically|has long been|since (?:19|20)\d\d)\b", re.I)
_YEAR = re.compile(r"\b((?:19|20)\d\d)\b")
# A birth date is biography, never the event's date, even in the lead.
_BIOGRAPHY = re.compile(r"\b(?:(?:was|were) born|born (?:on|in)|naci[oó]|nacid[oa] el)\b", re.I)
_EVENT_WORDS = re.compile(
    r"(?<!\w)(kill\w*|dead|deaths?|died|wounded|injur\w*|attack\w*|clash\w*|fight\w*|firefight|"
    r"gunfight|gunm[ae]n|shoot\w*|shot|explo\w+|blast|bomb\w*|airstrikes?|strikes?|shell\w*|"
    r"protest\w*|demonstrat\w*|riot\w*|arrest\w*|detain\w*|raid\w*|ambush\w*|kidnap\w*|"
    r"abduct\w*|massacre\w*|seiz\w+|captur\w+|fell(?:ed)?|flood\w*|earthquake|crash\w*|fire|"
    # Spanish: muertos, asesinado, ataque, balacera, enfrentamiento, inundaciones, sismo, ...
    r"muert[oa]s?|asesina\w*|ataque\w*|atac\w+|balacera\w*|enfrentamiento\w*|disparo\w*|"
    r"herid[oa]s?|secuestr\w+|detenid[oa]s?|protesta\w*|inundaci\w+|inund\w+|sismo\w*|"
    r"terremoto\w*|incendio\w*|explosi\w+|fosas?)\b",
    re.I)
SNIPPET_CHARS = 280
# Only this much of an article is read for its event place and date: ~30,000 words, ten times a
# long feature; mentions and dates after it are ignored (they are still stored).
MAX_INCIDENT_CHARS = 200_000
_TOKEN_BEFORE = re.compile(r"([\w.]+)[.!?][\"'”’)]*$")
_OPENS_WITH_BRACKET = re.compile(r"\s*[(\[]")
_NON_SPACE = re.compile(r"\S")
WEAK_CONFIDENCE = 0.6  # below this, a place needs another mention nearby to be the event's
# "VALDOSTA, Ga. (Northgate Courier) - ..." / "PARIS (Wire) — ..."
_DATELINE = re.compile(r"^\s*[A-ZÀ-Ý][A-ZÀ-Ý .'-]+(?:,\s*[\w. ]+?)?\s*(?P<outlet>\([^)]{1,60}\))?"
                       r"\s*[-–—]\s")


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
        # the word before the stop, looked for in a short window (no copy of the sentence)
        token = _TOKEN_BEFORE.search(text, max(start, cut - 80), cut)
        raw = token.group(1) if token else ""
        word = raw.lower()
        abbreviation = word in _ABBREVIATIONS or len(word) == 1 or \
            (word in _STATES and raw[:1].isupper())
        if "\n" not in match.group(0) and abbreviation:
            continue
        if text[cut - 1:cut] == ")" and not _OPENS_WITH_BRACKET.match(text, start, cut):
            continue  # only a whole parenthetical (a related-story link) ends a sentence
        if _NON_SPACE.search(text, start, cut):
            spans.append((start, cut))
        start = match.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


def classify_sentences(text: str, published: date | None,
                       dates: list[DateExpression] | None = None) -> list[Sentence]:
    dates = dates if dates is not None else find_date_expressions(text, published)
    dates = sorted(dates, key=lambda d: d.start)
    sentences = []
    first_date = 0  # dates and sentences are both in text order: walk them together
    for index, (start, end) in enumerate(sentence_spans(text)):
        while first_date < len(dates) and dates[first_date].start < start:
            first_date += 1
        after = first_date
        while after < len(dates) and dates[after].start < end:
            after += 1
        in_sentence = dates[first_date:after]
        chunk = text[start:end]
        why = ""
        if _BOILERPLATE.search(chunk):
            why = "related-story link, embedded post or boilerplate"
        elif in_sentence and _BIOGRAPHY.search(chunk):
            why = "biography (a birth date)"
        elif index == 0:
            pass  # the lead states the event; a "last year" comparison in it is not background
        elif _BACKGROUND_PHRASES.search(chunk):
            why = f"background phrase '{_BACKGROUND_PHRASES.search(chunk).group(0)}'"
        elif published is not None:
            old_years = [y for y in _YEAR.findall(chunk) if int(y) < published.year]
            old_dates = [d for d in in_sentence if d.date is not None
                         and (published - d.date).days > 62]
            if old_years or old_dates:
                why = f"dated before the report ({(old_years or [old_dates[0].surface])[0]})"
        has_date = bool(in_sentence)
        sentences.append(Sentence(start, end, index, bool(why),
                                  bool(_EVENT_WORDS.search(chunk)) or has_date, why))
    return sentences


def _sentence_finder(sentences: list[Sentence]):  # noqa: ANN202 - a closure
    """offset -> the sentence holding it (or None), by binary search over sentence starts."""
    starts = [s.start for s in sentences]

    def sentence_of(offset: int) -> Sentence | None:
        i = bisect_right(starts, offset) - 1
        return sentences[i] if i >= 0 and offset < sentences[i].end else None

    return sentence_of


def make_snippet(text: str, start: int, end: int, sentence: Sentence | None) -> str:
    lo, hi = (sentence.start, sentence.end) if sentence else (start, end)
    if hi - lo > SNIPPET_CHARS:  # centre the window on the mention
        lo = max(lo, start - SNIPPET_CHARS // 2)
        hi = min(hi, lo + SNIPPET_CHARS)
    return " ".join(text[lo:hi].split())


def _country(m: Mention) -> str:
    return m.country or m.country_iso3 or "?"


def _inside(inner: Mention, outer: Mention) -> bool:
    """Is `inner` a strictly more specific place within `outer` (by codes)?"""
    if geo_precision_of(inner) >= geo_precision_of(outer) or _country(inner) != _country(outer):
        return False
    if outer.level == "country" or (outer.precision == "subregion" and not outer.admin1_iso):
        return True
    if outer.admin2_code and outer.level == "admin2":
        return inner.admin2_code == outer.admin2_code
    return bool(outer.admin1_iso) and inner.admin1_iso == outer.admin1_iso


def _source_attribution_span(text: str) -> tuple[int, int] | None:
    """'CITY, Country (Outlet) - ...': the outlet in brackets is not a place of the event."""
    match = _DATELINE.match(text)
    return match.span("outlet") if match and match.group("outlet") else None


def choose_incident(text: str, mentions: list[Mention], published: date | None,
                    lead_sentences: int = 4, dates: list[DateExpression] | None = None,
                    sentences: list[Sentence] | None = None) -> IncidentChoice:
    """Primary location and event date of one article, with the reasons recorded.

    1. Usable mentions: resolved, not organisation-embedded, not in the dateline's outlet name,
       not weak (low confidence with no other mention in the same admin-1/country).
    2. Foreground: outside background sentences.
    3. The event country: weighted votes of the lead sentences.
    4. The anchor: the most specific place of that country in the first sentence holding one.
    5. Refinement: a more specific place *inside* the anchor from the lead sentences wins
       (lead "Mexican authorities", then "Sonora's attorney's office" -> Sonora).

    `dates` and `sentences`: find_date_expressions and classify_sentences of `text` at
    `published`, when the caller has them already (not worked out twice).
    """
    head = text[:MAX_INCIDENT_CHARS]  # bounded work per article (see the module docstring)
    if dates is None or sentences is None or len(text) > MAX_INCIDENT_CHARS:
        dates = find_date_expressions(head, published)
        sentences = classify_sentences(head, published, dates)
    sentence_of = _sentence_finder(sentences)
    background = [(s.start, s.end) for s in sentences if s.background]
    when: EventDate = resolve_event_date(head, published, background, dates)

    def result(primary: int | None, reason: str) -> IncidentChoice:
        snippet = ""
        if primary is not None:
            m = mentions[primary]
            snippet = make_snippet(text, m.start, m.end, sentence_of(m.start))
        return IncidentChoice(primary, reason, snippet, when.date, when.precision, when.evidence)

    outlet = _source_attribution_span(text)
    n_org = sum(1 for m in mentions if m.kind == "org_embedded")
    usable = [i for i, m in enumerate(mentions)
              if m.resolved and m.kind != "org_embedded" and geo_precision_of(m) is not None
              and m.start < MAX_INCIDENT_CHARS
              and not (outlet and outlet[0] <= m.start < outlet[1])]
    if not usable:
        return result(None, f"no resolved place outside organisation names ({n_org} "
                      "organisation-embedded, "
                      f"{sum(1 for m in mentions if not m.resolved)} unresolved)")
    where = {i: sentence_of(mentions[i].start) for i in usable}
    per_country = Counter(_country(mentions[j]) for j in usable)
    per_admin1 = Counter(mentions[j].admin1_iso for j in usable)

    def support(i: int) -> int:
        """Other mentions (repeats included) in the same admin-1 (or country, for countries)."""
        m = mentions[i]
        if m.level == "country":
            return per_country[_country(m)] - 1
        return per_admin1[m.admin1_iso] - 1 if m.admin1_iso else 0

    # weak: low confidence, nothing else nearby and not in the opening sentence (which names
    # the event's place); chosen only when nothing better exists
    opening = min((where[i].index for i in usable if where[i]), default=None)
    weak = {i for i in usable if mentions[i].confidence < WEAK_CONFIDENCE and support(i) == 0
            and not (where[i] and where[i].index == opening)}
    foreground = [i for i in usable if not (where[i] and where[i].background)]
    skipped_background = len(usable) - len(foreground)
    pool = foreground or usable
    lead_indexes = sorted({where[i].index for i in pool if where[i]})[:lead_sentences]
    lead = [i for i in pool if where[i] is None or where[i].index in lead_indexes]

    # event country: weighted votes from the lead (event sentences and the first one count more)
    votes: dict[str, float] = defaultdict(float)
    first_seen: dict[str, int] = {}
    for i in lead:
        if i in weak:
            continue
        sentence = where[i]
        weight = (2.0 if sentence and sentence.event else 1.0) * \
            (1.5 if sentence and sentence.index == lead_indexes[0] else 1.0)
        votes[_country(mentions[i])] += weight
        first_seen.setdefault(_country(mentions[i]), mentions[i].start)
    event_country = max(votes, key=lambda c: (votes[c], -first_seen[c])) if votes else \
        _country(mentions[lead[0]])
    in_country = [i for i in lead if _country(mentions[i]) == event_country]

    def rank(i: int) -> tuple:
        return (i in weak, geo_precision_of(mentions[i]), mentions[i].kind == "demonym",
                mentions[i].start)

    first_sentence = min((where[i].index for i in in_country if where[i]), default=None)
    anchor_pool = [i for i in in_country if where[i] is None or where[i].index == first_sentence]
    best = min(anchor_pool, key=rank)
    how = "the most specific place of the event country in its first lead sentence"
    # refine only from the first two lead sentences: later ones drift to other places
    near = set(lead_indexes[:2])
    inside = [i for i in in_country if _inside(mentions[i], mentions[best])
              and (where[i] is None or where[i].index in near)
              and (i not in weak or best in weak)]
    if inside:
        anchor = mentions[best]
        best = min(inside, key=rank)
        how = (f"a more specific place inside {anchor.name or anchor.surface} "
               f"({anchor.level}) named in the lead")
    m = mentions[best]
    reason = (f"{m.name or m.surface} ({m.level}, geo_precision {geo_precision_of(m)}): {how}; "
              f"event country {event_country} ({votes[event_country]:g} of "
              f"{sum(votes.values()):g} weighted lead mentions); skipped {skipped_background} "
              f"background, {n_org} organisation-embedded and {len(weak)} weak mentions")
    if not foreground:
        reason += "; every place is in background sentences, so background was used"
    return result(best, reason)
