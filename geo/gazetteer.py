"""Look places up in the built gazetteer: exact, case/accent-insensitive, alias and fuzzy."""

from __future__ import annotations

import sqlite3
import threading
from functools import lru_cache
from pathlib import Path

from geo import paths
from geo.errors import SetupError
from geo.textnorm import fold, normalize
from geo.types import Place

__all__ = ["Gazetteer", "GazetteerMissingError", "load_gazetteer", "normalize", "fold"]

BUILD_HINT = "run `geo gazetteer build` (or `make run` / `make test`, which build it)"
PLACE_FIELDS = ("id", "name", "level", "feature_class", "feature_code", "country", "country_iso3",
                "admin1_code", "admin1_iso", "admin2_code", "population", "lat", "lon", "alt_names")
_SELECT = f"SELECT {', '.join('p.' + f for f in PLACE_FIELDS)}"
# Prior weight of each level: a name that is a country is most likely meant as the country.
LEVEL_PRIOR = {"country": 4.0, "admin1": 3.0, "admin2": 1.5, "place": 1.0}
KIND_PRIOR = {"name": 1.0, "ascii": 1.0, "demonym": 0.9, "alt": 0.8, "abbr": 0.7, "iso": 0.5}
CAPITAL_CODES = {"PPLC": 1.0, "PPLA": 0.6, "PPLG": 0.5, "PPLA2": 0.3}


class GazetteerMissingError(SetupError):
    """The gazetteer has not been built, or its files are unreadable."""


class Gazetteer:
    """Read-only access to gazetteer.sqlite. Thread-safe: one connection per thread."""

    def __init__(self, path: Path | str | None = None):
        self.path = Path(path) if path else paths.gazetteer_db()
        if not self.path.exists():
            raise GazetteerMissingError(f"no gazetteer at {self.path}: {BUILD_HINT}")
        self._local = threading.local()
        try:
            n = self.connection.execute("SELECT count(*) FROM places").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise GazetteerMissingError(f"gazetteer at {self.path} is unreadable ({exc}): {BUILD_HINT}") from exc
        if n == 0:
            raise GazetteerMissingError(f"gazetteer at {self.path} is empty: {BUILD_HINT}")

    @property
    def connection(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            self._local.con = con
        return con

    def meta(self, key: str) -> str | None:
        row = self.connection.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    @property
    def build_id(self) -> str | None:
        return self.meta("build_id")

    def manifest(self) -> dict:
        from geo.build import read_manifest

        return read_manifest(self.path.parent / "manifest.json") or {}

    def get(self, place_id: int) -> Place | None:
        row = self.connection.execute(f"{_SELECT} FROM places p WHERE p.id=?", (int(place_id),)).fetchone()
        return _to_place(row) if row else None

    def lookup(self, name: str, *, country: str | None = None, admin1: str | None = None,
               level: str | None = None, fuzzy: bool = False, limit: int = 20) -> list[Place]:
        """Ranked candidates for a name. Unknown or empty names give an empty list."""
        if not isinstance(name, str):
            return []
        key = normalize(name)
        if not key:
            return []
        rows = self._rows_for_norms([key])
        if not rows and fuzzy:
            rows = self._fuzzy_rows(key)
        places = [self._score(_to_place(r[:-3]), r[-3], r[-2], r[-1], name) for r in rows]
        places = [p for p in places if _passes(p, country, admin1, level)]
        best: dict[int, Place] = {}
        for p in places:
            if p.id not in best or p.score > best[p.id].score:
                best[p.id] = p
        return sorted(best.values(), key=lambda p: (-p.score, -p.population, p.id))[:limit]

    def _rows_for_norms(self, norms: list[str], similarity: float = 1.0) -> list[tuple]:
        marks = ",".join("?" * len(norms))
        sql = (f"{_SELECT}, n.name, n.kind, ? FROM names n JOIN places p ON p.id = n.place_id "
               f"WHERE n.norm IN ({marks})")
        return self.connection.execute(sql, (similarity, *norms)).fetchall()

    def _fuzzy_rows(self, key: str, cutoff: float = 85.0) -> list[tuple]:
        from rapidfuzz import fuzz, process

        # Candidates share the first letter and are of similar length: keeps the scan small.
        lo, hi = max(1, len(key) - 3), len(key) + 3
        norms = [r[0] for r in self.connection.execute(
            "SELECT DISTINCT norm FROM names WHERE norm >= ? AND norm < ? AND length(norm) BETWEEN ? AND ?",
            (key[0], chr(ord(key[0]) + 1), lo, hi))]
        hits = process.extract(key, norms, scorer=fuzz.ratio, score_cutoff=cutoff, limit=10)
        rows = []
        for norm, score, _ in hits:
            rows += self._rows_for_norms([norm], similarity=score / 100.0)
        return rows

    @staticmethod
    def _score(p: Place, matched: str, kind: str, similarity: float, query: str) -> Place:
        import math

        score = LEVEL_PRIOR.get(p.level, 1.0) * KIND_PRIOR.get(kind, 0.5) * similarity
        score += CAPITAL_CODES.get(p.feature_code or "", 0.0)
        score += math.log10(max(p.population, 1)) / 4.0
        if matched == query:  # exact spelling, accents included
            score += 0.25
        p.score = round(score, 4)
        p.matched = matched
        return p


def _passes(p: Place, country: str | None, admin1: str | None, level: str | None) -> bool:
    if country and country.upper() not in (p.country, p.country_iso3):
        return False
    if admin1 and admin1 not in (p.admin1_iso, p.admin1_code):
        return False
    return not (level and p.level != level)


def _to_place(row: tuple) -> Place:
    d = dict(zip(PLACE_FIELDS, row, strict=True))
    d["alt_names"] = [a for a in (d["alt_names"] or "").split("|") if a]
    d["population"] = int(d["population"] or 0)
    return Place(**d)


@lru_cache(maxsize=4)
def _cached(path: str) -> Gazetteer:
    return Gazetteer(path)


def load_gazetteer(path: Path | str | None = None) -> Gazetteer:
    """A shared Gazetteer for this process (cached by path)."""
    return _cached(str(Path(path) if path else paths.gazetteer_db()))
