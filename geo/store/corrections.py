"""Analyst corrections: stored by content hash + span, applied over the parser's mentions on
every ingest and reprocess, and surviving a gazetteer rebuild (a snapshot of the place is kept).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

from geo.errors import StoreError
from geo.read import ArticleRecord
from geo.store.backend import StoreBackend, chunks, marks
from geo.types import Mention, Place

if TYPE_CHECKING:
    from geo.store import IncidentStore

PlaceLookup = Callable[[int], Place | None]
PLACE_PRECISION = {"place": "place", "admin2": "admin2", "admin1": "admin1",
                   "country": "country", "region": "subregion"}


def place_to_mention_fields(place: Place | dict) -> dict:
    p = place if isinstance(place, dict) else place.to_dict()
    return {"place_id": p["id"], "name": p["name"], "level": p["level"],
            "country": p.get("country"), "country_iso3": p.get("country_iso3"),
            "admin1_iso": p.get("admin1_iso"), "admin1_code": p.get("admin1_code"),
            "admin2_code": p.get("admin2_code"), "lat": p.get("lat"), "lon": p.get("lon"),
            "precision": PLACE_PRECISION.get(p["level"], "place"), "geometry_wkt": None,
            "modifier": None}


def apply_corrections(text: str, mentions: list[Mention], corrections: list[dict]) -> list[Mention]:
    """Analyst corrections win over the parser: same span -> that place (or no place at all)."""
    by_span = {(m.start, m.end): m for m in mentions}
    for c in corrections:
        span = (int(c["start"]), int(c["end"]))
        if c.get("place") is None:  # "this is not a place"
            by_span.pop(span, None)
            continue
        mention = by_span.get(span) or Mention(span[0], span[1], text[span[0]:span[1]])
        for key, value in place_to_mention_fields(c["place"]).items():
            setattr(mention, key, value)
        mention.kind = "toponym"
        mention.confidence = 1.0
        mention.evidence = f"analyst correction{': ' + c['note'] if c.get('note') else ''}"
        by_span[span] = mention
    return sorted(by_span.values(), key=lambda m: (m.start, m.end))


def corrections_for(backend: StoreBackend, hashes: set[str], place: PlaceLookup,
                    ) -> dict[str, list[dict]]:
    """content hash -> its corrections, oldest first, each with the place as a dict."""
    out: dict[str, list[dict]] = {}
    for chunk in chunks(sorted(hashes)):
        rows = backend.execute(
            'SELECT content_hash, start, "end", gazetteer_id, note, place_json FROM '
            f"corrections WHERE content_hash IN ({marks(len(chunk))}) ORDER BY fid",
            chunk).fetchall()
        for digest, start, end, gazetteer_id, note, place_json in rows:
            found = None
            if gazetteer_id is not None:
                # the gazetteer is the truth; the snapshot covers ids gone after a rebuild
                match = place(int(gazetteer_id))
                found = match.to_dict() if match else json.loads(place_json)
            out.setdefault(digest, []).append(
                {"start": start, "end": end, "place": found, "note": note})
    return out


def add_correction(store: IncidentStore, article_id: str, start: int, end: int,
                   gazetteer_id: int | None, note: str = "") -> None:
    """Record that text[start:end] of an article is gazetteer place `gazetteer_id` (None: not
    a place), then re-resolve, re-join and update that article's incident."""
    from geo.store.ingest import now

    backend = store.backend
    row = backend.execute("SELECT content_hash, text FROM articles WHERE article_id = ?",
                          (article_id,)).fetchone()
    if row is None:
        raise StoreError(f"no article {article_id!r} in {backend.location}")
    digest, text = row
    if not (0 <= start < end <= len(text)):
        raise StoreError(f"span {start}-{end} is outside the article (length {len(text)})")
    place = None
    if gazetteer_id is not None:
        place = store.place(int(gazetteer_id))
        if place is None:
            raise StoreError(f"gazetteer id {gazetteer_id} is not in the gazetteer")
    with backend.transaction():
        backend.execute(
            'INSERT INTO corrections (content_hash, article_id, start, "end", surface, '
            "gazetteer_id, note, created_at, place_name, place_json) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (digest, article_id, start, end, text[start:end], gazetteer_id, note, now(),
             place.name if place else None,
             json.dumps(place.to_dict(), ensure_ascii=False) if place else None))
        reprocess(store, article_id)


def stored_article(backend: StoreBackend, article_id: str) -> ArticleRecord:
    row = backend.execute(
        "SELECT article_id, title, url, source, published, text, source_path "
        "FROM articles WHERE article_id = ?", (article_id,)).fetchone()
    return ArticleRecord(text=row[5], article_id=row[0], title=row[1], url=row[2],
                         source=row[3], published=row[4], source_path=row[6])


def reprocess(store: IncidentStore, article_id: str, reparse: bool = False) -> None:
    """Rebuild one article's mentions and incident (inside the caller's transaction): from its
    stored mentions, or re-parsed from its text, with corrections applied."""
    from geo.join import join_mentions
    from geo.store.events import forget_article, merge
    from geo.store.ingest import parse_text, write_mentions_and_reports

    backend = store.backend
    article = stored_article(backend, article_id)
    if reparse:
        mentions = (store.parser or parse_text)(article.text, article.published_date)
    else:
        fields = list(Mention.__dataclass_fields__)
        columns = ", ".join(f'"{f}"' for f in fields)
        stored = backend.execute(f"SELECT {columns} FROM mentions WHERE article_id = ? "
                                 "ORDER BY start", (article_id,)).fetchall()
        mentions = [Mention(**dict(zip(fields, r, strict=True))) for r in stored]
    digest = article.content_hash
    mentions = apply_corrections(article.text, mentions,
                                 corrections_for(backend, {digest}, store.place).get(digest, []))
    others = forget_article(backend, article_id)
    backend.execute("DELETE FROM mentions WHERE article_id = ?", (article_id,))
    joined = join_mentions(mentions, store.boundaries)
    reports = write_mentions_and_reports(backend, article, mentions,
                                         joined.drop(columns="geometry").to_dict("records"),
                                         list(joined.geometry.array))
    merge(backend, reports + others, store.merge)


def reprocess_all(store: IncidentStore, batch_size: int = 100) -> int:
    """Re-parse and re-join every stored article (after a gazetteer rebuild or a parser
    update); analyst corrections are applied again. Returns the number of articles."""
    ids = [r[0] for r in store.backend.execute("SELECT article_id FROM articles ORDER BY fid"
                                               ).fetchall()]
    for i in range(0, len(ids), batch_size):
        with store.backend.transaction():
            for article_id in ids[i:i + batch_size]:
                reprocess(store, article_id, reparse=True)
    return len(ids)
