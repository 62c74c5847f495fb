"""Recognition: candidate place spans in a text, with the reason each kept one is a place.

`find_candidates` runs the gazetteer automaton over case- and accent-folded text (offsets
are kept: `geo.textnorm.fold` maps one character to one), keeps leftmost-longest matches on
word boundaries, and `classify_candidates` applies general filters (case, common words,
person names, organisations, dates, abbreviations) and tags demonyms, modifiers and
organisation-embedded mentions. Nothing here is keyed to a particular document or name.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from typing import Any

from geo import name_verdict
from geo.geoparse_index import (
    KIND_CODE,
    KINDS,
    WORD_MARK,
    Entry,
    GazetteerIndex,
    PlaceRow,
)
from geo.name_verdict import ABBREVIATION, NameProfile
from geo.nlp import lexicon
from geo.nlp.around import NOTHING, read_around
from geo.nlp.context import (
    comma_follower,
    is_capitalised,
    is_sentence_start,
    line_is_shouting,
    word_before,
)
from geo.reasons import RESCUED_BY_COMMA, STRONG_PERSON, Drop, Dropped, drop
from geo.textnorm import beyond_latin1, fold_blanks, normalize

NAME, DEMONYM, ASCII, ALT, ABBR, ISO, AFTER_COMMA, PRESS = (KIND_CODE[k] for k in KINDS)
BIG_REGION = 1_000_000
STREET = re.compile(  # matched at a position, not searched
    r"(?:\s+[A-Z][\w'’-]*)?\s+(Street|St\.|Avenue|Ave\.?|Road|Rd\.|Boulevard|Blvd\.?|Drive|Dr\.|"
    r"Lane|Ln\.|Pike|Parkway|Pkwy\.?|Square)(?!\w)"
)


@dataclass(slots=True)  # thousands per long text: slots make them small and quick to make
class Candidate:
    """A span that matched gazetteer names, and what recognition decided about it."""

    start: int
    end: int
    surface: str
    key: str  # folded name that matched
    entries: tuple[Entry, ...]
    kind: str = "toponym"
    modifier: str | None = None
    modifier_start: int | None = None  # span start including the modifier word
    drop: Dropped | None = None  # why this is not a place mention (None = kept)
    # what the rules noted (add with note()); a tuple until the first note, as most have
    # none: no list made for each of the thousands of candidates of a long text
    notes: list[str] | tuple[()] = ()
    in_county_list: bool = False  # "Becker, Clay and Wilkin counties": the text says what it is
    comma_next: Candidate | None = None  # "Culiacán, Sinaloa": the container after the comma

    def note(self, text: str) -> None:
        """Add a note to the evidence (why a rule decided as it did)."""
        if self.notes:
            self.notes.append(text)
        else:
            self.notes = [text]

    @property
    def kept(self) -> bool:
        return self.drop is None

    @property
    def dropped(self) -> str | None:
        """The evidence text of the drop decision (None = kept)."""
        return None if self.drop is None else self.drop.text


def prepare(text: str) -> str:
    """Folded copy used for matching: same length, line breaks and tabs as spaces."""
    return fold_blanks(text)


def _in_hashtag(text: str, pos: int) -> bool:
    m = re.search(r"#\w*$", text[max(0, pos - 40):pos])
    return m is not None


def _start_ok(text: str, s: int) -> bool:
    if s == 0:
        return True
    prev = text[s - 1]
    if prev.isalnum():
        return False
    # "O'Hare", "d'Ivoire" glue: an apostrophe between letters is inside a word
    return not (prev in "'’" and s >= 2 and text[s - 2].isalpha())


def _end_ok(text: str, e: int) -> bool:
    if e >= len(text):
        return True
    nxt = text[e]
    if nxt.isalnum():
        # "#FergusonDecision": a camel-case hashtag joins words without spaces
        return nxt.isupper() and text[e - 1].islower() and _in_hashtag(text, e)

    return not (nxt in "'’" and e + 1 < len(text) and text[e + 1].isalpha() and text[e + 1] not in "sS")


# where a name can start, with its first word: a capital (or any non-ASCII letter, checked
# with isupper()) at a word start, or a hashtag (the name starts on the letter after '#').
# Two patterns that each open on a character class, so the regex engine can skip ahead to
# the next possible first character (a leading look-behind or alternation would make it try
# every position); together they find what r"(?<!\w)[^\W\d_a-z][^\W_]*|#[^\W_]+" finds.
# The first character is looked for by code point range (A-Z or beyond ASCII), which the
# engine tests far faster than a Unicode class, and only then checked as a letter by the
# look-behind (?<=[^\W\d_]); (?<!\w.): no word character before it.
_NAME_WORD = re.compile(r"[A-Z\x80-\U0010ffff](?<=[^\W\d_])(?<!\w.)[^\W_]*")
_HASHTAG = re.compile(r"#[^\W_]+")
_match_span = re.Match.span


def _word_classes() -> bytes:
    """A bytes.translate table for Latin-1 text: 'A' for a character _NAME_WORD can start
    on, 'a' for the other letters and digits, '_' for the underscore, ' ' for the rest."""
    out = bytearray()
    for code in range(256):
        ch = chr(code)
        if ("A" <= ch <= "Z" or code >= 0x80) and ch.isalnum() and not ch.isdecimal():
            out += b"A"
        elif ch.isalnum():
            out += b"a"
        else:
            out += b"_" if ch == "_" else b" "
    return bytes(out)


_WORD_CLASSES = _word_classes()
# _NAME_WORD on the classes of " " + a Latin-1 text: one literal prefix that the regex engine
# searches for quickly, where _NAME_WORD tests a character class at every position
_CLASSED_NAME_WORD = re.compile(rb" A[Aa]*")


LATIN1_STAND_INS_MAX = 16  # distinct characters beyond Latin-1 replaced (one copy of the text each)


def _as_latin1(text: str, beyond: set[str]) -> bytes | None:
    """text as Latin-1 bytes, each character beyond Latin-1 (beyond: those of the text)
    replaced by one of the same word class (a letter by 'À', a decimal digit by '0',
    anything else by a blank; by '?' when none is a letter or digit, as the encoder's own
    replacement does in the same pass): what _WORD_CLASSES needs. None when the text has
    too many such characters to replace."""
    if not beyond:
        return text.encode("latin-1")
    if not any(ch.isalnum() for ch in beyond):  # quotes and dashes, mostly
        return text.encode("latin-1", "replace")
    if len(beyond) > LATIN1_STAND_INS_MAX:
        return None
    for ch in beyond:
        text = text.replace(ch, ("\xc0" if not ch.isdecimal() else "0") if ch.isalnum() else " ")
    return text.encode("latin-1")


def _name_word_spans(masked: str) -> list[tuple[int, int]]:
    """(start, end) of every capitalised word at a word start and every hashtag, in order;
    the word right after a hashtag's '#' is part of the hashtag."""
    return _scan_words(masked, beyond_latin1(masked))[0]


