"""Incidents in the store: event reports of each article, merged across articles.

Each article's event reports (geo.events) are stored in `article_incidents` with everything
merging compares, and indexed in `event_keys` by place and words with their day. A batch of new
reports looks up its candidates there (by key and date window, never a scan of all incidents),
clusters the batch, and attaches each of its clusters to the stored incident it fits best,
compared with a bounded number of that incident's members (geo.cluster.attach): stored
incidents are never re-clustered, so the work per article does not grow with the store. A
rebuild clusters all reports at once (deterministic: the same articles give the same incidents).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING

import shapely

from geo.cluster import (
    CANDIDATES,
    CANDIDATES_PER_KEY,
    MERGE_SCORE,
    REPRESENTATIVES,
    Incident,
    MinRootSets,
    attach,
    cluster_reports,
    compare,
    date_window,
    explain_joined,
    incident_id,
    index_keys,
)
from geo.events import EventReport, extract_events
from geo.store.backend import StoreBackend, chunks, marks
from geo.store.event_corrections import correct_incidents, correct_reports
from geo.store.schema import ARTICLE_INCIDENT_COLUMNS
from geo.types import Mention

if TYPE_CHECKING:
    from geo.store import IncidentStore

_REPORT_FIELDS = ("place_name", "country", "admin1", "admin2", "lat", "lon", "geo_precision",
                  "time_precision", "date_evidence", "category", "category_evidence", "sentence")
_LINK_COLUMNS = [c for c, _ in ARTICLE_INCIDENT_COLUMNS]


def reports_of_article(article_id: str, title: str | None, text: str, mentions: list[Mention],
                       mention_ids: list[str], published: date | None) -> list[EventReport]:
    reports = extract_events(article_id, title or "", text, mentions, published)
    for r in reports:
        r.mention_id = mention_ids[r.mention] if r.mention is not None else None
    return reports


def _row(r: EventReport) -> dict:
    return {
        "article_id": r.article_id, "report_index": r.index, "role": r.role,
        "mention_id": r.mention_id,
        **{f: getattr(r, f) for f in _REPORT_FIELDS},
        "event_date": r.event_date.isoformat() if r.event_date else None,
        "date_stated": int(r.date_stated),
        "published": r.published.isoformat() if r.published else None,
        "years": json.dumps(list(r.years)),
        "vector": json.dumps({k: round(v, 5) for k, v in sorted(r.vector.items())}),
    }


def _report(row: dict) -> EventReport:
    def day(value: str | date | None) -> date | None:  # a server returns DATE as a date
        if isinstance(value, date):
            return value
        return date.fromisoformat(str(value)[:10]) if value else None

    return EventReport(
        row["article_id"], int(row["report_index"]), row["role"] or "main", None,
        place_name=row["place_name"], country=row["country"], admin1=row["admin1"],
        admin2=row["admin2"], lat=row["lat"], lon=row["lon"],
        geo_precision=row["geo_precision"], place_reason="",
        event_date=day(row["event_date"]), time_precision=row["time_precision"],
        date_evidence=row["date_evidence"] or "", published=day(row["published"]),
        category=row["category"] or "other", category_evidence=row["category_evidence"] or "",
        sentence=row["sentence"] or "", date_stated=bool(row["date_stated"]),
        years=tuple(json.loads(row["years"] or "[]")),
        vector=json.loads(row["vector"] or "{}"), mention_id=row["mention_id"])


_LINK_SELECT = f"SELECT {', '.join(_LINK_COLUMNS)} FROM article_incidents WHERE "


def _link_row(row: Sequence) -> dict:
    return dict(zip(_LINK_COLUMNS, row, strict=True))


def _rows(backend: StoreBackend, where: str, params: Sequence) -> list[dict]:
    return [_link_row(row) for row in backend.execute(_LINK_SELECT + where, params).fetchall()]


def _load(backend: StoreBackend, where: str, params: Sequence) -> list[EventReport]:
    return [_report(row) for row in _rows(backend, where, params)]


def _candidates(backend: StoreBackend, reports: list[EventReport]) -> list[list[tuple[str, int]]]:
    """For each report r: stored reports sharing index keys with r, within its date window
    (undated: any): at most CANDIDATES_PER_KEY per key, the latest days first (an indexed range
    read whose size does not grow with the store), of which the CANDIDATES sharing the most
    keys, then nearest in time. The reads of all reports go to the store together
    (`fetch_each`: one round trip on a server, inside the merge lock)."""
    statements, owners = [], []
    for n, r in enumerate(reports):
        window = date_window(r)
        dated = ("day BETWEEN ? AND ?", list(window)) if window else ("day IS NOT NULL", [])
        keys = index_keys(r)
        # for each key its undated reports and its dated ones in the window, each part
        # limited; a report's keys in one statement (the server's cost is mostly per
        # statement), 25 keys at most (SQLite takes 500 parts in a compound SELECT)
        for start in range(0, len(keys), 25):
            parts, params = [], []
            for i, key in enumerate(keys[start:start + 25]):
                parts += [f"SELECT * FROM (SELECT article_id, report_index, day FROM event_keys "
                          f"WHERE key = ? AND day IS NULL LIMIT ?) AS u{i}",
                          f"SELECT * FROM (SELECT article_id, report_index, day FROM event_keys "
                          f"WHERE key = ? AND {dated[0]} ORDER BY day DESC LIMIT ?) AS d{i}"]
                params += [key, CANDIDATES_PER_KEY, key, *dated[1], CANDIDATES_PER_KEY]
            statements.append((" UNION ALL ".join(parts), params))
            owners.append(n)
    shared: list[dict[tuple[str, int], list]] = [{} for _ in reports]
    for n, rows in zip(owners, backend.fetch_each(statements), strict=True):
        for a, i, d in rows:
            entry = shared[n].setdefault((a, int(i)), [0, d])
            entry[0] += 1
    return [_ranked(r, found) for r, found in zip(reports, shared, strict=True)]


def _ranked(r: EventReport, shared: dict[tuple[str, int], list]) -> list[tuple[str, int]]:
    day = r.event_date.toordinal() if r.event_date else None

    def rank(k: tuple[str, int]) -> tuple:
        count, other_day = shared[k]
        gap = abs(other_day - day) if other_day is not None and day is not None else 10**6
        return (-count, gap, k)

    return sorted(shared, key=rank)[:CANDIDATES]


def write_reports(backend: StoreBackend, reports: Iterable[EventReport]) -> list[EventReport]:
    """Store new reports (not yet in an incident) and their index keys."""
    reports = correct_reports(backend, list(reports))  # analysts' event places
    backend.insert_rows("article_incidents", [_row(r) for r in reports])
    backend.insert_rows("event_keys", [
        {"key": key, "day": r.event_date.toordinal() if r.event_date else None,
         "article_id": r.article_id, "report_index": r.index}
        for r in reports for key in index_keys(r)])
    return reports


def _rows_of_reports(backend: StoreBackend, keys: Iterable[tuple[str, int]]) -> list[dict]:
    """The stored rows of these reports (article_id, report_index): read by article (its
    index; an article has a few reports) and kept when asked for. One OR term per report
    cost the server ~8 ms a statement to plan and run, most of a merge's reads."""
    wanted = set(keys)
    articles = sorted({a for a, _ in wanted})
    out = []
    for chunk in chunks(articles):
        out += [row for row in _rows(backend, f"article_id IN ({marks(len(chunk))})", chunk)
                if (row["article_id"], int(row["report_index"])) in wanted]
    return out


