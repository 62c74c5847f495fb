"""Which language an article is written in, so the parser can pick its rule set.

    detect_language("Hombres armados atacaron ...")  # -> "es"

`lingua-language-detector` (pinned, Apache-2.0, models ship inside the wheel: nothing is
downloaded) decides among the languages the project's news arrives in. Running it costs
milliseconds per document, so a text whose opening is plainly English by its function words
("the", "of", "and", ...) is called English without it; everything else goes to the detector.
Only the opening SAMPLE_CHARS are read: a language does not change half-way through a story.
"""

from __future__ import annotations

import re
import threading
from functools import cache

from geo.nlp.lexicon import common_word_zipf, zipf_table
from geo.textnorm import fold

UNDETERMINED = "und"  # ISO 639-2 "undetermined": empty text, or nothing the detector knows
SAMPLE_CHARS = 600
MIN_DISTANCE = 0.1  # the detector answers only when one language is this far ahead
# Languages the detector chooses among (more languages cost load time and memory; text in
# any other language is called one of these and parsed with the English rules anyway).
DETECTED = ("ENGLISH", "SPANISH", "PORTUGUESE", "FRENCH", "GERMAN", "ITALIAN", "DUTCH", "CATALAN")

# English function words that are not words in the other detected languages; a sample with
# many of them and few Romance/Germanic articles is English without running the detector.
_ENGLISH_MARKERS = frozenset("the of and to is was were with that this from by have has for".split())
_ROMANCE_MARKERS = frozenset("el la los las del de que y em und der die het le les des une".split())
_WORD = re.compile(r"[^\W\d_]+")
_NOT_PROSE = re.compile(r"https?://\S+|www\.\S+|[@#]\w+")
_LOCK = threading.Lock()


@cache
def _detector():
    from lingua import Language, LanguageDetectorBuilder

    langs = [getattr(Language, name) for name in DETECTED]
    return (LanguageDetectorBuilder.from_languages(*langs)
            .with_low_accuracy_mode().with_minimum_relative_distance(MIN_DISTANCE)
            .with_preloaded_language_models().build())


def load_detector() -> None:
    """Load the detector now (a few tenths of a second) rather than on the first non-English text."""
    with _LOCK:
        _detector()


_MARKERS = _ENGLISH_MARKERS | _ROMANCE_MARKERS


def plainly_english(sample: str) -> bool:
    words = sample.lower().split()  # whitespace tokens: cheap, and markers rarely carry punctuation
    # one pass over the words keeps the markers (a few), which are then told apart
    markers = list(filter(_MARKERS.__contains__, words))
    english = sum(map(_ENGLISH_MARKERS.__contains__, markers))
    romance = len(markers) - english
    return (english >= 2 and romance == 0) or (english >= 4 and english >= 3 * romance)


def prose(text: str) -> str:
    """The text without links, @handles and #hashtags, which say nothing about its language."""
    if "@" in text or "#" in text or "http" in text or "www." in text:
        return _NOT_PROSE.sub(" ", text)
    return text


def detect_language(text: str | None) -> str:
    """ISO 639-1 code of the text's language ("en", "es", ...), or "und" when it cannot tell."""
    sample = prose((text or "")[:SAMPLE_CHARS * 2])[:SAMPLE_CHARS]
    if not _WORD.search(sample):
        return UNDETERMINED
    if plainly_english(sample):
        return "en"
    with _LOCK:
        found = _detector().detect_language_of(sample)
    if found is None:
        return UNDETERMINED
    code = found.iso_code_639_1.name.lower()
    if code == "es" and not spanish_by_its_words(sample):
        return "en"  # a short English text with Spanish names ("... in Pueblo, Colorado, on Monday.")
    return code


def spanish_by_its_words(sample: str) -> bool:
    """Whether the sample has more words that only Spanish has than words that only
    English has (the common-word lists of both): the detector, in its fast mode, calls short
    English texts with Spanish place names Spanish, whose rules then read them as Spanish."""
    english, spanish = common_word_zipf(), zipf_table("common_words_es.tsv")
    only_spanish = only_english = 0
    for word in _WORD.findall(sample.lower()):
        in_spanish = fold(word) in spanish
        if word in english:
            only_english += not in_spanish
        elif in_spanish:
            only_spanish += 1
    return only_spanish > only_english
