"""Analyst corrections of incidents: split a report out, merge two incidents, set the event's
place, set the category. Stored in `event_corrections`, listed, undoable, and applied again
wherever incidents are written (every incremental merge, `geo ingest --reprocess`,
`geo incidents rebuild`), like the geocode corrections of geo/store/corrections.py.

Corrections are keyed by what a rebuild keeps: event reports (article_id + report_index) and
mention spans, never by incident ids. Two hooks apply them:
- `correct_reports` (where reports are written): a report's place becomes the analyst's mention,
  so merging compares the corrected place;
- `correct_incidents` (where incidents are written, after clustering): splits, merges,
  categories and the anchor report of a corrected place, in the order they were made.
Every corrected incident says so (`analyst` column, and the reason of each report it moved).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from geo.categories import LABELS
from geo.cluster import Incident, MinRootSets, explain, incident_id
from geo.errors import StoreError
from geo.events import EventReport
from geo.store.backend import StoreBackend, chunks, marks

if TYPE_CHECKING:
    from geo.store import IncidentStore

KINDS = ("split", "merge", "place", "category")
_COLUMNS = ("fid", "kind", "article_id", "report_index", "other_article_id",
            "other_report_index", "start", '"end"', "surface", "category", "note", "created_at",
            "active")
Key = tuple[str, int]


@dataclass(frozen=True)
class EventCorrection:
    """One stored correction (`fid` is its id for `undo`)."""

    fid: int
    kind: str
    article_id: str
    report_index: int | None
    other_article_id: str | None = None
    other_report_index: int | None = None
    start: int | None = None
    end: int | None = None
    surface: str | None = None
    category: str | None = None
    note: str | None = None
    created_at: str | None = None
    active: bool = True

    @property
    def key(self) -> Key | None:
        return None if self.report_index is None else (self.article_id, int(self.report_index))

    @property
    def other_key(self) -> Key | None:
        if self.other_article_id is None or self.other_report_index is None:
            return None
        return (self.other_article_id, int(self.other_report_index))

    def describe(self) -> str:
        """In words, for listings: "#3 split sample-0079#0 out of its incident"."""
        report = _name(self.article_id, self.report_index)
        what = {
            "split": f"split {report} out of its incident" if self.report_index is not None
            else f"split {report} out of every incident it reports",
            "merge": f"merge the incidents of {report} and "
                     f"{_name(self.other_article_id, self.other_report_index)}",
            "place": f"place of {report} is '{self.surface}' ({self.start}-{self.end})",
            "category": f"category of the incident of {report} is {self.category}",
        }[self.kind]
        return f"#{self.fid} {what}" + (f" ({self.note})" if self.note else "")


def _name(article_id: str | None, report_index: int | None) -> str:
    return f"{article_id}" + ("" if report_index is None else f"#{report_index}")


def _from_row(row: Sequence) -> EventCorrection:
    (fid, kind, article_id, report_index, other_article_id, other_report_index, start, end,
     surface, category, note, created_at, active) = row
    return EventCorrection(
        int(fid), kind, article_id, None if report_index is None else int(report_index),
        other_article_id, None if other_report_index is None else int(other_report_index),
        None if start is None else int(start), None if end is None else int(end), surface,
        category, note, None if created_at is None else str(created_at), bool(active))


# -- reading --------------------------------------------------------------------------------
def list_corrections(backend: StoreBackend, active_only: bool = False) -> list[EventCorrection]:
    """Every correction, oldest first (only those in force with `active_only`)."""
    where = " WHERE active = 1" if active_only else ""
    rows = backend.execute(f"SELECT {', '.join(_COLUMNS)} FROM event_corrections{where} "
                           "ORDER BY fid").fetchall()
    return [_from_row(r) for r in rows]


def _any_active(backend: StoreBackend, kinds: Sequence[str] = KINDS) -> bool:
    """One cheap lookup, so that stores without corrections pay (almost) nothing."""
    return backend.execute(
        f"SELECT 1 FROM event_corrections WHERE active = 1 AND kind IN ({marks(len(kinds))}) "
        "LIMIT 1", list(kinds)).fetchone() is not None


def corrections_of(backend: StoreBackend, article_ids: Iterable[str],
                   kinds: Sequence[str] = KINDS) -> list[EventCorrection]:
    """Active corrections touching any of these articles (either side of a merge), by fid."""
    found: dict[int, EventCorrection] = {}
    for chunk in chunks(sorted(set(article_ids))):
        rows = backend.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM event_corrections WHERE active = 1 AND kind IN "
            f"({marks(len(kinds))}) AND (article_id IN ({marks(len(chunk))}) OR "
            f"other_article_id IN ({marks(len(chunk))}))",
            [*kinds, *chunk, *chunk]).fetchall()
        found.update((c.fid, c) for c in map(_from_row, rows))
    return [found[f] for f in sorted(found)]


# -- hook 1: the place of a report ----------------------------------------------------------
_MENTION_PLACE = ("mention_id", "name", "surface", "country", "country_iso3", "admin1_iso",
                  "admin2_code", "lat", "lon", "geo_precision")


def correct_reports(backend: StoreBackend, reports: list[EventReport]) -> list[EventReport]:
    """Give reports the place an analyst chose for them (their article's mentions must be
    stored already). Called where reports are written, so merging compares the right place."""
    if not reports or not _any_active(backend, ("place",)):
        return reports
    by_key = {r.key: r for r in reports}
    for c in corrections_of(backend, {r.article_id for r in reports}, ("place",)):
        report = by_key.get(c.key) if c.key else None
        if report is None:
            continue
        row = backend.execute(
            f'SELECT {", ".join(_MENTION_PLACE)} FROM mentions WHERE article_id = ? AND '
            'start = ? AND "end" = ? ORDER BY mention_id', (c.article_id, c.start, c.end)
        ).fetchone()
        if row is None:  # the mention is gone (re-parsed without it): the parser's place stays
            continue
        m = dict(zip(_MENTION_PLACE, row, strict=True))
        report.mention_id = m["mention_id"]
        report.place_name = m["name"] or m["surface"]
        report.country = m["country"] or m["country_iso3"]
        report.admin1, report.admin2 = m["admin1_iso"], m["admin2_code"]
        report.lat, report.lon = m["lat"], m["lon"]
        report.geo_precision = m["geo_precision"]
        report.place_reason = f"set by an analyst (correction #{c.fid})"
    return reports


# -- hook 2: the incidents ------------------------------------------------------------------
@dataclass
class CorrectedIncident(Incident):
    """An incident an analyst changed: its anchor report and category may be set by hand."""

    anchor_key: Key | None = None
    category_set: str | None = None
    category_note: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def anchor(self) -> EventReport:
        chosen = [r for r in self.reports if r.key == self.anchor_key]
        return chosen[0] if chosen else super().anchor

    @property
    def category(self) -> str:
        return self.category_set or super().category

    @property
    def category_evidence(self) -> str:
        if self.category_set:
            return f"{LABELS.get(self.category_set, self.category_set)}: {self.category_note}"
        return super().category_evidence

    @property
    def analyst(self) -> str:
        return "; ".join(self.notes)


@dataclass
class _Group:
    reports: dict[Key, EventReport]
    origin: Incident
    changed: bool = False
    anchor_key: Key | None = None
    anchor_note: str = ""
    category: str | None = None
    category_note: str = ""
    notes: list[str] = field(default_factory=list)
    reasons: dict[Key, str] = field(default_factory=dict)


def correct_incidents(backend: StoreBackend, incidents: list[Incident]) -> list[Incident]:
    """Apply the analysts' corrections to freshly clustered incidents (before they are
    written). A merge with an incident outside the batch brings that stored incident in (its
    row is deleted here and written again with the batch); the two become one incident, so a
    report that later joins either of them joins both."""
    if not incidents or not _any_active(backend):
        return incidents
    incidents = list(incidents)
    seen: set[str] = set()
    corrections: list[EventCorrection] = []
    while True:  # the closure over merges with reports outside the batch
        articles = {r.article_id for i in incidents for r in i.reports} - seen
        if not articles:
            break
        seen |= articles
        corrections = corrections_of(backend, seen)
        present = {r.key for i in incidents for r in i.reports}
        missing = {k for c in corrections if c.kind == "merge"
                   for k in (c.key, c.other_key) if k and k not in present}
        incidents += _outside_blocks(backend, missing)
    if not corrections:
        return incidents
    return apply_event_corrections(incidents, corrections)


def _outside_blocks(backend: StoreBackend, keys: set[Key]) -> list[Incident]:
    """The stored incidents holding these reports, as they are (their rows deleted, to be
    written again with the batch)."""
    from geo.store.events import _report, _rows

    if not keys:
        return []
    found: set[str] = set()
    for chunk in chunks(sorted(keys), 200):
        where = " OR ".join(["(article_id = ? AND report_index = ?)"] * len(chunk))
        rows = backend.execute(f"SELECT DISTINCT incident_id FROM article_incidents WHERE "
                               f"{where}", [v for pair in chunk for v in pair]).fetchall()
        found |= {i for (i,) in rows if i}
    incidents: list[Incident] = []
    for chunk in chunks(sorted(found)):
        where = f"incident_id IN ({marks(len(chunk))})"
        rows = _rows(backend, where, chunk)
        for stored in sorted({row["incident_id"] for row in rows}):
            members = sorted((_report(row) for row in rows if row["incident_id"] == stored),
                             key=lambda r: r.key)
            incident = Incident(incident_id(members), members, component="blk:" + stored[4:])
            explain(incident, {})
            incidents.append(incident)
        backend.execute(f"DELETE FROM incidents WHERE {where}", chunk)
    return incidents


def apply_event_corrections(incidents: list[Incident], corrections: list[EventCorrection],
                            ) -> list[Incident]:
    """The pure core: corrections applied in order to clustered incidents."""
    groups = [_Group({r.key: r for r in i.reports}, i) for i in incidents]
    where = {k: g for g in groups for k in g.reports}
    blocks = MinRootSets(i.component for i in incidents)  # union of blocks merged by hand

    for c in corrections:
        if c.kind == "split":
            for g in list(groups):
                out = [k for k in g.reports if k[0] == c.article_id and
                       (c.report_index is None or k[1] == c.report_index)]
                if not out or len(out) == len(g.reports):
                    continue
                others = sorted({k[0] for k in g.reports if k not in out})
                moved = _Group({k: g.reports.pop(k) for k in out}, g.origin, True)
                moved.notes.append(f"split out by an analyst (correction #{c.fid})")
                for k in out:
                    moved.reasons[k] = (f"set by an analyst: split out of the incident of "
                                        f"{', '.join(others)} (correction #{c.fid})")
                    where[k] = moved
                g.changed = True
                g.notes.append(f"{_name(c.article_id, c.report_index)} split out by an analyst "
                               f"(correction #{c.fid})")
                groups.append(moved)
        elif c.kind == "merge":
            a, b = where.get(c.key), where.get(c.other_key)
            if a is None or b is None or a is b:
                continue
            for k in b.reports:
                a.reasons[k] = b.reasons.get(k) or (
                    f"set by an analyst: merged with the incident of {c.article_id} "
                    f"(correction #{c.fid})")
                where[k] = a
            a.reports.update(b.reports)
            a.reasons.update({k: v for k, v in b.reasons.items() if k not in a.reasons})
            a.notes += [f"merged by an analyst with the incident of {c.other_article_id} "
                        f"(correction #{c.fid})", *b.notes]
            if a.anchor_key is None:
                a.anchor_key, a.anchor_note = b.anchor_key, b.anchor_note
            a.category, a.category_note = (a.category, a.category_note) if a.category else (
                b.category, b.category_note)
            a.changed = True
            groups.remove(b)
            blocks.union(a.origin.component, b.origin.component)
        elif c.kind == "category" and (g := where.get(c.key)) is not None:
            g.category = c.category
            g.category_note = f"set by an analyst (correction #{c.fid})" + (
                f": {c.note}" if c.note else "")
            g.changed = True
            g.notes.append(f"category set to {c.category} by an analyst (correction #{c.fid})")
        elif c.kind == "place" and (g := where.get(c.key)) is not None:
            g.anchor_key, g.anchor_note = c.key, f"set by an analyst (correction #{c.fid})"
            g.changed = True
            g.notes.append(f"place set by an analyst to '{c.surface}' (correction #{c.fid})")
    out: list[Incident] = []
    for g in groups:
        component = blocks.find(g.origin.component)
        if not g.changed:
            g.origin.component = component
            out.append(g.origin)
            continue
        reports = sorted(g.reports.values(), key=lambda r: r.key)
        incident = CorrectedIncident(
            incident_id(reports), reports, component=component, confidence=1.0,
            anchor_key=g.anchor_key, category_set=g.category, category_note=g.category_note,
            notes=g.notes)
        explain(incident, {})  # why each report is in it now (its partners may have left)
        incident.reasons.update(g.reasons)  # the reports an analyst moved say so
        incident.confidence = 1.0  # an analyst decided
        if g.anchor_key and (anchor := incident.anchor).key == g.anchor_key:
            anchor.place_reason = g.anchor_note
        out.append(incident)
    return sorted(out, key=lambda i: i.id)


# -- making and undoing corrections ---------------------------------------------------------
def reports_of_incident(backend: StoreBackend, incident: str) -> list[Key]:
    """The (article_id, report_index) of an incident's reports, in order; an unknown id is an
    error that says so."""
    rows = backend.execute("SELECT article_id, report_index FROM article_incidents WHERE "
                           "incident_id = ? ORDER BY article_id, report_index",
                           (incident,)).fetchall()
    if not rows:
        raise StoreError(f"no incident {incident!r} in {backend.location}")
    return [(a, int(i)) for a, i in rows]


def _report_of(backend: StoreBackend, incident: str, article_id: str) -> Key:
    keys = [k for k in reports_of_incident(backend, incident) if k[0] == article_id]
    if not keys:
        raise StoreError(f"article {article_id!r} is not a source of incident {incident!r}")
    return keys[0]


def split(store: IncidentStore, incident: str, article_id: str, note: str = "") -> int:
    """Take one article's report out of an incident: it becomes an incident of its own.
    Returns the correction's id."""
    backend = store.backend
    keys = reports_of_incident(backend, incident)
    key = _report_of(backend, incident, article_id)
    if len({a for a, _ in keys}) < 2:
        raise StoreError(f"incident {incident!r} has a single source ({article_id}): "
                         "nothing to split it from")
    return _add(store, {"kind": "split", "article_id": key[0], "report_index": key[1],
                        "note": note}, [key])


