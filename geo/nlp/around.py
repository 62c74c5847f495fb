"""The rules that read the words around a matched name: person patterns ("Mr. Jordan",
"Scott Davis", "Smith, 34,"), organisation heads ("Sinaloa Cartel", "Bank of America") and
directional modifiers ("southern Texas").

What a rule asks about a neighbouring word depends on that word alone, so it is worked out
once per distinct word (`WordBefore`, `WordAfter`, kept in bounded caches) and each mention
costs a few lookups; the regular expressions run only where the character after the name
opens them (a comma, an apostrophe).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

from geo.nlp import lexicon
from geo.nlp.context import WINDOW, strip_possessive, word_before
from geo.reasons import Drop, Dropped, drop
from geo.textnorm import fold

COMMON_MID = 4.9  # Zipf above which a capitalised given name is a common word, not a name
WORD_CACHE_MAX = 50_000


@cache
def person_lists() -> tuple[lexicon.WordSet, lexicon.WordSet, dict[str, float]]:
    """Given names, surnames and word frequencies."""
    return lexicon.first_names(), lexicon.surnames(), lexicon.common_word_zipf()


def folded_word(word: str) -> str:
    """fold(word).lower() for a word from word_before / word_after (no backquote in it: an
    ASCII one folds by lower-casing alone)."""
    return word.lower() if word.isascii() else fold(word).lower()


# read for thousands of names per text: slotted classes, whose fields the interpreter reads by
# a specialised instruction (a NamedTuple's field goes through the generic attribute look-up);
# words with the same features share one (see _shared): read them, never set them
@dataclass(slots=True, eq=False)
class WordBefore:
    """What the rules ask about the word in front of a name."""

    capitalised: bool
    title: bool  # "Mr.", "Governor": a person follows
    abbreviated: bool  # ends with "."
    initial: bool  # "J."
    plain: bool  # no final . , ' and not a directional word
    given: bool  # a given name that is not a very common word
    rare: bool  # rare as an English word (Zipf < 3), longer than two letters
    speech: bool  # "said", "told"
    modifier: str | None  # "northern", "south-east" (lexicon.MODIFIERS)
    storm: bool  # "Hurricane", "Typhoon": a storm's name follows


@dataclass(slots=True, eq=False)
class WordAfter:
    """What the rules ask about the word behind a name."""

    surname_like: bool  # could be the surname after a given name ("Jordan Smith")
    person_head: bool  # "administration", "campaign": "the Obama administration"
    speech: bool  # "said", "told"
    org: str | None  # the organisation head it is ("Cartel", "University"), as written
    disease: bool  # "disease", "fever": "Lyme disease", "Lassa fever" name a disease


_BEFORE: dict[str, WordBefore] = {}
_AFTER: dict[str, WordAfter] = {}
# the few distinct features, shared by every word that has them: a new word keeps no object
# of its own alive (fewer objects for the garbage collector to walk); keyed by the fields as
# a plain tuple, which hashes and compares in C
_SHARED: dict[tuple, WordBefore | WordAfter] = {}


def _shared(cls: type, fields: tuple):
    found = _SHARED.get(fields)
    if found is None:
        found = _SHARED[fields] = cls(*fields)
    return found


def before_features(word: str) -> WordBefore:
    found = _BEFORE.get(word)
    if found is None:
        names, _surnames, zipf = person_lists()
        full = folded_word(word)
        low = full.rstrip(".") if word.isascii() else folded_word(word.rstrip("."))
        z = zipf.get(low, 0)
        found = _shared(WordBefore, (
            word[0].isupper(),  # capitalised
            low in lexicon.TITLES,  # title
            word.endswith("."),  # abbreviated
            len(word) == 2 and "A" <= word[0] <= "Z" and word[1] == ".",  # initial
            word[-1] not in ".,'’" and low not in lexicon.MODIFIERS,  # plain
            z < COMMON_MID and low in names,  # given
            z < 3.0 and len(low) > 2,  # rare
            full in lexicon.SPEECH_VERBS,  # speech
            lexicon.MODIFIERS.get(full),  # modifier
            full in lexicon.STORM_WORDS))  # storm
        if len(_BEFORE) >= WORD_CACHE_MAX:
            _BEFORE.clear()
        _BEFORE[word] = found
    return found


def after_features(word: str) -> WordAfter:
    found = _AFTER.get(word)
    if found is None:
        if len(_AFTER) >= WORD_CACHE_MAX:
            _AFTER.clear()
        found = _AFTER[word] = _shared(WordAfter, _after_features(word))
    return found


def _after_features(word: str) -> tuple:
    """WordAfter's fields for a word."""
    _names, surnames, zipf = person_lists()
    nxt = strip_possessive(word)
    org = nxt.rstrip(".,")
    bare = word.rstrip(".")  # "..., Campbell said.": the word after keeps a sentence's full stop
    capitalised = nxt[:1].isupper()
    nxt_low = folded_word(nxt) if capitalised else ""  # only a capitalised word can be either
    return (
        (capitalised  # surname_like
         and nxt_low not in lexicon.ORG_HEADS
         and nxt_low not in lexicon.MONTHS_WEEKDAYS
         and not (nxt.endswith((".", "s")) and len(nxt) > 2)  # "Jordan Juniors" is a group; "F." an initial
         and not nxt.isupper()
         and (zipf.get(nxt_low, 0) < 3.5 or nxt_low in surnames)),
        bare in lexicon.PERSON_HEADS,  # person_head
        (bare if bare.isascii() and bare.islower() else folded_word(bare)) in lexicon.SPEECH_VERBS,  # speech
        org if capitalised and folded_word(org) in lexicon.ORG_HEADS else None,  # org
        bare.lower() in lexicon.DISEASE_HEADS)  # disease