def _scan_words(masked: str, beyond: set[str]) -> tuple[list[tuple[int, int]], bytes | None]:
    """_name_word_spans, and the word classes of " " + masked (see _WORD_CLASSES) when the
    text has them (None for a text with too many characters beyond Latin-1; beyond: those
    of the text, beyond_latin1(masked))."""
    latin = _as_latin1(masked, beyond)
    if latin is None:
        classes = None
        words = [m.span() for m in _NAME_WORD.finditer(masked)]
    else:  # its characters' classes, one byte each, scanned as bytes
        classes = b" " + latin.translate(_WORD_CLASSES)
        words = [(s, e - 1) for s, e in map(_match_span, _CLASSED_NAME_WORD.finditer(classes))]
    if "#" in masked:
        tags = [m.span() for m in _HASHTAG.finditer(masked)]
        if tags:
            inside = {s + 1 for s, _ in tags}
            words = sorted([w for w in words if w[0] not in inside] + tags)
    return words, classes

_ALNUM_RUN = re.compile(r"[^\W_]*")
_GLUE = "'’"  # an apostrophe after a name may glue it to the next word (see _end_ok)


def find_candidates(text: str, masked: str, index: GazetteerIndex) -> list[Candidate]:
    """Leftmost-longest gazetteer matches on word boundaries (masked = markup blanked).

    From each capitalised word start, walk forward one word boundary at a time while the
    span is still the start of some name, and keep the longest span that is a name.
    A word as written, and a pair of words, map to their key codes once
    (`GazetteerIndex.first_word_codes`, a small dict where the index's keys are many and
    scattered in memory), so most words cost one look-up; hashtags take the general path.
    """
    beyond = beyond_latin1(masked)  # (found once for the fold and the word scan)
    folded = fold_blanks(masked, beyond)
    keys = index.key_ids
    codes = index.first_word_codes
    cached_entries = index.cached_entries
    n = len(masked)
    words, classes = _scan_words(masked, beyond)
    # the run of letters and digits from p ends at blank_at(b" ", p + 1) - 1: a C search
    # where a regex match costs a call and a match object
    blank_at = _alnum_marks(masked, classes).find
    out: list[Candidate] = []
    last_end = -1
    for s, e in words:
        if s < last_end:
            continue
        word = masked[s:e]
        code = codes.get(word)
        if code is None:
            code = _first_word_code(word, folded[s:e], keys)
            if len(codes) >= FIRST_WORD_CODES_MAX:
                codes.clear()
            codes[word] = code
        if not code:
            continue  # no name starts with this word
        if code < 0:  # a hashtag
            found = _hashtag_candidate(text, masked, folded, s, e, index)
            if found is not None:
                out.append(found)
                last_end = found.end
            continue
        if s >= 2 and masked[s - 1] in "'’" and masked[s - 2].isalpha():
            continue  # "O'Hare", "d'Ivoire": an apostrophe between letters is inside a word
        best = -1
        # a one-word span ends before a character that is not a letter or digit: only a
        # gluing apostrophe can make it no word end (_end_ok)
        if code & 1 and (e >= n or masked[e] not in _GLUE or _end_ok(masked, e)):
            best, best_key = e, code >> 2
        if code & 2 and e < n:
            # the first step of the walk: most stop there ("The man"), so a pair of words
            # as written maps to its code once too (0: no name starts with the pair)
            first_end, p = e, e + 1
            e = blank_at(b" ", p + 1) - 1
            if e > p:  # (an empty second word leaves the code to the character after it)
                pair = masked[s:e]
                code = codes.get(pair)
                if code is None:
                    if len(codes) >= FIRST_WORD_CODES_MAX:
                        codes.clear()
                    code = codes[pair] = keys.get(_marked_pair(folded, s, first_end, e), 0)
            else:
                code = keys.get(_marked_pair(folded, s, first_end, e), 0)
            lookup = ""  # the walk's key, made when it goes past the pair (most stop there)
            while code:
                # (_end_ok's common case inline: the span ends before a blank or punctuation)
                if code & 1 and ((e < n and masked[e] not in _GLUE and not masked[e].isalnum()) or _end_ok(masked, e)) \
                        and (" " not in folded[s:e] or _last_word_capitalised(masked[s:e])):
                    best, best_key = e, code >> 2
                if not code & 2 or e >= n:
                    break
                lookup = lookup or _marked_pair(folded, s, first_end, e)
                p = e + 1  # the separator at e is marked when a word follows it
                sep = WORD_MARK if p < n and (folded[p].isalnum() or folded[p] == "_") else folded[e]
                e = blank_at(b" ", p + 1) - 1
                lookup = lookup + sep + folded[p:e]
                code = keys.get(lookup)
        if best < 0:
            continue
        entries = cached_entries(best_key) or index.entries_of(best_key)
        out.append(Candidate(s, best, text[s:best], folded[s:best], entries))
        last_end = best
    return out


