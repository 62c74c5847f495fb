"""The geoparser's in-memory view of the gazetteer: an Aho-Corasick automaton over every
folded name, and a compact row per place for ranking. Built once per process from the
sqlite `names`/`places` tables and pickled beside the gazetteer, keyed by its build id."""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import re
import sqlite3
import threading
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import NamedTuple

import ahocorasick

from geo import paths
from geo.gazetteer import BUILD_HINT, GazetteerMissingError
from geo.textnorm import normalize
from geo.types import Place

INDEX_VERSION = "9"  # bump when the pickled layout changes
# name kinds, most telling first; the automaton stores the small integer
# ("after_comma" marks aliases usable only in "<place>, <alias>", e.g. AP "Ga.")
# ("press" marks aliases from geo/data/geoparse_aliases.tsv usable anywhere: "U.S.", "UK")
KINDS = ("name", "demonym", "ascii", "alt", "abbr", "iso", "after_comma", "press")
KIND_CODE = {k: i for i, k in enumerate(KINDS)}


class PlaceRow(NamedTuple):
    """What ranking needs to know about a place, without building a full Place."""

    id: int
    name: str
    level: str
    feature_code: str
    country: str
    admin1_code: str
    admin1_iso: str
    admin2_code: str
    population: int
    lat: float
    lon: float


class Entry(NamedTuple):
    place_id: int
    kind: int  # index into KINDS


@dataclass
class GazetteerIndex:
    automaton: ahocorasick.Automaton  # folded name -> (folded name, tuple[Entry, ...])
    places: dict[int, PlaceRow]
    build_id: str
    db_path: Path
    # capitals per country, for "Washington alone is the capital" style decisions
    capitals: dict[str, int]

    @property
    def country_points(self) -> dict[str, tuple[float, float]]:
        """ISO2 -> the country's point (for spatial coherence)."""
        if not hasattr(self, "_country_points"):
            self._country_points = {p.country: (p.lat, p.lon) for p in self.places.values()
                                    if p.level == "country" and p.country}
        return self._country_points

    def entries(self, key: str) -> tuple[Entry, ...]:
        found = self.automaton.get(marked(key), None)
        return found[1] if found else ()

    def place(self, place_id: int) -> PlaceRow | None:
        return self.places.get(place_id)

    def full_place(self, place_id: int) -> Place | None:
        """The full gazetteer row (alt names included) straight from sqlite."""
        con = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True)
        try:
            con.row_factory = sqlite3.Row
            row = con.execute("SELECT * FROM places WHERE id = ?", (place_id,)).fetchone()
        finally:
            con.close()
        if row is None:
            return None
        d = dict(row)
        return Place(
            id=d["id"], name=d["name"], level=d["level"], feature_class=d.get("feature_class"),
            feature_code=d.get("feature_code"), country=d.get("country"),
            country_iso3=d.get("country_iso3"), admin1_code=d.get("admin1_code"),
            admin1_iso=d.get("admin1_iso"), admin2_code=d.get("admin2_code"),
            population=int(d.get("population") or 0), lat=float(d["lat"]), lon=float(d["lon"]),
            alt_names=[a for a in (d.get("alt_names") or "").split("|") if a],
        )


_WORD_START = re.compile(r"[^\w](?=\w)")
WORD_MARK = "\x02"


def marked(folded: str) -> str:
    """' ' + text with every character before a word start replaced by WORD_MARK.

    Keys are stored marked too, so the automaton only reports matches that begin at a word
    start: about a fifth of the raw hits, and no Python work for the rest.
    """
    return _WORD_START.sub(WORD_MARK, " " + folded)


def _usable_key(norm: str, kind: str, name: str) -> bool:
    # keys without a Latin letter can never match English prose; one-letter keys are noise;
    # two-letter keys only as codes ("CA" for California), never as words ("Of", "Us")
    if len(norm) < 2 or not any("a" <= c <= "z" for c in norm):
        return False
    return kind in ("abbr", "iso") or len(norm) >= 3 or name.isupper()


def build_index(db_path: Path) -> GazetteerIndex:
    """Read the sqlite gazetteer into an automaton plus place rows (a few seconds)."""
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
        places: dict[int, PlaceRow] = {}
        capitals: dict[str, int] = {}
        for r in con.execute(
            "SELECT id, name, level, feature_code, country, admin1_code, admin1_iso, admin2_code,"
            " population, lat, lon FROM places"
        ):
            row = PlaceRow(r[0], r[1], r[2], r[3] or "", r[4] or "", r[5] or "", r[6] or "",
                           r[7] or "", int(r[8] or 0), float(r[9]), float(r[10]))
            places[row.id] = row
            if row.feature_code == "PPLC" and row.country:
                old = capitals.get(row.country)
                if old is None or places[old].population < row.population:
                    capitals[row.country] = row.id
        by_key: dict[str, list[Entry]] = {}
        for norm, place_id, kind, name in con.execute("SELECT norm, place_id, kind, name FROM names"):
            if place_id not in places or not _usable_key(norm, kind, name):
                continue
            by_key.setdefault(norm, []).append(Entry(place_id, KIND_CODE.get(kind, 3)))
    finally:
        con.close()
    _add_demonym_plurals(by_key)
    _add_squashed_names(by_key, places)
    _add_aliases(by_key, places)
    automaton = ahocorasick.Automaton()
    for key, entries in by_key.items():
        entries.sort(key=lambda e: e.kind)
        automaton.add_word(marked(key), (key, tuple(entries)))
    automaton.make_automaton()
    return GazetteerIndex(automaton, places, meta.get("build_id", "unknown"), Path(db_path), capitals)


ALIAS_KIND = KIND_CODE["press"]
AFTER_COMMA_KIND = KIND_CODE["after_comma"]
REGION_LEVEL = "region"


