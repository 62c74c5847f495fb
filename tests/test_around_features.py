"""The word features read around a name (geo.nlp.around) equal what the straightforward
definition gives, for the words of real text, and words with the same features share one tuple."""

from __future__ import annotations

import json
import re
from dataclasses import astuple
from pathlib import Path

import pytest

from geo.nlp import lexicon
from geo.nlp.around import COMMON_MID, after_features, before_features, folded_word, person_lists
from geo.nlp.context import strip_possessive

WORDS = ["Mr.", "Gov.", "J.", "said", "Said", "told", "Smith", "Smith's", "Jordan", "northern", "North",
         "south-east", "Cartel", "CARTEL", "University", "Bank", "administration", "campaign", "January",
         "Juniors", "F.", "NASA", "the", "Zürich", "Ñuñoa", "İstanbul", "Governor", "Calif.", "U.S.", "St.",
         "Cartel's", "said,", "o'clock", "Davis", "Ana", "ANA", "Police", "Mexican", "ÉCOLE", ".", ",.",
         "Washington", "Dr", "king", "Hurricane", "fever", "disease.", "Fever"]


def _reference_before(word: str) -> tuple:
    names, _surnames, zipf = person_lists()
    low, full = folded_word(word.rstrip(".")), folded_word(word)
    return (word[0].isupper(), low in lexicon.TITLES, word.endswith("."),
            len(word) == 2 and "A" <= word[0] <= "Z" and word[1] == ".",
            word[-1] not in ".,'’" and low not in lexicon.MODIFIERS,
            low in names and zipf.get(low, 0) < COMMON_MID, zipf.get(low, 0) < 3.0 and len(low) > 2,
            full in lexicon.SPEECH_VERBS, lexicon.MODIFIERS.get(full), full in lexicon.STORM_WORDS)


def _reference_after(word: str) -> tuple:
    _names, surnames, zipf = person_lists()
    nxt = strip_possessive(word)
    nxt_low = folded_word(nxt)
    org = nxt.rstrip(".,")
    surname_like = (nxt[:1].isupper() and nxt_low not in lexicon.ORG_HEADS and nxt_low not in lexicon.MONTHS_WEEKDAYS
                    and not (nxt.endswith((".", "s")) and len(nxt) > 2) and not nxt.isupper()
                    and (zipf.get(nxt_low, 0) < 3.5 or nxt_low in surnames))
    bare = word.rstrip(".")  # a sentence's full stop after the verb or the head noun
    return (surname_like, bare in lexicon.PERSON_HEADS, folded_word(bare) in lexicon.SPEECH_VERBS,
            org if org[:1].isupper() and folded_word(org) in lexicon.ORG_HEADS else None,
            bare.lower() in lexicon.DISEASE_HEADS)


def _corpus_words() -> list[str]:
    path = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "lgl.jsonl"
    if not path.exists():
        return []
    words: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines()[:150]:
        words.update(re.findall(r"\w[\w.'’&-]*", json.loads(line)["text"]))
    return sorted(words)


@pytest.mark.parametrize("word", WORDS)
def test_features_of_chosen_words(word):
    assert astuple(before_features(word)) == _reference_before(word)
    assert astuple(after_features(word)) == _reference_after(word)


def test_features_of_real_text_words_and_sharing():
    words = _corpus_words()
    if not words:
        pytest.skip("the shared eval corpora are not here")
    for w in words:
        assert astuple(before_features(w)) == _reference_before(w), w
        assert astuple(after_features(w)) == _reference_after(w), w
    # thousands of words, a few dozen distinct feature tuples: one object each
    assert len({id(before_features(w)) for w in words}) == len({before_features(w) for w in words}) < 100
    assert len({id(after_features(w)) for w in words}) == len({after_features(w) for w in words}) < 100