FIRST_WORD_CODES_MAX = 200_000


def _alnum_marks(masked: str, classes: bytes | None) -> bytes:
    """" " + one byte per character of masked + " ": a blank where the character is not a
    letter or digit (what ends a run of _ALNUM_RUN), else a letter; from the word classes
    when the text has them."""
    if classes is None:
        return b" " + bytes(0x61 if ch.isalnum() else 0x20 for ch in masked) + b" "
    return (classes.replace(b"_", b" ") if b"_" in classes else classes) + b" "


def _marked_pair(folded: str, s: int, first_end: int, e: int) -> str:
    """The key of folded[s:e], a first word (ending at first_end) and the word after it:
    word starts marked, as in the index (the separator is marked when a word follows it)."""
    p = first_end + 1
    sep = WORD_MARK if p < len(folded) and (folded[p].isalnum() or folded[p] == "_") else folded[first_end]
    return WORD_MARK + folded[s:first_end] + sep + folded[p:e]


def _first_word_code(word: str, folded_word: str, keys: dict[str, int]) -> int:
    """The key code of a first word as written: -1 for a hashtag (the general path), 0 when
    no name starts with it (or it cannot start one: a non-ASCII first character that is not a
    capital letter), else the index's code (id * 4 + flags)."""
    first = word[0]
    if first == "#":
        return -1
    if first > "~" and not (first.isupper() and first.isalpha()):
        return 0
    return keys.get(WORD_MARK + folded_word, 0)


