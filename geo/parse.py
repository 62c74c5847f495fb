"""The geoparser: text in, place mentions out.

    from geo.parse import parse
    for m in parse(text, published="2024-01-22"):
        print(m.surface, m.kind, m.name, m.country, m.lat, m.lon, m.evidence)

`Parser` runs named steps (decode -> mask -> match -> classify -> resolve -> regions ->
mentions); with `debug=True` it keeps every step's output in `parser.trace` so a wrong
answer can be followed back to the step that made it.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geo import macroregions, paths
from geo.extract import Candidate, classify_candidates, find_candidates
from geo.geoparse_index import REGION_LEVEL, GazetteerIndex, PlaceRow, load_index
from geo.nlp import spanish
from geo.nlp.language import detect_language
from geo.nlp.markup import mask_markup, to_text
from geo.region_store import MISSING, stored_region
from geo.regions import derive_region
from geo.resolve import Resolution, RowMemo, prune_unsupported, resolve_candidates
from geo.textnorm import normalize
from geo.types import Mention, Place

MAX_CHARS = 20_000_000  # beyond this the text is cut: bounded time and memory
# rules applied after the general (English) classification, by detected language;
# a language without an entry is parsed with the general rules alone
LANGUAGE_RULES: dict[str, Callable[[str, list[Candidate], GazetteerIndex], list[Candidate]]] = {
    "es": spanish.refine,
}
PRECISION = {"country": "country", "admin1": "admin1", "admin2": "admin2", "place": "place",
             REGION_LEVEL: "country"}


@dataclass
class Doc:
    """Everything one parse knows, step by step."""

    text: str
    published: str | None = None
    language: str | None = None  # ISO 639-1, detected unless given
    masked: str = ""
    candidates: list[Candidate] = field(default_factory=list)
    resolutions: dict[int, Resolution] = field(default_factory=dict)
    regions: dict[int, tuple[str, float, float]] = field(default_factory=dict)
    mentions: list[Mention] = field(default_factory=list)


class Parser:
    """A pipeline of named steps over a Doc. Steps can be listed, timed and traced."""

    def __init__(self, index: GazetteerIndex | None = None, db_path: Path | None = None,
                 debug: bool = False) -> None:
        self.index = index or load_index(db_path)
        self.debug = debug
        self.trace: list[tuple[str, Any]] = []
        self.timings: dict[str, float] = {}  # seconds per step, summed over the texts parsed
        self.clock: Callable[[], float] = time.perf_counter  # what the timings are read from
        self.steps: list[tuple[str, Callable[[Doc], None]]] = [
            ("mask", self._mask),
            ("language", self._language),
            ("match", self._match),
            ("classify", self._classify),
            ("resolve", self._resolve),
            ("prune", self._prune),
            ("regions", self._regions),
            ("mentions", self._mentions),
        ]

    # -- steps ---------------------------------------------------------------------------
    def _mask(self, doc: Doc) -> None:
        doc.masked = mask_markup(doc.text)

    def _language(self, doc: Doc) -> None:
        if doc.language is None:
            doc.language = detect_language(doc.masked)

    def _match(self, doc: Doc) -> None:
        doc.candidates = find_candidates(doc.text, doc.masked, self.index)

    def _classify(self, doc: Doc) -> None:
        classify_candidates(doc.masked, doc.candidates, self.index)
        language_rules = LANGUAGE_RULES.get(doc.language or "")
        if language_rules:
            doc.candidates = language_rules(doc.masked, doc.candidates, self.index)

    def _resolve(self, doc: Doc) -> None:
        doc.resolutions = resolve_candidates(doc.masked, doc.candidates, self.index)

    def _prune(self, doc: Doc) -> None:
        prune_unsupported(doc.candidates, doc.resolutions)

    def _regions(self, doc: Doc) -> None:
        for c in doc.candidates:
            if not c.modifier or c.drop is not None or c.kind != "toponym":
                continue  # only a kept place name with "southern", "north-east", ...
            res = doc.resolutions.get(id(c))
            if res and res.place:
                derived = _derived_region(res.place.id, res.place.level, c.modifier)
                if derived:
                    doc.regions[id(c)] = derived

    def _mentions(self, doc: Doc) -> None:
        get, text = doc.resolutions.get, doc.text
        # a river or valley named after a place (_as_named_feature): most texts name none
        features = " River" in text or " Valley" in text
        out = []
        for c in doc.candidates:
            if c.drop is not None:
                continue  # not a place mention
            res = get(id(c))
            if res is None or res.place is None or c.modifier is not None:
                out.append(self._mention(doc, c, res))
                continue
            # most mentions: the name as written, resolved, no modifier (so no derived region)
            evidence = res.evidence
            if c.notes:
                notes = "; ".join(c.notes)
                if notes:
                    evidence = evidence + "; " + notes
            row = res.place
            place_id, name, level, country, a1_iso, a1_code, a2_code, lat, lon, precision = _fields(row)
            m = Mention(c.start, c.end, text[c.start:c.end], c.kind, place_id, name, level, country, None,
                        a1_iso, a1_code, a2_code, lat, lon, None, None, precision, res.confidence, evidence)
            if level == REGION_LEVEL:
                _as_area(m, name)
            elif features and c.kind == "toponym":
                _as_named_feature(m, text)
            out.append(m)
        doc.mentions = out

    def _mention(self, doc: Doc, c: Candidate, res: Resolution | None) -> Mention:
        """A mention with a modifier ("southern X", a derived region when its place has a
        boundary), or one not resolved."""
        start, kind = c.start, c.kind
        region = doc.regions.get(id(c))
        if region:
            start, kind = c.modifier_start, "modified_region"
        elif c.modifier and c.modifier_start is not None and doc.text[c.modifier_start].isupper():
            start = c.modifier_start  # "South Los Angeles": a capitalised modifier is part of the name
        m = Mention(start=start, end=c.end, surface=doc.text[start:c.end], kind=kind,
                    modifier=c.modifier)
        if res is None or res.place is None:
            m.evidence = res.evidence if res else "not resolved"
            return m
        fill_from_row(m, res.place)
        m.confidence = res.confidence
        notes = "; ".join(c.notes)
        m.evidence = res.evidence + (f"; {notes}" if notes else "")
        if region:
            m.geometry_wkt, m.lat, m.lon = region
            m.precision = "subregion"
            m.evidence = f"{c.modifier} part of " + m.evidence
        elif res.place.level == REGION_LEVEL:
            _as_area(m, res.place.name)
        return m

    # -- running -------------------------------------------------------------------------
    def run(self, text: str | bytes | None, published: str | None = None,
            language: str | None = None) -> Doc:
        """Parse one text; language (ISO 639-1) is detected when not given."""
        doc = Doc(to_text(text)[:MAX_CHARS], published, language)
        self.trace = []
        timings, clock, debug = self.timings, self.clock, self.debug
        t0 = clock()
        for name, step in self.steps:
            step(doc)
            t1 = clock()  # a step ends where the next begins: one clock read per step
            timings[name] = timings.get(name, 0.0) + (t1 - t0)
            if debug:
                self.trace.append((name, _snapshot(name, doc)))
                t1 = clock()  # the snapshot is not the next step's time
            t0 = t1
        return doc

    def parse(self, text: str | bytes | None, published: str | None = None,
              language: str | None = None) -> list[Mention]:
        return self.run(text, published, language).mentions


_REGIONS: dict[tuple, tuple[str, float, float]] = {}
REGIONS_CACHE_MAX = 4096


def _derived_region(place_id: int, level: str, modifier: str) -> tuple[str, float, float] | None:
    """derive_region, kept per boundary folder: cutting a polygon and writing its WKT costs
    milliseconds, and news names the same "southern X" again and again; a region met first is
    read from the boundary file's store of cut regions when there is one (geo.region_store)."""
    key = (os.environ.get(paths.GAZETTEER_DIR_VAR), place_id, level, modifier)
    found = _REGIONS.get(key)
    if found is None:
        found = stored_region(place_id, level, modifier)  # cut once per boundary file
        if found is MISSING:
            found = derive_region(place_id, level, modifier)
        if found is not None:  # boundaries that are missing now may be built later
            if len(_REGIONS) >= REGIONS_CACHE_MAX:
                _REGIONS.clear()
            _REGIONS[key] = found
    return found