def merge(backend: StoreBackend, new: list[EventReport], enabled: bool = True,
          phases: dict[str, float] | None = None) -> int:
    """Attach new (already written) reports to incidents: cluster the batch, then join each of
    its clusters to the stored incident it fits best (geo.cluster.attach), found through the
    index and compared with a bounded number of members; stored incidents are never
    re-clustered. Returns the number of incidents written. `enabled=False` (benchmarks):
    every report is an incident of its own. `phases` gets the seconds spent waiting for the
    merge lock (under "merge_lock_wait")."""
    if not new:
        return 0
    if not enabled:
        return write_incidents(backend, [i for r in new for i in cluster_reports([r])])
    lock = getattr(getattr(backend, "dialect", None), "merge_lock", None)
    if lock:  # concurrent writers: one merge at a time, each seeing the others' committed reports
        waiting = time.perf_counter()
        backend.execute(lock)
        if phases is not None:
            phases["merge_lock_wait"] = (phases.get("merge_lock_wait", 0.0)
                                         + time.perf_counter() - waiting)
    local = cluster_reports(new)
    new_keys = {r.key for r in new}
    asked: dict[tuple[str, int], list[EventReport]] = {}
    for r, pairs in zip(new, _candidates(backend, new), strict=True):
        for pair in pairs:
            if pair not in new_keys:
                asked.setdefault(pair, []).append(r)
    links: dict[tuple[str, int], set[str]] = {}  # new report -> stored incidents it links to
    for row in _rows_of_reports(backend, asked):
        other = _report(row)
        for r in asked[other.key] if row["incident_id"] else ():
            link = compare(r, other) if r.key < other.key else compare(other, r)
            if link.score is not None and link.score >= MERGE_SCORE and not link.far:
                links.setdefault(r.key, set()).add(row["incident_id"])
    options = {i.id: set().union(*(links.get(r.key, set()) for r in i.reports))
               for i in local}
    stored = sorted(set().union(*options.values()))
    representatives = {i: [_report(_link_row(row)) for row in rows] for i, rows in zip(
        stored, backend.fetch_each([  # one round trip on a server
            (_LINK_SELECT + "incident_id = ? ORDER BY published DESC, article_id DESC, "
             "report_index LIMIT ?", (i, REPRESENTATIVES)) for i in stored]), strict=True)}
    joins = attach(local, representatives, options)
    # new clusters and the stored incidents they join, grouped (a stored incident joined by
    # two new clusters, or two stored incidents bridged by one, end up as one incident)
    sets = MinRootSets()
    for new_id, stored_ids in joins.items():
        for stored_id in stored_ids:
            sets.union(new_id, stored_id)
    groups: dict[str, tuple[list[str], list[Incident]]] = {}
    out = []
    for incident in local:
        if incident.id in joins:
            groups.setdefault(sets.find(incident.id), ([], []))[1].append(incident)
        else:
            out.append(incident)
    for stored_id in sorted({i for ids in joins.values() for i in ids}):
        groups[sets.find(stored_id)][0].append(stored_id)
    for _, (stored_ids, parts) in sorted(groups.items()):
        out.append(_grow(backend, stored_ids, parts,
                         [r for i in stored_ids for r in representatives[i]]))
    return write_incidents(backend, out)