def _hashtag_candidate(text: str, masked: str, folded: str, s: int, e: int,
                       index: GazetteerIndex) -> Candidate | None:
    """The longest name from a hashtag's first letter: "#SonoraFloods" -> Sonora, "#Texas" -> Texas."""
    keys = index.key_ids
    n = len(masked)
    s += 1
    if not masked[s].isalpha():
        return None
    best = -1
    best_key = 0
    for ce in range(s + 1, min(e, s + 40)):  # "#SonoraFloods": camel case joins words
        if masked[ce].isupper() and masked[ce - 1].islower():
            ccode = keys.get(WORD_MARK + folded[s:ce], 0)
            if ccode & 1:
                best, best_key = ce, ccode >> 2
    lookup = WORD_MARK + folded[s:e]
    code = keys.get(lookup)
    while code is not None:
        if code & 1 and ((e < n and masked[e] not in _GLUE and not masked[e].isalnum()) or _end_ok(masked, e)) \
                and (" " not in folded[s:e] or _last_word_capitalised(masked[s:e])):
            best, best_key = e, code >> 2
        if not code & 2 or e >= n:
            break
        p = e + 1
        sep = WORD_MARK if p < n and (folded[p].isalnum() or folded[p] == "_") else folded[e]
        e = _ALNUM_RUN.match(masked, p).end()
        lookup = lookup + sep + folded[p:e]
        code = keys.get(lookup)
    if best < 0:
        return None
    entries = index.cached_entries(best_key) or index.entries_of(best_key)
    return Candidate(s, best, text[s:best], folded[s:best], entries)


def best_level(c: Candidate, index: GazetteerIndex, kinds: tuple[int, ...] | None = None) -> str:
    """The highest level among the candidate's places (country > region > admin1 > ...)."""
    return index.facts(c.entries).level(kinds)


def max_population(c: Candidate, index: GazetteerIndex) -> int:
    return index.facts(c.entries).max_pop


@dataclass(slots=True, eq=False)
class CodeFacts:
    """What the code rules ask of a code (a short name) that depends on it as written and on
    its entries alone: worked out once per name (cached in its NameInfo)."""

    comma_only: bool  # its entries are "Springfield, IL" codes only
    capitals: bool  # written in capitals ("UK", "U.S.")
    dotted: bool  # "U.S.": written as a code
    two_letters: bool
    kept_alone: bool  # two letters a US state's postal code that is no word, or press usage ("US")
    common_word: bool  # more letters, and a common word


def _code_facts(surface: str, entries: tuple[Entry, ...], index: GazetteerIndex) -> CodeFacts:
    letters = surface.replace(".", "").replace(" ", "")
    kinds = index.facts(entries).kinds
    low = letters.lower()
    zipf = lexicon.common_word_zipf()
    two = len(letters) == 2
    # "NY", "TX": press and social-media shorthand for US states; "US", "UK": press usage
    # (from geo/data/geoparse_aliases.tsv)
    kept_alone = two and ((_us_state_code(entries, index) and low not in zipf and low not in _STATE_CODE_WORDS)
                          or PRESS in kinds)
    # "W.Va.": a dotted press abbreviation written as the press writes it counts as capitals
    capitals = letters.isupper() or ("." in surface and PRESS in kinds and letters[:1].isupper())
    return CodeFacts(kinds == {AFTER_COMMA}, capitals, "." in surface, two, kept_alone,
                     not two and zipf.get(low, 0) >= 3.0)