def _alias_rows() -> list[tuple[str, str, str]]:
    text = resources.files("geo").joinpath("data", "geoparse_aliases.tsv").read_text(encoding="utf-8")
    rows = []
    for line in text.splitlines():
        if line and not line.startswith("#"):
            alias, target, usage = line.split("\t")
            rows.append((alias, target, usage))
    return rows


def _add_aliases(by_key: dict[str, list[Entry]], places: dict[int, PlaceRow]) -> None:
    """Press abbreviations and macro-regions from geo/data/geoparse_aliases.tsv."""
    countries = {p.country: p.id for p in places.values() if p.level == "country"}
    admin1 = {p.admin1_iso: p.id for p in places.values() if p.level == "admin1" and p.admin1_iso}
    best_place: dict[tuple[str, str, str], PlaceRow] = {}
    for p in places.values():
        if p.level == "place":
            k = (normalize(p.name), p.country, p.admin1_iso)
            if k not in best_place or best_place[k].population < p.population:
                best_place[k] = p
    next_region_id = -1
    for alias, target, usage in _alias_rows():
        kind, _, value = target.partition(":")
        place_id = None
        if kind == "country":
            place_id = countries.get(value)
        elif kind == "admin1":
            place_id = admin1.get(value)
        elif kind == "place":
            name, cc, a1 = value.split("|")
            row = best_place.get((normalize(name), cc, a1))
            place_id = row.id if row else None
        elif kind == "region":
            lat, lon = (float(x) for x in value.split(","))
            place_id = next_region_id
            next_region_id -= 1
            places[place_id] = PlaceRow(place_id, alias, REGION_LEVEL, "RGN", "", "", "", "", 0, lat, lon)
        if place_id is None:
            continue
        code = AFTER_COMMA_KIND if usage == "after_comma" else (KIND_CODE["name"] if kind == "region" else ALIAS_KIND)
        entries = by_key.setdefault(normalize(alias), [])
        entries[:] = [e for e in entries if e.place_id != place_id]  # the alias's usage wins
        entries.append(Entry(place_id, code))


SQUASH_MIN_POP = 100_000


def _add_squashed_names(by_key: dict[str, list[Entry]], places: dict[int, PlaceRow]) -> None:
    """ "#SierraLeone", "#NewYork": hashtags drop the spaces of well-known multi-word names."""
    for key, entries in list(by_key.items()):
        if " " not in key:
            continue
        big = [e for e in entries if e.kind in (0, 2)  # name, ascii
               and (places[e.place_id].level in ("country", "admin1") or places[e.place_id].population >= SQUASH_MIN_POP)]
        if big:
            squashed = key.replace(" ", "")
            if squashed not in by_key:
                by_key[squashed] = big


def _add_demonym_plurals(by_key: dict[str, list[Entry]]) -> None:
    """ "Russians", "Palestinians", "Iraqis": plural demonyms name the same place."""
    demonym = KIND_CODE["demonym"]
    for key, entries in list(by_key.items()):
        dems = [e for e in entries if e.kind == demonym]
        if dems and " " not in key and not key.endswith(("s", "sh", "ch", "ese")):
            plural = by_key.setdefault(key + "s", [])
            known = {e.place_id for e in plural}
            plural.extend(e for e in dems if e.place_id not in known)


def _cache_file(db_path: Path, build_id: str) -> Path:
    # the index depends on the gazetteer build, this module and the alias list
    h = hashlib.sha256(Path(__file__).read_bytes())
    h.update(resources.files("geo").joinpath("data", "geoparse_aliases.tsv").read_bytes())
    return db_path.parent / f"geoparse-index-{build_id}-v{INDEX_VERSION}-{h.hexdigest()[:8]}.pkl"


def _read_build_id(db_path: Path) -> str:
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        row = con.execute("SELECT value FROM meta WHERE key = 'build_id'").fetchone()
    finally:
        con.close()
    return row[0] if row else f"mtime{int(db_path.stat().st_mtime)}"


_LOCK = threading.Lock()
_LOADED: dict[Path, GazetteerIndex] = {}


def load_index(db_path: Path | None = None) -> GazetteerIndex:
    """The index for a gazetteer db (default: the project's), cached in memory and on disk."""
    db_path = Path(db_path or paths.gazetteer_db())
    with _LOCK:
        if db_path in _LOADED:
            return _LOADED[db_path]
        if not db_path.exists():
            raise GazetteerMissingError(f"no gazetteer at {db_path}: {BUILD_HINT}")
        try:
            cache = _cache_file(db_path, _read_build_id(db_path))
        except sqlite3.DatabaseError as exc:
            raise GazetteerMissingError(f"gazetteer at {db_path} is unreadable ({exc}): {BUILD_HINT}") from exc
        index = None
        if cache.exists():
            try:
                with cache.open("rb") as f:
                    index = pickle.load(f)
                index.db_path = db_path
            except Exception as exc:  # a stale or truncated cache is rebuilt, never trusted
                logging.getLogger(__name__).info("rebuilding the parser index cache %s: %s",
                                                 cache, exc)
                index = None
        if index is None:
            index = build_index(db_path)
            try:
                tmp = cache.with_suffix(f".{os.getpid()}.tmp")  # parallel test workers each write their own
                with tmp.open("wb") as f:
                    pickle.dump(index, f, protocol=pickle.HIGHEST_PROTOCOL)
                tmp.replace(cache)
                for stale in cache.parent.glob("geoparse-index-*.pkl"):
                    if stale != cache:
                        stale.unlink(missing_ok=True)
            except OSError:
                pass  # read-only gazetteer folder: just rebuild next time
        _LOADED[db_path] = index
        return index
