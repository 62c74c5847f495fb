"""Event date versus publication date.

News reports date events relative to publication ("Saturday", "yesterday", "last week") or with
a partial date ("on Jan. 20"). We find those expressions, resolve them against the publication
date, and keep a `time_precision` code in the ACLED spirit: 1 day, 2 week, 3 month or vaguer.
"""

from __future__ import annotations

import re
from bisect import bisect_right, insort
from dataclasses import dataclass
from datetime import date, timedelta

from geo.rescan import PatternSet

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9,
    "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11,
    "dec": 12, "december": 12,
}
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                "a": 1, "an": 1, "un": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6,
                "siete": 7}

# Spanish, for Latin American and Spanish reporting. Names are lower case in Spanish, so the
# capitalisation rule for English month and weekday names does not apply to them.
MONTHS_ES = {"enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7,
             "agosto": 8, "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11,
             "diciembre": 12}
WEEKDAYS_ES = {"lunes": 0, "martes": 1, "miércoles": 2, "miercoles": 2, "jueves": 3,
               "viernes": 4, "sábado": 5, "sabado": 5, "domingo": 6}
_MONTH_ES = r"(?P<month>" + "|".join(MONTHS_ES) + r")"
# Spanish expressions resolve like their English counterparts.
SPANISH_KINDS = {"es_day_month": "day_month", "es_yesterday": "yesterday", "es_today": "today",
                 "es_days_ago": "days_ago", "es_weekday": "weekday", "es_last_week": "last_week"}

# Ordered most specific first; each pattern resolves to (date, precision). Case-insensitive,
# but month/weekday names must be capitalised in the text (see _capitalised) so "may" the verb
# and "march" the noun are not dates.
PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>[01]\d)-(?P<day>[0-3]\d)\b")),
    ("month_day", re.compile(rf"\b{_MONTH}\s+{_DAY}\b(?:,?\s+{_YEAR})?", re.I)),
    ("day_month", re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}\b(?:,?\s+{_YEAR})?", re.I)),
    ("yesterday", re.compile(r"\b(?:yesterday|last\s+night)\b", re.I)),
    ("today", re.compile(r"\b(?:today|tonight|this\s+(?:morning|afternoon|evening))\b", re.I)),
    ("days_ago", re.compile(r"\b(?P<n>\d{1,2}|one|two|three|four|five|six|seven|a)\s+days?\s+ago\b", re.I)),
    ("weekday", re.compile(r"\b(?P<prefix>last\s+|this\s+past\s+|on\s+)?(?P<weekday>"
                           + "|".join(WEEKDAYS) + r")\b", re.I)),
    ("last_week", re.compile(r"\b(?:last|past|previous)\s+week(?:end)?\b", re.I)),
    ("this_week", re.compile(r"\b(?:this|earlier\s+this)\s+week(?:end)?\b", re.I)),
    ("month_year", re.compile(rf"\b{_MONTH}\s+{_YEAR}\b", re.I)),
    ("last_month", re.compile(r"\b(?:last|past|previous)\s+month\b", re.I)),
    ("this_month", re.compile(r"\b(?:earlier\s+)?this\s+month\b", re.I)),
    ("in_month", re.compile(rf"\bin\s+(?:early\s+|mid-?|late\s+)?{_MONTH}(?!\s*\d)", re.I)),
    ("es_day_month", re.compile(rf"\b{_DAY}\s+de\s+{_MONTH_ES}\b(?:\s+(?:de|del)\s+{_YEAR})?", re.I)),
    ("es_yesterday", re.compile(r"\b(?:ayer|anoche)\b", re.I)),
    ("es_today", re.compile(r"\b(?:hoy|esta\s+(?:mañana|tarde|noche))\b", re.I)),
    ("es_days_ago", re.compile(r"\bhace\s+(?P<n>\d{1,2}|un|dos|tres|cuatro|cinco|seis|siete)\s+d[ií]as?\b", re.I)),
    ("es_weekday", re.compile(r"\b(?P<prefix>el\s+pasado\s+|el\s+)?(?P<weekday>"
                              + "|".join(WEEKDAYS_ES) + r")(?:\s+pasado)?\b", re.I)),
    ("es_last_week", re.compile(r"\b(?:la\s+semana\s+pasada|el\s+fin\s+de\s+semana\s+pasado)\b", re.I)),
]

_SCAN = PatternSet([pattern for _, pattern in PATTERNS])  # all patterns in one pass over a text


@dataclass
class DateExpression:
    """A temporal expression in a text and the date it resolves to."""

    start: int
    end: int
    surface: str
    kind: str
    date: date | None
    precision: int  # 1 day, 2 week, 3 month or vaguer


@dataclass
class EventDate:
    date: date | None
    precision: int | None
    evidence: str
    expression: DateExpression | None = None


def _capitalised(surface: str, kind: str) -> bool:
    """Month and weekday names are dates only when capitalised ("may" and "march" are verbs)."""
    if kind in {"month_day", "month_year", "in_month", "weekday"}:
        word = re.search(r"[A-Za-z]+", surface.split()[-1] if kind == "weekday" else
                         re.sub(r"^in\s+(early\s+|mid-?|late\s+)?", "", surface, flags=re.I))
        return bool(word) and word.group(0)[0].isupper()
    if kind == "day_month":
        words = re.findall(r"[A-Za-z]+", surface)
        return any(w.lower() in MONTHS and w[0].isupper() for w in words)
    if kind == "es_weekday":
        # "el domingo", "domingo": a date; "Santo Domingo", "Domingo Pérez": a place or a name
        return surface.lower().startswith("el ") or surface.split()[0].islower()
    return True