def _check_abbreviation(text: str, c: Candidate, code: CodeFacts) -> Dropped | None:
    """Short codes are places only when written as codes: 'U.S.', 'UK', 'Springfield, IL'
    (code: the name's CodeFacts)."""
    s = c.start
    if code.comma_only:
        return None if _after_comma(text, s) else drop(Drop.STATE_ABBR_OUTSIDE_COMMA)
    if not code.capitals:
        return drop(Drop.ABBR_NOT_CAPITALS)
    if code.dotted:
        return None
    if _NUMBER_NEXT.match(text, c.end, c.end + 2) or text[s - 1:s] == "$":
        return drop(Drop.CODE_BEFORE_NUMBER)
    if line_is_shouting(text, s, c.end):
        return drop(Drop.HEADLINE_CAPITALS)
    if code.two_letters:
        if code.kept_alone or (_after_comma(text, s) and _previous_candidate_is_place(text, c)):
            return None
        return drop(Drop.TWO_LETTER_CODE_ALONE)
    return drop(Drop.CODE_IS_COMMON_WORD) if code.common_word else None


def _after_comma(text: str, s: int) -> bool:
    """A comma right before s, or a comma and a blank."""
    return s > 0 and (text[s - 1] == "," or (s >= 2 and text[s - 2:s] == ", "))


# postal codes that are also words or everyday abbreviations: only trusted after "Place, "
_STATE_CODE_WORDS = frozenset("in or me ok hi oh al la ma pa de co id mo ga ms md mt ne nd sd ut va wa ri ct ak".split())


_NUMBER_NEXT = re.compile(r"-?\d|\$")


def _us_state_code(entries: tuple[Entry, ...], index: GazetteerIndex) -> bool:
    return any(row is not None and row.level == "admin1" and row.country == "US"
               for row in index.facts(entries).rows)


def _previous_candidate_is_place(text: str, c: Candidate) -> bool:
    before = word_before(text, c.start - 2)
    return bool(before and is_capitalised(before[0]))


def classify_candidates(text: str, cands: list[Candidate], index: GazetteerIndex) -> list[Candidate]:
    """Mark each candidate kept or dropped (with a reason) and set kind/modifier.

    What depends on the name alone comes from its cached NameInfo; the context is read only
    for names that no name-level rule settled, and only where the character next to the
    name lets a rule apply (a quote before it, a blank after it for a street, ...).
    """
    zipf = lexicon.common_word_zipf()
    if " City " in text:
        _city_of_an_office(text, cands, index)
    place_starts: set[int] = set()
    sure_places: set[int] = set()
    infos = _name_infos(text, cands, index, zipf, place_starts, sure_places)
    lower_words: dict[str, bool] = {}  # name -> written in lower case somewhere here (asked once)
    # what whole-text patterns need at all (a cheap look first saves a regex per candidate)
    county_words = _county_word_starts(text)
    person_keys: set[str] = set()  # names read as a person by a strong pattern
    for c, info in zip(cands, infos, strict=True):
        if county_words and _county_list_entries(text, c, index, county_words):
            continue  # "Becker, Clay and Wilkin counties": the text says what they are
        c.entries = info.narrowed  # the written form may narrow them ("Scott" without its county)
        verdict = info.form  # how the name is written: case, dates, agencies, titles, codes
        c.drop = _check_abbreviation(text, c, info.code) if verdict is ABBREVIATION else verdict
        if c.drop:
            continue
        prof = info.profile
        if prof.demonym:
            c.kind = "demonym"
            c.entries = info.demonym_entries
            continue
        s = c.start
        prv = text[s - 1] if s else ""
        if prof.common and prv != "#":  # a common English word (a hashtag is meant as a name)
            # (is_sentence_start's common case first: a word and one blank before the name)
            if prof.sentence_drop and not (prv == " " and s >= 2 and text[s - 2].isalnum()) \
                    and is_sentence_start(text, s):
                c.drop = prof.sentence_drop
                continue
            if prof.word_drop:
                c.drop = prof.word_drop
                continue
            if prof.lower_drop and _lower_case_here(text, c.key, lower_words):
                c.drop = prof.lower_drop
                continue
        if prof.weak_alt:
            c.drop = prof.weak_alt
            continue
        if prv == "#" and prof.personal and not prof.high and not prof.big:
            surname = _camel_surname_after(text, c)
            if surname:  # "#MichaelBrown", "#TrayvonMartin": a person's name as a hashtag
                c.drop = drop(Drop.PERSON_GIVEN_NAME_BEFORE, word=surname)
                continue
        if prv in _QUOTES and not prof.high and not prof.big and _quoted(text, c):
            c.drop = drop(Drop.QUOTED_SMALL_PLACE)
            continue
        e = c.end
        nxt = text[e:e + 2]
        # (_street_after's first test inline: a blank, then a capital or another blank)
        if nxt and nxt[0].isspace() and (nxt[0] != " " or "A" <= nxt[1:] <= "Z" or nxt[1:].isspace()):
            street = _street_after(text, e)
            if street:
                c.drop = drop(Drop.STREET_NAME, word=street)
                continue
        around = read_around(text, s, e, c.key, prof.high, prof.personal, place_starts, sure_places)
        if around is NOTHING:
            continue
        if around.drop:
            c.drop = around.drop
            if c.drop.code in STRONG_PERSON:
                person_keys.add(c.key)
        elif around.org:
            c.kind = "org_embedded"
            c.note(f"inside organisation name ('{around.org}')")
        elif around.modifier:
            c.modifier, c.modifier_start = around.modifier
    _link_commas(text, cands, index)
    _propagate_person_names(cands, index, person_keys)
    return cands