def reports_of_article(backend: StoreBackend, article_id: str) -> list[tuple[Key, str]]:
    """(report key, incident id) of every report of an article, in order."""
    rows = backend.execute("SELECT article_id, report_index, incident_id FROM article_incidents "
                           "WHERE article_id = ? ORDER BY report_index", (article_id,)).fetchall()
    return [((a, int(i)), incident) for a, i, incident in rows]


def split_article(store: IncidentStore, article_id: str, note: str = "") -> int:
    """Take an article out of every incident it reports (each of its reports that shares an
    incident with other articles becomes an incident of its own). Returns the correction's id."""
    backend = store.backend
    reports = reports_of_article(backend, article_id)
    if not reports:
        raise StoreError(f"article {article_id!r} reports no incident in {backend.location}")
    shared = [incident for _, incident in reports if incident and len(
        {a for a, _ in reports_of_incident(backend, incident)}) > 1]
    if not shared:
        raise StoreError(f"article {article_id!r} is the single source of each of its "
                         "incidents: nothing to split it from")
    return _add(store, {"kind": "split", "article_id": article_id, "report_index": None,
                        "note": note}, [key for key, _ in reports])


def merge_incidents(store: IncidentStore, incident: str, other: str, note: str = "") -> int:
    """Make two incidents one (kept as their first reports, which a rebuild keeps)."""
    if incident == other:
        raise StoreError(f"cannot merge incident {incident!r} with itself")
    backend = store.backend
    a, b = reports_of_incident(backend, incident)[0], reports_of_incident(backend, other)[0]
    return _add(store, {"kind": "merge", "article_id": a[0], "report_index": a[1],
                        "other_article_id": b[0], "other_report_index": b[1], "note": note},
                [a, b])


