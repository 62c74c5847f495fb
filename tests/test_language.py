"""The English shortcut of language detection (geo.nlp.language.plainly_english)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from geo.nlp.language import _ENGLISH_MARKERS, _ROMANCE_MARKERS, plainly_english


def _by_two_counts(sample: str) -> bool:
    """The rule as first written: each marker set counted over the words."""
    words = sample.lower().split()
    english = sum(w in _ENGLISH_MARKERS for w in words)
    romance = sum(w in _ROMANCE_MARKERS for w in words)
    return (english >= 2 and romance == 0) or (english >= 4 and english >= 3 * romance)


def test_marker_sets_share_no_word():
    assert not _ENGLISH_MARKERS & _ROMANCE_MARKERS  # the one-pass count relies on it


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(sorted(_ENGLISH_MARKERS | _ROMANCE_MARKERS)
                                + ["The", "DE", "town", "Paris", "the,", " ", "\n", "ciudad"]), max_size=30))
def test_plainly_english_counts_as_the_two_counts(words):
    sample = " ".join(words)
    assert plainly_english(sample) == _by_two_counts(sample)


def test_a_short_english_text_with_spanish_names_is_english():
    """The detector's fast mode calls short English texts with Spanish place names Spanish;
    the common words of both languages overrule it, and short Spanish headlines stay Spanish."""
    from geo.nlp.language import detect_language

    assert detect_language("A fire destroyed a home in Pueblo, Colorado, on Monday.") == "en"
    assert detect_language("Tornado hits Amarillo, Texas") == "en"
    assert detect_language("Balacera en Culiacán deja tres muertos") == "es"
    assert detect_language("Hombres armados atacaron Culiacán") == "es"


def test_a_place_in_such_a_text_is_not_read_by_the_spanish_rules(real_gazetteer_dir):
    from geo.parse import parse

    got = {m.surface: m for m in parse("A fire destroyed a home in Pueblo, Colorado, on Monday.")}
    assert got["Pueblo"].admin1_iso == "US-CO"