_CAMEL_WORD = re.compile(r"[A-Z][a-z]+")


def _camel_surname_after(text: str, c: Candidate) -> str | None:
    """The surname glued to a given name in a hashtag ("Brown" in "#MichaelBrown"), if the name
    is a given name; not a word glued to a place ("#FergusonOctober")."""
    m = _CAMEL_WORD.match(text, c.end)
    if m is None or c.key not in lexicon.first_names() or m.group().lower() not in lexicon.surnames():
        return None
    return m.group()


# a town's offices, written after "<town> City" ("Dublin City Council", "Springfield City Schools")
_OFFICE_AFTER_CITY = re.compile(
    r" (?:Council|Councilman|Councilwoman|Councilmember|Commission|Commissioners?|Manager|Hall|Attorney|Clerk|"
    r"Schools?|Police|Court|Board|Government|Administrator|Engineer|Treasurer|Auditor|Marshal|Library|Utilities)\b")


def _city_of_an_office(text: str, cands: list[Candidate], index: GazetteerIndex) -> None:
    """"Dublin City Council": "City" belongs to the office, not to the name. A match "<X> City"
    before such an office that no town has as its own name ("Dublin City" is an alternate name
    of Dublin, Ireland, and the Irish county's own) gives way to "<X>"; "Kansas City Council"
    stays Kansas City."""
    for i, c in enumerate(cands):
        if not c.surface.endswith(" City") or not _OFFICE_AFTER_CITY.match(text, c.end):
            continue
        if any(kind in (NAME, ASCII) and (row := index.places.get(place_id)) is not None and row.level == "place"
               for place_id, kind in c.entries):
            continue
        end = c.end - len(" City")
        entries = index.entries(normalize(text[c.start:end]))
        if entries:
            cands[i] = Candidate(c.start, end, text[c.start:end], c.key[:-len(" city")], entries)


def _name_infos(text: str, cands: list[Candidate], index: GazetteerIndex, zipf: dict[str, float],
                place_starts: set[int], sure_places: set[int]) -> list[NameInfo]:
    """name_info of every candidate (one cache look-up each for the names seen before), in
    the same pass adding where each starts to place_starts, and to sure_places if sure."""
    memo_get = index.name_memo.get
    infos: list[NameInfo] = []
    add_info, add_start, add_sure = infos.append, place_starts.add, sure_places.add
    hashtags = "#" in text  # (a name behind '#' has its own NameInfo)
    for c in cands:
        s = c.start
        info = memo_get(c.surface)
        if info is None or info.entries is not c.entries or info.key != c.key or \
                (hashtags and s and text[s - 1] == "#"):
            info = name_info(text, c, index, zipf)
        add_info(info)
        add_start(s)
        if info.sure:
            add_sure(s)
    return infos