def set_place(store: IncidentStore, incident: str, mention_id: str, note: str = "") -> int:
    """Make a mention (of one of the incident's articles) the place of the event: the report
    of that article takes the mention's place, and the incident takes that report's."""
    backend = store.backend
    row = backend.execute('SELECT article_id, start, "end", surface, lat, geo_precision FROM '
                          "mentions WHERE mention_id = ?", (mention_id,)).fetchone()
    if row is None:
        raise StoreError(f"no mention {mention_id!r} in {backend.location}")
    article_id, start, end, surface, lat, precision = row
    if lat is None and precision is None:
        raise StoreError(f"mention {mention_id!r} ('{surface}') has no place: correct its "
                         "geocoding first")
    key = _report_of(backend, incident, article_id)
    return _add(store, {"kind": "place", "article_id": key[0], "report_index": key[1],
                        "start": int(start), "end": int(end), "surface": surface,
                        "note": note}, [key], reprocess_article=article_id)


def set_category(store: IncidentStore, incident: str, category: str, note: str = "") -> int:
    """Give an incident a category of the taxonomy (geo.categories)."""
    if category not in LABELS:
        raise StoreError(f"unknown category {category!r}: one of {', '.join(LABELS)}")
    key = reports_of_incident(store.backend, incident)[0]
    return _add(store, {"kind": "category", "article_id": key[0], "report_index": key[1],
                        "category": category, "note": note}, [key])


