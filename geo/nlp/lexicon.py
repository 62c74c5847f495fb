"""Word lists the recognition filters use. Generated lists live in geo/data (see
scripts/build_wordlists.py for their sources); the short closed-class lists are here."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import TypeAlias

# A word list loaded from geo/data, asked only "is this word in it?". Kept as a dict with no
# values rather than a set: the garbage collector never tracks a dict of strings, while it
# tracks every set and, at each full collection, visits each of its tens of thousands of
# strings (cold memory, mid-parse).
WordSet: TypeAlias = dict[str, None]


def word_set(words: list[str]) -> WordSet:
    """A WordSet of these words."""
    return dict.fromkeys(words)

MONTHS_WEEKDAYS = frozenset(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec "
    "monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun".split()
)

# News agencies and outlets named like places or cited at article level.
NEWS_AGENCIES = frozenset(
    "reuters ap afp xinhua upi bloomberg tass itar-tass interfax efe ansa dpa kyodo yonhap bernama "
    "bbc cnn nbc abc cbs fox npr pbs msnbc aljazeera".split()
)

# Words before a capitalised name that make it a person: "President Obama", "Gov. Perry".
TITLES = frozenset(
    "mr mrs ms dr prof president pres vice gov governor sen senator rep representative "
    "mayor judge justice gen general col colonel lt lieutenant sgt sergeant capt captain cpl "
    "officer deputy sheriff detective chief coach rev reverend father sister brother pastor bishop "
    "pope king queen prince princess lord lady sir dame minister secretary ambassador chairman "
    "commissioner councilman councilwoman attorney trooper agent inspector superintendent "
    "principal professor dean director manager spokesman spokeswoman mrs. mr. dr. gov. sen. rep.".split()
)

# A following word that makes "<place> <word>" an organisation: "Sinaloa Cartel", "Texas Rangers".
ORG_HEADS = frozenset(
    "cartel cartels gang mafia rangers university college institute bank banks party "
    "times post tribune herald journal gazette chronicle daily news press magazine telegraph "
    "observer examiner sun star globe courier record register inquirer courant dispatch "
    "inc inc. corp corp. corporation company co co. ltd llc group holdings airlines airways railway "
    "fc club team united athletic athletics "
    "symphony orchestra opera ballet federation association union league conference foundation "
    "fund trust society times-union democrats republicans network radio tv television "
    "broadcasting army navy marines corps".split()
)
# A capitalised word before a name that makes it a storm's: "Hurricane Florence", "Storm Dennis".
STORM_WORDS = frozenset("hurricane typhoon cyclone storm superstorm".split())
# A word after a name that makes it a disease's: "Lyme disease", "Lassa fever", "Rift Valley
# fever" ("virus" and "flu" are left out: "Ohio virus cases" is about Ohio).
DISEASE_HEADS = frozenset("disease diseases fever syndrome encephalitis".split())
# ... and the heads that make one from further on ("Jalisco New Generation Cartel")
ARMED_GROUP_HEADS = frozenset("cartel cartels gang gangs mafia militia militias brigade brigades".split())
# Local government and public services ("Gainesville Police", "Ohio Department of Health",
# "Athens City Council") are not listed: they are jurisdictions, so the name still says where.

# "<head> of <place>" is an organisation: "Bank of America", "University of Texas".
ORG_OF_HEADS = frozenset(
    "times bank university college institute museum church diocese archdiocese academy "
    "federation association conservatory".split()
)

# Relations that follow a person's name: "Carlos Humberto, the son of ...".
PERSON_APPOSITIONS = frozenset(
    "son daughter wife husband father mother brother sister widow widower uncle aunt cousin "
    "nephew niece grandson granddaughter leader boss head founder friend girlfriend boyfriend "
    "partner spokesman spokeswoman lawyer attorney suspect victim owner director".split()
)

# Verbs that follow a person far more often than a place.
SPEECH_VERBS = frozenset("said says told added asked noted explained wrote stated tweeted".split())

# Nouns that follow a politician's name: "the Obama administration", "the Bush campaign".
PERSON_HEADS = frozenset("administration campaign presidency era".split())

# Directional and vague modifiers in front of a region (longest first when matching).
MODIFIERS = {
    "north-east": "north-east", "northeast": "north-east", "north-eastern": "north-east",
    "northeastern": "north-east", "north-west": "north-west", "northwest": "north-west",
    "north-western": "north-west", "northwestern": "north-west", "south-east": "south-east",
    "southeast": "south-east", "south-eastern": "south-east", "southeastern": "south-east",
    "south-west": "south-west", "southwest": "south-west", "south-western": "south-west",
    "southwestern": "south-west", "northern": "northern", "southern": "southern",
    "eastern": "eastern", "western": "western", "central": "central", "north": "northern",
    "south": "southern", "east": "eastern", "west": "western", "upstate": "northern",
    "downstate": "southern",
}


def data_lines(name: str) -> list[str]:
    """The lines of a word list in geo/data, without blank lines and # comments."""
    text = resources.files("geo").joinpath("data", name).read_text(encoding="utf-8")
    return [ln for ln in text.splitlines() if ln and not ln.startswith("#")]


@cache
def zipf_table(name: str) -> dict[str, float]:
    """word -> Zipf frequency from a `word<TAB>zipf` list in geo/data."""
    out: dict[str, float] = {}
    for line in data_lines(name):
        word, _, zipf = line.partition("\t")
        out[word] = float(zipf)
    return out


def common_word_zipf() -> dict[str, float]:
    """English word -> Zipf frequency (7 = 'the', 3 = once per million words)."""
    return zipf_table("common_words.tsv")


@cache
def first_names() -> WordSet:
    """Folded given names."""
    return word_set(data_lines("first_names.txt"))


@cache
def personal_names() -> WordSet:
    """Given names and surnames together (the census's most frequent given names too, some of
    which the many-country list leaves out: "Jed", "Freda", "Quinton")."""
    return first_names() | common_given_names() | surnames()


@cache
def common_given_names() -> WordSet:
    """The most frequent US given names (census lists)."""
    return word_set(data_lines("common_given_names.txt"))


@cache
def common_personal_names() -> WordSet:
    """The most frequent US given names and surnames (census lists)."""
    return common_given_names() | surnames()


@cache
def surnames() -> WordSet:
    """Frequent (US census) surnames, lower case."""
    return word_set(data_lines("surnames.txt"))