@dataclass(slots=True)  # read for every candidate: slotted fields are read by a specialised instruction
class NameInfo:
    """What classification decides about a matched name from the name as written alone
    (before reading its context): worked out once per name, written form and hashtag."""

    key: str  # the folded name and
    entries: tuple[Entry, ...]  # the entries as matched (the cache is valid for these)
    sure: bool  # not a personal name, or the name (not an alternate one) of a country/region/admin-1
    form: Any  # name_verdict.written_form's verdict: a Dropped, None, or ABBREVIATION
    narrowed: tuple[Entry, ...]  # the entries the written form leaves
    profile: NameProfile | None  # the profile of the narrowed entries (None: the form drops it)
    demonym_entries: tuple[Entry, ...] | None  # a demonym's: the narrowed entries that are demonyms
    code: CodeFacts | None  # a code's (form ABBREVIATION)


NAME_INFO_MAX = 100_000


def name_info(text: str, c: Candidate, index: GazetteerIndex, zipf: dict[str, float]) -> NameInfo:
    """The cached NameInfo of a candidate (text: the text it was found in)."""
    hashtag = c.start > 0 and text[c.start - 1] == "#"
    memo = index.name_memo
    k = "#" + c.surface if hashtag else c.surface  # keyed by the written form (the key is checked)
    info = memo.get(k)
    if info is None or info.entries is not c.entries or info.key != c.key:
        if len(memo) >= NAME_INFO_MAX:
            memo.clear()
        key, surface, entries = c.key, c.surface, c.entries
        first_upper, capitals = surface[0].isupper(), surface.isupper()
        # the usual written form: what it decides was packed per key when the index was built
        decided = name_verdict.coded(key, entries, index) if first_upper and not capitals and not hashtag else None
        if decided is None:
            decided = name_verdict.decide(key, entries, name_verdict.packed_facts(entries, index), first_upper,
                                          capitals, hashtag, index, zipf)
        sure, verdict, narrowed, profile = decided
        demonyms = index.derived(narrowed, "demonyms", _is_demonym) if profile is not None and profile.demonym else None
        code = _code_facts(surface, narrowed, index) if verdict is ABBREVIATION else None
        info = memo[k] = NameInfo(key, entries, sure, verdict, narrowed, profile, demonyms, code)
    return info


def _is_demonym(e: Entry, row: PlaceRow | None) -> bool:
    return e[1] == DEMONYM  # (place_id, kind)


def _lower_case_here(text: str, key: str, lower_words: dict[str, bool]) -> bool:
    """_written_in_lower_case, asked once per name and text (lower_words: the answers so far)."""
    found = lower_words.get(key)
    if found is None:
        found = lower_words[key] = _written_in_lower_case(text, key)
    return found


def _written_in_lower_case(text: str, word: str) -> bool:
    """word (three or more letters a-z) stands alone somewhere in text, in lower case: what
    `word in set(re.findall(r"\b[a-z]{3,}\b", text))` asks, without listing every word of
    the text (a substring search finds most names only capitalised, so it stops there)."""
    if len(word) < 3 or not (word.isascii() and word.isalpha() and word.islower()):
        return False
    n, at = len(word), text.find(word)
    while at >= 0:
        end = at + n
        # \b on both sides: no word character (letter, digit, underscore) next to it
        if (at == 0 or not _word_char(text[at - 1])) and (end == len(text) or not _word_char(text[end])):
            return True
        at = text.find(word, at + 1)
    return False


def _word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _last_word_capitalised(surface: str) -> bool:
    last = surface.split()[-1]
    return any(ch.isupper() for ch in last) or last[:1].isdigit()


# the rest of a list of names that ends in "counties" / "parishes": ", Clay and Wilkin counties"
_COUNTY_LIST_TAIL = re.compile(
    r"(?:\s*(?:,|/|&|\band\b|\bor\b)\s*(?:and\s+|or\s+)?[A-Z][\w'.-]*(?:\s+[A-Z][\w'.-]*){0,2}){0,12}"
    r",?\s+(?:and\s+)?(?:counties|parishes|Counties|Parishes)\b")


COUNTY_LIST_REACH = 300  # how far after a name _COUNTY_LIST_TAIL reads


def _county_word_starts(text: str) -> list[int]:
    """Where "(c)ounties" and "(p)arishes" occur in text, in order (what _COUNTY_LIST_TAIL ends on)."""
    starts = []
    for word in ("ounties", "arishes"):
        at = text.find(word)
        while at >= 0:
            starts.append(at)
            at = text.find(word, at + 1)
    return sorted(starts)


