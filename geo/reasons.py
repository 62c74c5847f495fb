"""Why a recognised name is not a place mention: one code per rule, and its evidence text.

Rules branch on the code (`c.drop.code in STRONG_PERSON`), never on the wording; the
text shown to a user is built from the code's template and the words it quotes.
"""

from __future__ import annotations

from enum import Enum
from typing import NamedTuple


class Drop(Enum):
    """A reason to drop a candidate; the value is the template of its evidence text."""

    # how the name is written
    NOT_CAPITALISED = "not capitalised"
    MONTH_OR_WEEKDAY = "month or weekday"
    NEWS_AGENCY = "news agency"
    TITLE = "a title"
    HASHTAG_COMMON_WORD = "hashtag of a common word"
    BARE_COUNTY_NAME = "only a county's name without 'County'"
    ACRONYM_OF_ALT_NAME = "acronym that only matches a place's alternate name"
    TWO_LETTERS_NOT_CODE = "two-letter name not written as a code"
    ISO3_CODE = "ISO alpha-3 code (rare in prose; 'USA' is a press alias)"
    # codes and abbreviations
    STATE_ABBR_OUTSIDE_COMMA = "state abbreviation outside 'Place, St.'"
    ABBR_NOT_CAPITALS = "abbreviation not in capitals"
    CODE_BEFORE_NUMBER = "code followed by a number (a model or part name)"
    HEADLINE_CAPITALS = "capitals in a headline"
    TWO_LETTER_CODE_ALONE = "two-letter code outside 'Place, ST'"
    CODE_IS_COMMON_WORD = "code is also a common word"
    # common words and alternate names
    COMMON_WORD_SENTENCE_START = "common word '{word}' at sentence start"
    COMMON_WORD = "common word '{word}'"
    COMMON_WORD_SMALL_PLACES = "common word '{word}' naming only small places"
    USED_IN_LOWER_CASE = "'{word}' is also used in lower case here"
    ALT_NAME_ENGLISH_WORD = "alternate name that is also an English word"
    ALT_NAME_SMALL_PLACE = "only an alternate name of a small place"
    ALT_NAME_UNLIKE = "alternate name unlike the place's own name"
    ALT_NAME_PERSONAL = "alternate name that is also a given name or surname"
    QUOTED_SMALL_PLACE = "a quoted name (nickname or title), and only small places have it"
    STREET_NAME = "part of a street name ('{word}')"
    FUNCTION_WORD = "function word '{word}'"
    IN_NEIGHBOURHOOD = "inside the neighbourhood name '{word}'"
    STORM_NAME = "a storm's name, after '{word}'"
    DISEASE_NAME = "part of a disease's name ('{word}')"
    # people
    PERSON_AFTER_TITLE = "person: after title '{word}'"
    PERSON_SURNAME_AFTER_INITIAL = "person: surname after an initial '{word}'"
    PERSON_SURNAME_AFTER_GIVEN = "person: surname after given name '{word}'"
    PERSON_FOLLOWS_CAPITALISED = "person: follows capitalised non-place word '{word}'"
    PERSON_GIVEN_NAME_BEFORE = "person: given name before '{word}'"
    PERSON_APPOSITION = "person: apposition ', the {word}'"
    PERSON_BEFORE_HEAD = "person: name before '{word}'"
    PERSON_AGE = "person: followed by an age"
    PERSON_BEFORE_SPEECH = "person: name followed by '{word}'"
    PERSON_AFTER_SPEECH = "person: name after '{word}'"
    PERSON_POSSESSIVE = "person: possessive of a person"
    PERSON_ELSEWHERE = "person: same name used for a person elsewhere in the text"
    PERSON_SECOND_SURNAME = "person: second surname after '{word}'"
    # resolution found nothing to support a doubtful reading
    UNLIKE_ALT_OF_PLACE = "'{word}' is only an unlike alternate name of {place}"
    SMALL_AND_ABROAD = "{place} ({country}) is small and abroad, and the text is about other countries"
    GENERIC_ADMIN_NAME = "'{word}' is a common word, and nothing in the text places the admin unit {place} ({country})"
    HAMLET = "{place} is a hamlet (pop {population}) and nothing nearby is mentioned"
    PERSONAL_NAME_SMALL_PLACE = "'{word}' is a common personal name and {place} a small place"


PERSON = frozenset(d for d in Drop if d.name.startswith("PERSON_"))
# person patterns strong enough to read the same name as a person everywhere in the document
STRONG_PERSON = frozenset({Drop.PERSON_AFTER_TITLE, Drop.PERSON_SURNAME_AFTER_INITIAL,
                           Drop.PERSON_SURNAME_AFTER_GIVEN, Drop.PERSON_APPOSITION, Drop.PERSON_AGE})
# weak reasons that ", <place>" right after the name overrides ("Jackson, Mississippi")
RESCUED_BY_COMMA = frozenset({Drop.PERSON_FOLLOWS_CAPITALISED, Drop.COMMON_WORD_SENTENCE_START,
                              Drop.COMMON_WORD, Drop.COMMON_WORD_SMALL_PLACES})


class Dropped(NamedTuple):
    """A drop decision: its code and the words its evidence quotes."""

    code: Drop
    detail: tuple[tuple[str, object], ...] = ()

    @property
    def text(self) -> str:
        return self.code.value.format(**dict(self.detail))

    def __str__(self) -> str:
        return self.text


def drop(code: Drop, **detail: object) -> Dropped:
    """drop(Drop.STREET_NAME, word="Avenue") -> a decision whose text quotes 'Avenue'. A
    decision that quotes nothing is one shared object per reason (names are dropped by the
    thousand, and every object kept is one more for the garbage collector to walk)."""
    if not detail:
        return _PLAIN_DROPS[code]
    return Dropped(code, tuple(detail.items()))


_PLAIN_DROPS = {code: Dropped(code) for code in Drop}