FIELDS_CACHE_MAX = 50_000
_FIELDS = RowMemo(FIELDS_CACHE_MAX)  # id(row) -> _fields(row)
_FIELDS_GET = _FIELDS.values.get


def _fields(row: PlaceRow) -> tuple:
    """What fill_from_row copies onto a mention, kept per place row (the same places come back):
    place id (None for macro-regions, which have no gazetteer row), name, level, country,
    admin-1 ISO and code, admin-2 code, lat, lon, precision."""
    found = _FIELDS_GET(id(row))
    if found is not None:
        return found
    fields = (row.id if row.id > 0 else None, row.name, row.level, row.country or None, row.admin1_iso or None,
              row.admin1_code or None, row.admin2_code or None, row.lat, row.lon, PRECISION.get(row.level, "place"))
    _FIELDS.put(row, id(row), fields)
    return fields


def fill_from_row(m: Mention, row: PlaceRow) -> None:
    """Copy a place's identity and coordinates onto a mention."""
    (m.place_id, m.name, m.level, m.country, m.admin1_iso, m.admin1_code, m.admin2_code, m.lat, m.lon,
     m.precision) = _fields(row)


_AREAS: dict[tuple, tuple[macroregions.MacroRegion, str | None]] = {}


def _as_area(m: Mention, name: str) -> None:
    """A continent, macro-region or union is drawn as the union of its member countries;
    a union ("European Union") is a kind of its own, so it can be filtered out."""
    key = (os.environ.get(paths.GAZETTEER_DIR_VAR), name)  # per boundary folder, like _derived_region
    found = _AREAS.get(key)
    if found is None:
        region = macroregions.lookup(name)
        if region is None:
            return
        area = macroregions.area_of(region)
        found = (region, area[0] if area is not None else None)
        if area is not None:  # boundaries that are missing now may be built later
            _AREAS[key] = found
    region, wkt = found
    if region.kind == "union":
        m.kind = "supranational"
    if wkt is not None:
        m.geometry_wkt = wkt  # the point stays the region's own centre
    m.evidence += f"; the area of {len(region.members)} member countries"


