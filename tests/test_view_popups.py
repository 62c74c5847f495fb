"""Evidence HTML: everything from an article is escaped; only http(s) links survive."""

from __future__ import annotations

import html
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from geo.view.popups import esc, evidence_html, highlight, safe_url

HOSTILE = '<script>alert(1)</script> <img src=x onerror="alert(2)"> & "quotes"'


def _tags(markup: str) -> set[str]:
    return {t.lower() for t in re.findall(r"<\s*([a-zA-Z]+)", markup)}


def test_highlight_marks_every_occurrence_case_insensitively():
    out = highlight("Sonora rains; SONORA floods; Sonoran farms", ["Sonora"])
    assert out.count("<mark>") == 3
    assert "<mark>SONORA</mark>" in out


def test_highlight_prefers_the_longest_term():
    out = highlight("in southern California today", ["California", "southern California"])
    assert "<mark>southern California</mark>" in out and out.count("<mark>") == 1


def test_highlight_escapes_text_and_terms():
    out = highlight(HOSTILE + " near Paris", ["Paris", "<script>"])
    assert "<script>" not in out.replace("<mark>&lt;script&gt;</mark>", "")
    assert _tags(out) <= {"mark"}
    assert "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in out


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=200), term=st.text(max_size=12))
def test_highlight_never_emits_markup_but_mark(text, term):
    out = highlight(text, [term])
    assert _tags(out) <= {"mark"}
    # removing our <mark> tags and unescaping gives the original text back
    plain = html.unescape(out.replace("<mark>", "").replace("</mark>", ""))
    assert plain == text


def test_safe_url_keeps_only_http_links():
    assert safe_url("https://example.org/a?b=1") == "https://example.org/a?b=1"
    for bad in ("javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<b>", "/relative", "", None, 3):
        assert safe_url(bad) is None


def test_evidence_card_escapes_every_field():
    incident = {
        "title": HOSTILE, "snippet": HOSTILE + " in Guadalajara.", "name": "Guadalajara",
        "source": "<b>Wire</b>", "source_url": "javascript:alert(3)", "kind": "toponym",
        "precision": "place", "geo_precision": 1, "confidence": 0.8, "event_date": "2024-03-02",
        "published": "2024-03-03", "adm1_name": "Jalisco", "adm0_name": "Mexico",
        "reason": "<i>why</i>",
    }
    out = evidence_html(incident, ["Guadalajara"], ["Zapopan", "<svg onload=alert(4)>"])
    assert _tags(out) <= {"div", "blockquote", "mark", "table", "tr", "th", "td"}
    assert "onerror=" not in out.replace("onerror=&quot;", "")
    assert "javascript:" not in out
    assert "&lt;svg onload=alert(4)&gt;" in out and "Zapopan" in out
    assert "<mark>Guadalajara</mark>" in out
    assert "2024-03-02" in out and "2024-03-03" in out and "0.80" in out


def test_evidence_card_links_a_safe_url_and_handles_missing_values():
    out = evidence_html({"title": "T", "source_url": "https://e.org/x", "snippet": None,
                         "confidence": float("nan"), "event_date": None, "name": "X"})
    assert '<a href="https://e.org/x" target="_blank" rel="noopener noreferrer">T</a>' in out
    assert "unknown" in out and "nan" not in out.lower().replace("confidence", "")


def test_esc_missing_values():
    assert esc(None) == esc(float("nan")) == ""
    assert esc("<") == "&lt;"