def undo(store: IncidentStore, fid: int) -> EventCorrection:
    """Withdraw a correction (kept, inactive) and derive the incidents it touched again."""
    from geo.store.ingest import now

    backend = store.backend
    row = backend.execute(f"SELECT {', '.join(_COLUMNS)} FROM event_corrections WHERE fid = ?",
                          (int(fid),)).fetchone()
    if row is None:
        raise StoreError(f"no event correction #{fid} in {backend.location}")
    correction = _from_row(row)
    if not correction.active:
        raise StoreError(f"event correction #{fid} is already undone")
    with backend.transaction():
        backend.execute("UPDATE event_corrections SET active = 0, undone_at = ? WHERE fid = ?",
                        (now(), int(fid)))
        keys = [k for k in (correction.key, correction.other_key) if k]
        if correction.kind == "split" and correction.key is None:  # a whole article
            keys = [key for key, _ in reports_of_article(backend, correction.article_id)]
        if correction.kind == "place":
            _reprocess(store, correction.article_id)
        else:
            _recluster(store, keys)
    return correction


def _add(store: IncidentStore, values: dict, keys: list[Key],
         reprocess_article: str | None = None) -> int:
    from geo.store.ingest import now

    backend = store.backend
    values = {**values, "created_at": now(), "active": 1}
    columns = list(values)
    with backend.transaction():
        fid = backend.execute(
            f"INSERT INTO event_corrections ({', '.join(_quoted(c) for c in columns)}) VALUES "
            f"({marks(len(columns))}) RETURNING fid", [values[c] for c in columns]).fetchone()[0]
        if reprocess_article:
            _reprocess(store, reprocess_article)
        else:
            _recluster(store, keys)
    return int(fid)


def _quoted(column: str) -> str:
    return f'"{column}"'


def _reprocess(store: IncidentStore, article_id: str) -> None:
    """An article's reports written again (its place corrections applied) and merged."""
    from geo.store.corrections import reprocess

    reprocess(store, article_id)


def _recluster(store: IncidentStore, keys: list[Key]) -> None:
    """Merge the blocks holding these reports again (corrections applied on the way)."""
    from geo.store.events import _load, merge

    backend = store.backend
    components: set[str] = set()
    for article_id, index in keys:
        row = backend.execute("SELECT component FROM article_incidents WHERE article_id = ? "
                              "AND report_index = ?", (article_id, index)).fetchone()
        if row and row[0]:
            components.add(row[0])
    block: list[EventReport] = []
    for chunk in chunks(sorted(components)):
        block += _load(backend, f"component IN ({marks(len(chunk))})", chunk)
        backend.execute(f"DELETE FROM incidents WHERE component IN ({marks(len(chunk))})", chunk)
    merge(backend, block, store.merge)
