"""Text fingerprints of event reports, for telling whether two reports tell the same event.

A report is a weighted bag of words: rare words weigh more (an inverse-frequency weight from
a fixed word-frequency list, not from the corpus, so a vector never changes when other
articles arrive: merging stays incremental and order-independent), names and numbers weigh
more again (they are what tells two earthquakes in one province apart: the town, the
magnitude, the death toll), and the title and lead count more than the body.
"""

from __future__ import annotations

import math
import re
from functools import cache

from geo.nlp.lexicon import common_word_zipf
from geo.textnorm import fold

_TOKEN = re.compile(r"[^\W_]+(?:[.'’][^\W_]+)*", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?:\"“\n]\s*$")  # what precedes a capital that is no name
NAME_BOOST = 3.0  # a capitalised word inside a sentence (a name)
NUMBER_BOOST = 2.0
LEAD_CHARS = 600  # the lead: title and the start of the text, where reports state the event
# Function words of Spanish (the frequency list is English; unknown words count as rare).
SPANISH_STOP = frozenset(
    "a al algo ante antes aunque bajo cada como con contra cual cuando de del desde donde dos "
    "durante e el ella ellas ellos en entre era es esta este esto estos fue fueron ha han hasta "
    "hay la las le les lo los mas me mientras muy ni no nos o otra otro para pero poco por que "
    "quien se segun ser si sin sobre son su sus tambien tras un una uno unos unas y ya".split())


@cache
def _weight(word: str) -> float:
    """Inverse frequency: 'the' (Zipf 7.7) ~0, a word seen once per million ~2.5, unseen 4."""
    if word in SPANISH_STOP or len(word) < 2:
        return 0.0
    zipf = common_word_zipf().get(word)
    if zipf is None:
        return 4.0
    return max(0.0, 5.5 - zipf)


def _tokens(text: str) -> list[tuple[str, float]]:
    """(folded token, boost) pairs; names and numbers get their boosts."""
    out = []
    previous_end = -1
    folded = fold(text)  # one character for one: a token's slice is the token folded
    for match in _TOKEN.finditer(text):
        start, end = match.span()
        token = folded[start:end].replace("’", "'")
        if token.endswith("'s"):
            token = token[:-2]
        boost = 1.0
        first = text[start]
        if first.isdigit():
            boost = NUMBER_BOOST
        elif first.isupper() and previous_end >= 0 and \
                not _SENTENCE_END.search(text[max(0, previous_end):start] or "."):
            boost = NAME_BOOST
        previous_end = end
        out.append((token, boost))
    return out


def text_vector(title: str, text: str, extra: str = "") -> dict[str, float]:
    """A unit-length weighted bag of words of a report: title and lead count double, and
    `extra` (the event sentence of a report that is not the article's main event) triple."""
    counts: dict[str, float] = {}
    lead = text[:LEAD_CHARS]
    for part, factor in ((title, 2.0), (lead, 1.0), (text, 1.0), (extra, 3.0)):
        for token, boost in _tokens(part or ""):
            w = _weight(token)
            if w > 0:
                counts[token] = counts.get(token, 0.0) + factor * boost
    vector = {t: (1.0 + math.log(c)) * _weight(t) for t, c in counts.items()}
    norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
    return {t: v / norm for t, v in vector.items()}


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    """Cosine of two unit vectors."""
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())
