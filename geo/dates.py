"""Event date versus publication date.

News reports date events relative to publication ("Saturday", "yesterday", "last week") or with
a partial date ("on Jan. 20"). We find those expressions, resolve them against the publication
date, and keep a `time_precision` code in the ACLED spirit: 1 day, 2 week, 3 month or vaguer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

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
                "a": 1, "an": 1}

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
]


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
    return True


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


def _resolve(kind: str, match: re.Match[str], published: date | None) -> tuple[date | None, int]:
    groups = match.groupdict()
    if kind in {"iso", "month_day", "day_month"}:
        month = int(groups["month"]) if kind == "iso" else MONTHS[groups["month"].lower()]
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
        target = WEEKDAYS.index(groups["weekday"].lower())
        back = (published.weekday() - target) % 7
        # "last Monday" in a Monday article is a week back; a bare "Monday" is that same day
        if back == 0 and (groups.get("prefix") or "").strip().lower() in {"last", "this past"}:
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


def find_date_expressions(text: str, published: date | None) -> list[DateExpression]:
    """All temporal expressions, in text order, without overlaps (more specific patterns win)."""
    taken: list[tuple[int, int]] = []
    found: list[DateExpression] = []
    for kind, pattern in PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < e and s < end for s, e in taken):
                continue
            if not _capitalised(match.group(0), kind):
                continue
            resolved, precision = _resolve(kind, match, published)
            taken.append((start, end))
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
    background_spans = background_spans or []
    if expressions is None:
        expressions = find_date_expressions(text, published)
    for expr in expressions:
        if any(s <= expr.start < e for s, e in background_spans):
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