def _grow(backend: StoreBackend, stored_ids: list[str], parts: list[Incident],
          representatives: list[EventReport]) -> Incident:
    """The stored incidents with the new clusters `parts` joined to them, as one incident.
    Their members are read for the incident's row (and for analysts' corrections, which may
    explain it again); only the new members, and a member that was alone until now, get a
    reason (compared with the representatives)."""
    rows = _rows(backend, f"incident_id IN ({marks(len(stored_ids))})", stored_ids)
    members = [_report(row) for row in rows]
    joined = [r for part in parts for r in part.reports]
    incident = Incident(incident_id(members + joined), members + joined,
                        replaces=tuple(stored_ids))
    incident.component = "blk:" + incident.id[4:]
    alone = [r for r, row in zip(members, rows, strict=True)
             if (row["reason"] or "").startswith("first report")]
    explain_joined(incident, joined, representatives + joined)
    explain_joined(incident, [r for r in representatives if r.key in {a.key for a in alone}],
                   joined)
    similarity = [incident.similarity.get(r.key, row["similarity"] or 0.0)
                  for r, row in zip(members, rows, strict=True)]
    similarity += [incident.similarity[r.key] for r in joined]
    incident.confidence = round(min(1.0, 0.5 + sum(similarity) / len(similarity)), 3)
    return incident