_FEATURE_HEAD = re.compile(r" (River|Valley)\b")  # (a head the gazetteer has no features for)


def _as_named_feature(m: Mention, text: str) -> None:
    """"Sacramento River", "Salinas Valley": a river or valley named after the place the name
    reads, which the gazetteer does not hold; the mention takes the whole name, placed where the
    place is (a river or valley of that name runs through or near it)."""
    head = _FEATURE_HEAD.match(text, m.end)
    if head is None:
        return
    m.end = head.end()
    m.surface = text[m.start:m.end]
    m.evidence = f"the {head.group(1).lower()} named after {m.name}, placed there; " + m.evidence


def _snapshot(step: str, doc: Doc) -> Any:
    if step == "match":
        return [(c.start, c.end, c.surface, len(c.entries)) for c in doc.candidates]
    if step == "classify":
        return [(c.surface, c.start, c.kind, c.modifier, c.dropped) for c in doc.candidates]
    if step == "resolve":
        return [(c.surface, r.place.name if r.place else None, r.evidence)
                for c in doc.candidates if (r := doc.resolutions.get(id(c)))]
    if step == "mentions":
        return [m.to_dict() for m in doc.mentions]
    return None


_DEFAULT: Parser | None = None


def default_parser() -> Parser:
    """A process-wide parser on the project's gazetteer (loaded on first use)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Parser()
    return _DEFAULT


def parse(text: str | bytes | None, published: str | None = None) -> list[Mention]:
    """Place mentions in a text (offsets index the text as given; bytes are decoded)."""
    return default_parser().parse(text, published)


def parse_many(texts: Iterable[str | bytes | None], published: str | None | Iterable = None) -> list[list[Mention]]:
    """parse() over many texts; published is one date for all or one per text."""
    texts = list(texts)
    if published is None or isinstance(published, str):
        dates = [published] * len(texts)
    else:
        dates = list(published)
    parser = default_parser()
    return [parser.parse(t, d) for t, d in zip(texts, dates, strict=True)]


def candidates_for(surface: str, context_text: str | None = None, limit: int = 20) -> list[Place]:
    """Other gazetteer places a mention could be, best first (for an analyst's correction).

    With context_text (the article), the document's context ranks them as the parser did.
    """
    parser = default_parser()
    key = normalize(surface)
    entries = parser.index.entries(key)
    if not entries:
        return []
    ranked: list[tuple[float, PlaceRow]]
    if context_text:
        doc = parser.run(context_text)
        same = [c for c in doc.candidates if c.key == key and id(c) in doc.resolutions]
        ranked = doc.resolutions[id(same[0])].ranked if same else []
    else:
        ranked = []
    if not ranked:
        from geo.extract import Candidate as _C

        probe = _C(0, len(surface), surface, key, entries)
        res = resolve_candidates(surface, [probe], parser.index)
        ranked = res[id(probe)].ranked if id(probe) in res else []
    out: list[Place] = []
    for score, row in ranked[:limit]:
        if row.id <= 0:
            continue
        place = parser.index.full_place(row.id)
        if place is not None:
            place.score, place.matched = round(score, 3), surface
            out.append(place)
    return out