class Around(NamedTuple):
    """What the words around a name say: a person (drop), an organisation, a modifier."""

    drop: Dropped | None = None
    org: str | None = None  # "Cartel" in "Sinaloa Cartel", "Bank of" in "Bank of America"
    modifier: tuple[str, int] | None = None  # ("southern", start of the modifier word)


NOTHING = Around()
# ", the son of" (group 1: the word after the article) or ", 34," (no group): one match
# for what were two patterns, a person apposition and an age, both behind a comma
_APPOSITION_OR_AGE = re.compile(r",\s+(?:(?:the|a|an|his|her)\s+(\w+)|\d{1,2},)")
_CLAUSE_END = re.compile(r"\s*[.,;]")
_APOSTROPHES = ("'", "’")  # what _POSSESSION opens on
_POSSESSION = re.compile(
    r"['’]s\s+(?:motion|wife|husband|son|daughter|father|mother|family|attorney|lawyer|office|campaign)\b")
# r"(\w+)\s+of\s+(?:the\s+)?$" searched in the text before a name, written backwards and
# matched on the reversed text: one attempt at its start instead of one per position
_HEAD_OF_REVERSED = re.compile(r"\s+(?:eht\s+)?fo\s+(\w+)")
# word_before's word within a blank-free stretch: the longest tail of word characters and
# . ' ’ & - _, from its first letter ([^\W\d_] takes in the few numeric characters that are not
# letters either: the caller checks)
_WORD_TAIL = re.compile(r"[^\W\d_][\w.'’&-]*\Z")
_WORD_TAIL_END = "_.'’&-"  # what the tail may end on besides letters and digits
# word_after when its gap is one blank (what the rules on the next word ask for)
_ONE_BLANK_WORD = re.compile(r" (\w[\w.'’&-]*)")
TAIL = 40  # how far behind the name the apposition, age and clause patterns read