def _county_list_entries(text: str, c: Candidate, index: GazetteerIndex, county_words: list[int]) -> bool:
    """A capitalised name in a list that ends in "counties" or "parishes" names counties:
    keep only its county readings (even for surnames and common words like Clay or Grant).
    county_words: _county_word_starts(text); the pattern runs only where one is in its reach."""
    e = c.end
    i = bisect_left(county_words, e)
    if i == len(county_words) or county_words[i] > e + COUNTY_LIST_REACH or not c.surface[:1].isupper() \
            or not _COUNTY_LIST_TAIL.match(text, e, e + COUNTY_LIST_REACH):
        return False
    counties = index.derived(c.entries, "counties", _is_county)
    if not counties:
        return False
    c.entries = counties
    c.in_county_list = True
    c.note("named in a list of counties")
    return True


def _is_county(e: Entry, row: PlaceRow | None) -> bool:
    return row is not None and row.level == "admin2"


def _quoted(text: str, c: Candidate) -> bool:
    """The name alone between quotation marks: "El Chapo", “Fargo”."""
    if c.start == 0 or text[c.start - 1] not in _QUOTES:
        return False
    after = text[c.end:c.end + 2]
    return bool(after) and (after[0] in _QUOTES or (after[0] in ",." and after[1:] in _QUOTES))


_QUOTES = set('"“”\'‘’«»')


def _street_after(text: str, end: int) -> str | None:
    # STREET opens on blanks and then a capital: no blank, or a blank and anything else, cannot match
    n = len(text)
    if end >= n:
        return None
    if text[end] == " ":
        if end + 1 < n and not ("A" <= text[end + 1] <= "Z" or text[end + 1].isspace()):
            return None
    elif not text[end].isspace():
        return None
    m = STREET.match(text, end, end + 60)
    return m.group(1) if m else None


def _link_commas(text: str, cands: list[Candidate], index: GazetteerIndex) -> None:
    """Attach "Culiacán, Sinaloa": a kept candidate right after ', ' is a possible container."""
    if "," not in text:
        return
    # comma_follower needs a comma right after the name (text[end] is read as one character,
    # which costs less than text.startswith(",", end); a padded end keeps it in range); the
    # candidates are in text order and none starts on a comma or a blank, so a follower is
    # the next candidate
    padded = text + " "
    for c, nxt in [(c, d) for c, d in zip(cands, cands[1:], strict=False) if padded[c.end] == ","]:
        if comma_follower(text, c.end) != nxt.start:
            continue
        if nxt.drop and nxt.drop.code is Drop.STATE_ABBR_OUTSIDE_COMMA:
            nxt.drop = None
        if nxt.kept and (c.drop is None or c.drop.code in RESCUED_BY_COMMA
                         or (c.drop.code is Drop.ALT_NAME_PERSONAL and _same_country(c, nxt, index))):
            c.comma_next = nxt
            if not c.kept:
                c.drop = None
                c.note("rescued by ', <place>'")


def _same_country(c: Candidate, nxt: Candidate, index: GazetteerIndex) -> bool:
    """Some place of c lies in a country of nxt's places: "Larissa, Greece" is the town, while
    "Sam, London-based" leaves Sam (Damascus, by an alternate name) a person."""
    countries = {row.country for row in index.facts(nxt.entries).rows if row is not None}
    return any(row is not None and row.country in countries for row in index.facts(c.entries).rows)


def _propagate_person_names(cands: list[Candidate], index: GazetteerIndex, person_keys: set[str]) -> None:
    """One sense per document: a name used for a person (person_keys: the names a strong
    person pattern dropped) is a person everywhere in it."""
    if not person_keys:
        return
    for c in [c for c in cands if c.key in person_keys]:
        if c.drop is None and c.comma_next is None and c.kind == "toponym":
            # a country or a big state keeps its own sense ("Georgia Smith" vs "Georgia")
            level = best_level(c, index, (NAME, ASCII, ALT, ABBR))
            if level in ("country", "region") or (level == "admin1" and max_population(c, index) >= BIG_REGION):
                continue
            c.drop = drop(Drop.PERSON_ELSEWHERE)
