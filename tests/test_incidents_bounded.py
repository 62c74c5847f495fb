"""Bounded work per article: linear in mentions and dates, and only the lead part is read.
(The figures, 10 kB to 5 MB, are in bench/bench_ingest_size.py; these tests count work.)"""

from __future__ import annotations

from datetime import date

import pytest
from incident_fixtures import keyword_parser

from geo import dates, incidents
from geo.incidents import MAX_INCIDENT_CHARS, choose_incident

MONDAY = date(2024, 1, 22)
SENTENCE = "Gunmen killed four in Townville on Saturday, police in Aland said. "


def counting(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> list[int]:
    calls = [0]
    original = getattr(module, name)

    def counted(*args: object, **kwargs: object) -> object:
        calls[0] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_choice_work_is_linear_in_mentions(monkeypatch: pytest.MonkeyPatch) -> None:
    text = SENTENCE * 1500
    mentions = keyword_parser(text, MONDAY)
    assert len(mentions) >= 3000
    country_keys = counting(monkeypatch, incidents, "_country")
    choice = choose_incident(text, mentions, MONDAY)
    assert mentions[choice.primary].name == "Townville"
    assert country_keys[0] < 10 * len(mentions)  # was one call per pair of mentions


def test_date_overlap_checks_are_not_pairwise(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "It happened on Monday, Jan. 15, and again yesterday. " * 3000
    found = dates.find_date_expressions(text, MONDAY)
    assert len(found) == 9000
    assert [d.kind for d in found[:3]] == ["weekday", "month_day", "yesterday"]
    spans = [(d.start, d.end) for d in found]
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))  # no overlaps


def test_only_the_lead_part_of_a_huge_article_is_read() -> None:
    filler = "Nothing happened here. " * (MAX_INCIDENT_CHARS // 23 + 10)
    text = filler + SENTENCE
    mentions = keyword_parser(text, MONDAY)
    assert mentions and all(m.start >= MAX_INCIDENT_CHARS for m in mentions)
    choice = choose_incident(text, mentions, MONDAY)
    assert choice.primary is None  # the place is past the cap: not read, not guessed
    assert choice.event_date == MONDAY and choice.time_precision == 2  # "Saturday" not read
    short = choose_incident(SENTENCE, keyword_parser(SENTENCE, MONDAY), MONDAY)
    assert short.primary is not None and short.event_date == date(2024, 1, 20)


def test_background_spans_lookup_matches_a_scan() -> None:
    spans = [(0, 10), (5, 20), (30, 40), (39, 45), (60, 61)]
    merged = dates.merged_spans(spans)
    for offset in range(70):
        assert dates.in_spans(offset, merged) == any(s <= offset < e for s, e in spans)