def read_around(text: str, start: int, end: int, key: str, high: bool, personal: bool,
                place_starts: set[int], sure_places: set[int]) -> Around:
    """The person, organisation and modifier rules for the name text[start:end] (folded: key).

    high: the name has a country, region or admin-1 reading; personal: it is also a given
    name or surname; place_starts: where any gazetteer name starts in the text; sure_places:
    those that are not also personal names (so "Scott Davis" is a person, "Dallas Texas" not).
    """
    prv = text[start - 1] if start else ""
    # the word before matters only behind blanks: after other characters word_before finds
    # nothing, or a word ending in punctuation that no rule below accepts
    # (word_before's word, start and gap as three names: no tuple for the common case)
    bword = before = None
    if prv == " " and start >= 2 and text[start - 2] not in " \t":
        # word_before's common case inline: one blank, and a word of letters and digits; the
        # stretch back to the blank before is cut by rpartition (str.rfind with bounds parses
        # its arguments at some cost, and so does max())
        _, blank, word = text[start - WINDOW if start > WINDOW else 0:start - 1].rpartition(" ")
        if not blank:
            before = word_before(text, start)
        elif word.isalnum() and word[0].isalpha():
            bword, bat, bgap = word, start - 1 - len(word), " "
        else:  # its scan on the blank-free stretch already cut ("U.S.", "said,", "(AP)")
            before = _word_in_stretch(text, start, word, start - 1 - len(word))
    elif prv in " \t" or prv.isalnum():
        before = word_before(text, start)
    if before is not None:
        bword, bat, bgap = before
    bf = None if bword is None else (_BEFORE.get(bword) or before_features(bword))
    one_blank_before = bword is not None and bgap == " "
    if one_blank_before and bf.capitalised:
        word, at = bword, bat
        if bf.storm:  # "Storm Dennis", "Hurricane Florence": a storm, named like a person
            return Around(drop(Drop.STORM_NAME, word=word))
        # a title starts a place name only unabbreviated ("General Santos"), never as "Mr." or "Gov."
        if bf.title and (bf.abbreviated or at not in place_starts):
            return Around(drop(Drop.PERSON_AFTER_TITLE, word=word))
        if bf.initial and personal and not high:
            return Around(drop(Drop.PERSON_SURNAME_AFTER_INITIAL, word=word))
        if bf.plain and ((bf.given and at not in sure_places) or _titled_given_name(text, word, at, place_starts)):
            return Around(drop(Drop.PERSON_SURNAME_AFTER_GIVEN, word=word))
        if bf.plain and not high and at not in place_starts and bf.rare:
            return Around(drop(Drop.PERSON_FOLLOWS_CAPITALISED, word=word))
    nxt = text[end:end + 1]
    aword = af = None  # the word after, when one blank away (it starts at end + 1)
    if nxt == " ":  # every rule on the next word wants it one blank away (word_after's gap " ")
        aword = _word_after_blank(text, end)
        if aword is not None:
            af = _AFTER.get(aword) or after_features(aword)
    if af is not None and af.disease:  # (a place's name too: "Rift Valley fever")
        return Around(drop(Drop.DISEASE_NAME, word=f"{text[start:end]} {aword.rstrip('.,')}"))
    if af is not None and af.surname_like and end + 1 not in sure_places and key in person_lists()[0]:
        return Around(drop(Drop.PERSON_GIVEN_NAME_BEFORE, word=strip_possessive(aword)))
    if not high:
        # "Carlos Humberto, the son of ...", "Smith, 34, was arrested"
        if nxt == ",":
            m = _APPOSITION_OR_AGE.match(text, end, end + TAIL)
            if m is not None:
                word = m.group(1)
                if word is None:
                    return Around(drop(Drop.PERSON_AGE))
                if folded_word(word) in lexicon.PERSON_APPOSITIONS:
                    return Around(drop(Drop.PERSON_APPOSITION, word=word))
        elif af is not None:
            if af.person_head:
                return Around(drop(Drop.PERSON_BEFORE_HEAD, word=aword.rstrip(".")))
            if af.speech:
                two_token = one_blank_before and bf.capitalised and bat not in place_starts
                if personal or two_token:
                    return Around(drop(Drop.PERSON_BEFORE_SPEECH, word=aword.rstrip(".")))
        if personal and bf is not None and bf.speech and _CLAUSE_END.match(text, end, end + TAIL):
            return Around(drop(Drop.PERSON_AFTER_SPEECH, word=bword))
        if nxt in _APOSTROPHES and _POSSESSION.match(text, end, end + TAIL):
            return Around(drop(Drop.PERSON_POSSESSIVE))
    org = af.org if af is not None else None
    if org is None and af is not None and aword[:1].isupper():
        org = _org_run_after(text, end)
    # "Bank of America": behind one blank, only "of" or "the" can end that pattern
    if org is None and prv.isspace() and (not one_blank_before or bword == "of" or bword == "the"):
        org = _head_of_before(text, start)
    # "United Russia", a party: a country or state that is no gazetteer name with "United" before it
    # ("United States", "United Kingdom" are matched whole, so never come here)
    if org is None and high and one_blank_before and bword == "United":
        org = "United"
    if org:
        return Around(org=org)
    if one_blank_before and bf.modifier:
        return Around(modifier=(bf.modifier, bat))
    return NOTHING