def _sentence_start(text: str, start: int) -> bool:
    i = start  # walk back over spaces only: never copy the text before the match
    while i and text[i - 1].isspace():
        i -= 1
    return not i or text[i - 1] in ".!?¡¿\n\"“"


def _infer_year(month: int, day: int, published: date) -> date | None:
    """A day-month without a year is the latest such day on or before publication
    (news reports past events); a few days after publication is allowed for announcements."""
    for year in (published.year, published.year - 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            return None
        if candidate <= published + timedelta(days=3):
            return candidate
    return None


def _month_number(name: str) -> int:
    return MONTHS.get(name.lower()) or MONTHS_ES[name.lower()]


def _resolve(kind: str, match: re.Match[str], published: date | None) -> tuple[date | None, int]:
    groups = match.groupdict()
    kind = SPANISH_KINDS.get(kind, kind)
    if kind in {"iso", "month_day", "day_month"}:
        month = int(groups["month"]) if kind == "iso" else _month_number(groups["month"])
        day = int(groups["day"])
        if groups.get("year"):
            try:
                return date(int(groups["year"]), month, day), 1
            except ValueError:
                return None, 1
        return (_infer_year(month, day, published) if published else None), 1
    if kind == "month_year":
        return date(int(groups["year"]), MONTHS[groups["month"].lower()], 1), 3
    if published is None:
        return None, 3
    if kind == "yesterday":
        return published - timedelta(days=1), 1
    if kind == "today":
        return published, 1
    if kind == "days_ago":
        n = groups["n"].lower()
        return published - timedelta(days=NUMBER_WORDS.get(n) or int(n)), 1
    if kind == "weekday":
        name = groups["weekday"].lower()
        target = WEEKDAYS_ES[name] if name in WEEKDAYS_ES else WEEKDAYS.index(name)
        back = (published.weekday() - target) % 7
        # "last Monday" in a Monday article is a week back; a bare "Monday" is that same day
        prefix = " ".join((groups.get("prefix") or "").lower().split())
        if back == 0 and (prefix in {"last", "this past", "el pasado"}
                          or match.group(0).lower().endswith("pasado")):
            back = 7
        return published - timedelta(days=back), 1
    if kind == "last_week":
        return published - timedelta(days=7), 2
    if kind == "this_week":
        return published - timedelta(days=published.weekday()), 2
    if kind == "last_month":
        first = published.replace(day=1)
        return (first - timedelta(days=1)).replace(day=1), 3
    if kind == "this_month":
        return published.replace(day=1), 3
    if kind == "in_month":
        month = MONTHS[groups["month"].lower()]
        year = published.year if month <= published.month else published.year - 1
        return date(year, month, 1), 3
    return None, 3


class _Spans:
    """Non-overlapping spans kept sorted: an overlap test is a binary search, not a scan
    (a long article has thousands of date expressions)."""

    def __init__(self) -> None:
        self.spans: list[tuple[int, int]] = []

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect_right(self.spans, (start, end))
        before = self.spans[i - 1] if i else None
        after = self.spans[i] if i < len(self.spans) else None
        return bool((before and before[1] > start) or (after and after[0] < end))

    def add(self, start: int, end: int) -> None:
        insort(self.spans, (start, end))


def merged_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans with overlapping ones merged (what in_spans expects)."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def in_spans(offset: int, spans: list[tuple[int, int]]) -> bool:
    """Is offset inside one of the sorted, non-overlapping spans?"""
    i = bisect_right(spans, (offset, float("inf")))
    return bool(i) and spans[i - 1][0] <= offset < spans[i - 1][1]


def find_date_expressions(text: str, published: date | None) -> list[DateExpression]:
    """All temporal expressions, in text order, without overlaps (more specific patterns win)."""
    taken = _Spans()
    found: list[DateExpression] = []
    starts = _SCAN.starts(text)
    for index, (kind, _) in enumerate(PATTERNS):
        for match in _SCAN.finditer(index, text, starts):
            start, end = match.span()
            if taken.overlaps(start, end):
                continue
            if not _capitalised(match.group(0), kind):
                continue
            if kind == "es_yesterday" and match.group(0)[0].isupper() and not _sentence_start(text, start):
                continue  # "Ayer" mid-sentence is a surname
            resolved, precision = _resolve(kind, match, published)
            taken.add(start, end)
            found.append(DateExpression(start, end, match.group(0), kind, resolved, precision))
    return sorted(found, key=lambda e: e.start)


def is_plausible_event_date(value: date | None, published: date | None) -> bool:
    """The reported event lies shortly before publication; older dates are background."""
    if value is None:
        return False
    if published is None:
        return True
    return published - timedelta(days=62) <= value <= published + timedelta(days=3)


def resolve_event_date(text: str, published: date | None,
                       background_spans: list[tuple[int, int]] | None = None,
                       expressions: list[DateExpression] | None = None) -> EventDate:
    """The event date of a report: the first plausible date expression outside background
    sentences; otherwise the publication date, flagged as a week-level estimate."""
    background_spans = merged_spans(background_spans or [])
    if expressions is None:
        expressions = find_date_expressions(text, published)
    for expr in expressions:
        if in_spans(expr.start, background_spans):
            continue
        if not is_plausible_event_date(expr.date, published):
            continue
        return EventDate(expr.date, expr.precision,
                         f"'{expr.surface}' ({expr.kind}) resolved against publication date "
                         f"{published.isoformat() if published else 'unknown'}", expr)
    if published is not None:
        return EventDate(published, 2, "no event date in the text: publication date used "
                         "(the event happened within about a week before it)")
    return EventDate(None, None, "no event date in the text and no publication date")