def write_incidents(backend: StoreBackend, incidents: list[Incident]) -> int:
    """Write the final incidents (the one place they are written): the incident rows, and for
    each report with a (new) reason its link; the stored incidents an incident grew from are
    replaced by it. Analysts' corrections apply here, last."""
    for incident in incidents:
        if incident.replaces:
            where = f"incident_id IN ({marks(len(incident.replaces))})"
            backend.execute(f"DELETE FROM incidents WHERE {where}", list(incident.replaces))
            backend.execute(f"UPDATE article_incidents SET incident_id = ?, component = ? "
                            f"WHERE {where}", [incident.id, incident.component,
                                               *incident.replaces])
    incidents = correct_incidents(backend, incidents)  # analysts' splits, merges, categories
    backend.execute_many(
        "UPDATE article_incidents SET incident_id = ?, reason = ?, similarity = ?, "
        "component = ? WHERE article_id = ? AND report_index = ?",
        [(incident.id, incident.reasons.get(r.key), incident.similarity.get(r.key),
          incident.component, r.article_id, r.index)
         for incident in incidents for r in incident.reports if r.key in incident.reasons])
    # what the rows show of their articles and anchor mentions: read for all at once
    articles = {row[0]: dict(zip(_SOURCE_FIELDS, row, strict=True)) for row in _rows_by_id(
        backend, "articles", "article_id", _SOURCE_FIELDS,
        sorted({a for i in incidents for a in i.article_ids}))}
    places = {row[0]: tuple(row[1:]) for row in _rows_by_id(
        backend, "mentions", "mention_id", ("mention_id", *_PLACE_FIELDS),
        sorted({i.anchor.mention_id for i in incidents if i.anchor.mention_id}))}
    backend.insert_rows("incidents", [_incident_row(backend, i, articles, places)
                                      for i in incidents])
    return len(incidents)


_SOURCE_FIELDS = ("article_id", "title", "source", "url", "published")
_PLACE_FIELDS = ("name", "surface", "kind", "level", "place_id", "precision", "geo_precision",
                 "confidence", "country", "adm0_iso3", "adm0_name", "adm1_iso", "adm1_name",
                 "adm2_code", "adm2_name", "lat", "lon", "geom")


def _rows_by_id(backend: StoreBackend, table: str, id_column: str, fields: Sequence[str],
                ids: list[str]) -> list[tuple]:
    """The `fields` of the rows of `table` whose `id_column` is one of ids."""
    return [row for chunk in chunks(ids) for row in backend.execute(
        f"SELECT {', '.join(fields)} FROM {table} WHERE {id_column} IN ({marks(len(chunk))})",
        chunk).fetchall()]