# "Jalisco New Generation Cartel": one or two more capitalised words between the name and the
# head word of an armed group (no full stop inside: "... Airport. Banks said" is two sentences)
_ORG_RUN = re.compile(r" [A-Z][\w&'’-]*(?: [A-Z][\w&'’-]*)? ([A-Z][\w'’.-]*)")


def _org_run_after(text: str, end: int) -> str | None:
    """The words after a name up to an armed group's head word two or three capitalised words
    on ("New Generation Cartel"), or None. Only armed groups: the place in "Ohio State
    University" or "Kenya Red Cross Society" is where the institution is, as corpora annotate
    it; the place in a cartel's name is not where it strikes."""
    m = _ORG_RUN.match(text, end, end + WINDOW)
    if m is not None and folded_word(strip_possessive(m.group(1)).rstrip(".,")) in lexicon.ARMED_GROUP_HEADS:
        return text[end + 1:m.end()]
    return None


def _titled_given_name(text: str, word: str, at: int, place_starts: set[int]) -> bool:
    """word (at text[at:]) is a given name after a title ("Capt. John", "Sgt. Paul"), however
    common it is as an English word and even where it is also a sure place name: the name after
    it is the surname. A place name there counts when the title makes it a person as
    read_around does for a name (PERSON_AFTER_TITLE: "Sgt." always, "General" only before a
    word that starts no place name)."""
    before = word_before(text, at)
    if before is None or before[2] != " ":
        return False
    bf = _BEFORE.get(before[0]) or before_features(before[0])
    if not (bf.capitalised and bf.title):
        return False
    if folded_word(word) in person_lists()[0]:
        return True
    return at in place_starts and (bf.abbreviated or before[1] not in place_starts)


def _word_after_blank(text: str, end: int) -> str | None:
    """The word after the one blank at text[end] (_ONE_BLANK_WORD's group), or None."""
    # the common case without the regex: letters and digits up to the next blank
    word = text[end + 1:end + WINDOW].partition(" ")[0]
    if word.isalnum():
        return word
    m = _ONE_BLANK_WORD.match(text, end, end + WINDOW)
    return None if m is None else m.group(1)


def _word_in_stretch(text: str, start: int, stretch: str, at: int) -> tuple[str, int, str] | None:
    """word_before(text, start) where one blank precedes start and stretch, starting at `at`,
    is everything between it and the blank before (no blank inside)."""
    last = stretch[-1]
    if not (last.isalnum() or last in _WORD_TAIL_END):  # "said,", "(AP)": no word ends here
        return None
    if last == "." and stretch[0].isalpha() and stretch[:-1].isalnum():  # "said.", "Mr.": all of it
        return stretch, at, " "
    m = _WORD_TAIL.search(stretch)
    if m is None:
        return None
    if not stretch[m.start()].isalpha():  # a numeric character the pattern takes for a letter
        return word_before(text, start)
    return m.group(), at + m.start(), " "


def _head_of_before(text: str, s: int) -> str | None:
    """"Bank of America", "University of the Andes": an organisation head and "of" in front."""
    # the pattern needs "of " or "of the " at the very end: a string test spares the regex
    if s < 2 or not text[s - 1].isspace() or (text[s - 2] not in "fe" and not text[s - 2].isspace()):
        return None
    window = text[max(0, s - 40):s]
    m = _HEAD_OF_REVERSED.match(window[::-1]) if window.rstrip().endswith(("of", "the")) else None
    if m is None:
        return None
    head = m.group(1)[::-1]
    return f"{head} of" if head[:1].isupper() and folded_word(head) in lexicon.ORG_OF_HEADS else None