def _incident_row(backend: StoreBackend, incident: Incident, articles: dict[str, dict],
                  places: dict[str, tuple]) -> dict:
    anchor = incident.anchor
    ids = incident.article_ids
    first = articles.get(anchor.article_id, {})
    values: dict[str, object] = {
        "incident_id": incident.id, "article_id": anchor.article_id,
        "title": first.get("title"), "source": first.get("source"),
        "source_url": first.get("url"), "published": first.get("published"),
        "event_date": anchor.event_date.isoformat() if anchor.event_date else None,
        "time_precision": anchor.time_precision, "date_evidence": anchor.date_evidence,
        "reason": anchor.place_reason or None, "snippet": anchor.sentence,
        "category": incident.category, "category_evidence": incident.category_evidence,
        "source_count": incident.source_count,
        "first_reported": incident.first_reported.isoformat() if incident.first_reported
        else None,
        "article_ids": json.dumps(ids), "sources": json.dumps([articles[a] for a in ids
                                                               if a in articles]),
        "merge_confidence": incident.confidence, "component": incident.component,
        "analyst": getattr(incident, "analyst", None) or None,  # set by event corrections
    }
    mention_id = anchor.mention_id
    point = None
    if mention_id:
        row = places.get(mention_id)
        if row is not None:
            (values["name"], values["surface"], values["kind"], values["level"],
             values["gazetteer_id"], values["precision"], values["geo_precision"],
             values["confidence"], values["country"], values["adm0_iso3"],
             values["adm0_name"], values["adm1_iso"], values["adm1_name"],
             values["adm2_code"], values["adm2_name"], lat, lon, geom) = row
            values["mention_id"] = mention_id
            if lat is not None and lon is not None:
                point = shapely.Point(lon, lat)
            elif geom is not None:
                shape = backend.decode_geometries([geom])[0]
                if shape is not None and not shape.is_empty:
                    point = shape.representative_point()
    if point is not None:
        values.update(lat=point.y, lon=point.x)
    values["geom"] = point
    return values


def forget_article(backend: StoreBackend, article_id: str) -> list[EventReport]:
    """Remove an article's reports (before it is processed again); returns the other reports
    of the incidents it was in, whose incidents are dropped and must be merged again."""
    incidents = [i for (i,) in backend.execute(
        "SELECT DISTINCT incident_id FROM article_incidents WHERE article_id = ? AND "
        "incident_id IS NOT NULL", (article_id,)).fetchall()]
    backend.execute("DELETE FROM article_incidents WHERE article_id = ?", (article_id,))
    backend.execute("DELETE FROM event_keys WHERE article_id = ?", (article_id,))
    others: list[EventReport] = []
    if incidents:
        where = f"incident_id IN ({marks(len(incidents))})"
        others = _load(backend, where, incidents)
        backend.execute(f"DELETE FROM incidents WHERE {where}", incidents)
        backend.execute(f"UPDATE article_incidents SET incident_id = NULL WHERE {where}",
                        incidents)
    return others


def rebuild(store: IncidentStore) -> int:
    """Derive every incident again from the stored articles and mentions (after a migration,
    or `geo incidents rebuild`): the same input gives the same incidents."""
    backend = store.backend
    fields = list(Mention.__dataclass_fields__)
    columns = ", ".join(f'"{f}"' for f in fields)
    with backend.transaction():
        for table in ("incidents", "article_incidents", "event_keys"):
            backend.execute(f"DELETE FROM {table}")
        reports: list[EventReport] = []
        articles = backend.execute(
            "SELECT article_id, title, text, published FROM articles ORDER BY article_id"
        ).fetchall()
        for article_id, title, text, published in articles:
            rows = backend.execute(
                f'SELECT mention_id, {columns} FROM mentions WHERE article_id = ? '
                'ORDER BY start, mention_id', (article_id,)).fetchall()
            mentions = [Mention(**dict(zip(fields, r[1:], strict=True))) for r in rows]
            ids = [r[0] for r in rows]
            reports += write_reports(backend, reports_of_article(
                article_id, title, text, mentions, ids,
                date.fromisoformat(published[:10]) if published else None))
        count = write_incidents(backend, cluster_reports(reports))
        if needs_rebuild(backend):
            backend.execute("DELETE FROM store_meta WHERE key = 'incidents_rebuild'")
    return count


def needs_rebuild(backend: StoreBackend) -> bool:
    try:
        row = backend.execute("SELECT value FROM store_meta WHERE key = 'incidents_rebuild'"
                              ).fetchone()
    except backend.errors:
        return False
    return bool(row and row[0] == "1")
