"""The incident store: one GeoPackage (QGIS opens it as is) with articles, mentions, incidents
and analyst corrections.

Each article is written in its own savepoint, so it is fully in or fully out even when the
process is killed; the same content twice is a no-op (content hash); WAL lets the app read while
an ingest writes. Area-level mentions store the simplified boundary polygons, lightened further
to at most ~2 kB each (geo.join.lighten), so a store of 10,000 articles stays manageable.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geo import paths
from geo.gazetteer import GazetteerMissingError
from geo.incidents import IncidentChoice, choose_incident
from geo.join import AdminBoundaries, join_mentions
from geo.read import ArticleRecord, Reject
from geo.store_gpkg import (
    add_attributes_table,
    add_feature_table,
    decode_many,
    encode,
    init_core,
    register_functions,
)
from geo.store_schema import (
    ARTICLE_COLUMNS,
    CORRECTION_COLUMNS,
    INCIDENT_COLUMNS,
    MENTION_COLUMNS,
    columns_sql,
)
from geo.types import Mention, Place

Parser = Callable[[str, date | None], list[Mention]]
CRS = "EPSG:4326"
PLACE_PRECISION = {"place": "place", "admin2": "admin2", "admin1": "admin1",
                   "country": "country", "region": "subregion"}


class StoreError(RuntimeError):
    """A user-facing problem with the store (bad path, unknown article, unknown place)."""


@dataclass
class IngestReport:
    read: int = 0
    stored: int = 0
    already_present: int = 0
    rejected: int = 0
    rejects: list[Reject] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (source, note): kept, but noted
    seconds: float = 0.0

    def reject(self, item: Reject) -> None:
        self.rejected += 1
        self.rejects.append(item)

    def summary(self) -> str:
        return (f"read {self.read}, stored {self.stored}, already present "
                f"{self.already_present}, rejected {self.rejected} ({self.seconds:.1f} s)")


def parse_text(text: str, published: date | None) -> list[Mention]:
    """The one place the pipeline calls the geoparser (geo.parse, another module)."""
    from geo.parse import parse

    return parse(text, published=published.isoformat() if published else None)


def _parse_job(job: tuple[Parser | None, str, date | None]) -> tuple[
        list[Mention] | None, IncidentChoice | None, str | None]:
    """(mentions, incident choice, None) or (None, None, error text). Runs in the workers
    when there are some, so the incident choice is parallel too."""
    parser, text, published = job
    try:
        mentions = (parser or parse_text)(text, published)
    except GazetteerMissingError:
        raise  # a setup problem, not a bad article: stop with the build hint
    except Exception as exc:  # noqa: BLE001 - one bad article must not stop the run
        return None, None, f"{type(exc).__name__}: {exc}"
    return mentions, choose_incident(text, mentions, published), None


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


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z"


def _as_list(value: object) -> list | None:
    if value is None or value == "" or value == []:
        return None
    return [value] if isinstance(value, str | int | float) else list(value)


class IncidentStore:
    """Open (creating if needed) the GeoPackage store at `path` (default GEO_STORE)."""

    def __init__(self, path: str | Path | None = None, parser: Parser | None = None,
                 boundaries: AdminBoundaries | None = None,
                 gazetteer_get: Callable[[int], Place | None] | None = None) -> None:
        self.path = Path(path) if path is not None else paths.default_store()
        if self.path.exists() and self.path.is_dir():
            raise StoreError(f"store path {self.path} is a folder, expected a .gpkg file")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._parser = parser
        self._boundaries = boundaries
        self._gazetteer_get = gazetteer_get
        self.connection = self._connect()

    # -- setup ---------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        try:
            connection = sqlite3.connect(self.path, timeout=60, isolation_level=None)
            register_functions(connection)
            has_tables = connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            is_gpkg = connection.execute("SELECT count(*) FROM sqlite_master WHERE "
                                         "name = 'gpkg_contents'").fetchone()[0]
            if has_tables and not is_gpkg:
                connection.close()
                raise StoreError(f"{self.path} is an SQLite file but not a GeoPackage store: "
                                 "refusing to write into it")
            # GDAL checks application_id in the file header itself: write it before WAL
            # mode could leave it sitting in the -wal file
            if connection.execute("PRAGMA application_id").fetchone()[0] == 0:
                init_core(connection)
            connection.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute("PRAGMA cache_size=-65536")  # 64 MB: big stores keep indexes hot
            connection.execute("PRAGMA foreign_keys=ON")
            if is_gpkg and _has_layers(connection):
                return connection  # ready: take no write lock, so opening never waits on ingest
            connection.execute("BEGIN IMMEDIATE")
            init_core(connection)
            add_attributes_table(connection, "articles", columns_sql(ARTICLE_COLUMNS),
                                 "articles as read (text, source, publication date)")
            add_feature_table(connection, "mentions", "GEOMETRY", columns_sql(MENTION_COLUMNS),
                              "place mentions with admin join (points, or simplified polygons)")
            add_feature_table(connection, "incidents", "POINT", columns_sql(INCIDENT_COLUMNS),
                              "one incident per article: primary location and event date")
            add_attributes_table(connection, "corrections", columns_sql(CORRECTION_COLUMNS),
                                 "analyst corrections, applied on every ingest")
            for sql in ("CREATE INDEX IF NOT EXISTS mentions_article ON mentions(article_id)",
                        "CREATE INDEX IF NOT EXISTS incidents_date ON incidents(event_date)",
                        "CREATE INDEX IF NOT EXISTS corrections_hash ON corrections(content_hash)"):
                connection.execute(sql)
            connection.execute("COMMIT")
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the store {self.path}: {exc} (is it a GeoPackage?)") \
                from exc
        return connection

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> IncidentStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def boundaries(self) -> AdminBoundaries:
        if self._boundaries is None:
            from geo.join import load_admin_boundaries

            self._boundaries = load_admin_boundaries()
        return self._boundaries

    def _place(self, place_id: int) -> Place | None:
        if self._gazetteer_get is None:
            from geo.gazetteer import load_gazetteer

            self._gazetteer_get = load_gazetteer().get
        return self._gazetteer_get(place_id)

    # -- ingest --------------------------------------------------------------------------
    def ingest(self, records: Iterable[ArticleRecord | Reject], batch_size: int = 100,
               progress: Callable[[IngestReport], None] | None = None,
               workers: int = 1) -> IngestReport:
        """Parse, join, choose the incident and write; rejects (from reading) are counted.

        With workers > 1 the geoparser runs in forked worker processes, one batch ahead of
        the join and write in this process (which stays the only writer). Forking suits the
        CLI; multi-threaded callers (the Streamlit app) keep workers=1."""
        report = IngestReport()
        started = time.perf_counter()
        pool = self._parse_pool(workers) if workers > 1 else None
        in_flight: dict[str, str] = {}  # content hash -> article id, parsed but not yet written
        pending: tuple[list[ArticleRecord], Callable[[], list]] | None = None
        try:
            for batch in _batches(records, batch_size):
                articles = []
                for item in batch:
                    report.read += 1
                    if isinstance(item, Reject):
                        report.reject(item)
                    else:
                        articles.append(item)
                        report.notes.extend((item.source_path or item.article_id, n)
                                            for n in item.notes)
                fresh = self._new_articles(articles, report, in_flight)
                in_flight.update((a.content_hash, a.article_id) for a in fresh)
                started_parse = self._start_parse(fresh, pool)
                if pending:
                    self._finish_batch(*pending, report)
                    for done in pending[0]:  # written (or rejected): the database knows now
                        in_flight.pop(done.content_hash, None)
                    if progress:
                        progress(report)
                pending = (fresh, started_parse)
                if pool is None:  # serial: nothing to overlap, write this batch now
                    self._finish_batch(*pending, report)
                    in_flight.clear()
                    pending = None
                    if progress:
                        progress(report)
            if pending:
                self._finish_batch(*pending, report)
                if progress:
                    progress(report)
        finally:
            if pool is not None:
                pool.terminate()
        report.seconds = time.perf_counter() - started
        return report

    def _parse_pool(self, workers: int) -> object:
        """Forked workers inherit the parser already loaded here (no reload per worker)."""
        import multiprocessing

        if self._parser is None:
            parse_text("Warm-up in Paris.", None)
        return multiprocessing.get_context("fork").Pool(workers)

    def _start_parse(self, articles: list[ArticleRecord], pool: object | None,
                     ) -> Callable[[], list]:
        """Parse now (no pool) or in the background; returns a function giving the results:
        per article, its mentions or the exception text."""
        jobs = [(self._parser, a.text, a.published_date) for a in articles]
        if pool is None:
            results = [_parse_job(job) for job in jobs]
            return lambda: results
        handle = pool.map_async(_parse_job, jobs, chunksize=max(1, len(jobs) // 8))
        return handle.get

    def _new_articles(self, articles: list[ArticleRecord], report: IngestReport,
                      in_flight: dict[str, str] | None = None) -> list[ArticleRecord]:
        """Articles to store; the rest are already present (same content) or rejected
        (an id the store already has for other content)."""
        in_flight = in_flight or {}
        hashes = {a.content_hash for a in articles}
        ids = {a.article_id for a in articles}
        known_hashes = self._existing("content_hash", hashes) | (hashes & in_flight.keys())
        known_ids = self._existing("article_id", ids) | (ids & set(in_flight.values()))
        fresh, seen = [], set()
        for article in articles:
            digest = article.content_hash
            if digest in known_hashes or digest in seen:
                report.already_present += 1
            elif article.article_id in known_ids:
                report.reject(Reject(article.source_path or "", f"article id "
                                     f"{article.article_id!r} is already in the store with "
                                     "different text", article.article_id))
            else:
                seen.add(digest)
                known_ids.add(article.article_id)
                fresh.append(article)
        return fresh

    def _existing(self, column: str, values: set[str]) -> set[str]:
        found: set[str] = set()
        values_list = list(values)
        for i in range(0, len(values_list), 500):
            chunk = values_list[i:i + 500]
            rows = self.connection.execute(
                f"SELECT {column} FROM articles WHERE {column} IN ({','.join('?' * len(chunk))})",
                chunk)
            found.update(r[0] for r in rows)
        return found

    def _corrections_for(self, hashes: set[str]) -> dict[str, list[dict]]:
        out: dict[str, list[dict]] = {}
        hash_list = list(hashes)
        for i in range(0, len(hash_list), 500):
            chunk = hash_list[i:i + 500]
            rows = self.connection.execute(
                "SELECT content_hash, start, \"end\", gazetteer_id, note, place_json FROM "
                f"corrections WHERE content_hash IN ({','.join('?' * len(chunk))}) ORDER BY fid",
                chunk).fetchall()
            for digest, start, end, gazetteer_id, note, place_json in rows:
                place = None
                if gazetteer_id is not None:
                    # the gazetteer is the truth; the snapshot covers ids gone after a rebuild
                    found = self._place(int(gazetteer_id))
                    place = found.to_dict() if found else json.loads(place_json)
                out.setdefault(digest, []).append(
                    {"start": start, "end": end, "place": place, "note": note})
        return out

    def _parse(self, article: ArticleRecord) -> list[Mention]:
        parser = self._parser or parse_text
        return parser(article.text, article.published_date)

    def _finish_batch(self, fresh: list[ArticleRecord], results: Callable[[], list],
                      report: IngestReport) -> None:
        """Corrections, one vectorised admin join for the batch, then one transaction with a
        savepoint per article."""
        if not fresh:
            return
        corrections = self._corrections_for({a.content_hash for a in fresh})
        parsed: list[tuple[ArticleRecord, list[Mention]]] = []
        choices: list[IncidentChoice | None] = []
        for article, (mentions, choice, error) in zip(fresh, results(), strict=True):
            if error is not None:
                report.reject(Reject(article.source_path or "", f"geoparser failed: {error}",
                                     article.article_id))
                continue
            if article.content_hash in corrections:  # corrected mentions: choose again
                mentions = apply_corrections(article.text, mentions,
                                             corrections[article.content_hash])
                choice = None
            parsed.append((article, mentions))
            choices.append(choice)
        joined = join_mentions([m for _, ms in parsed for m in ms], self.boundaries)
        # plain lists: slicing pandas frames per article costs more than the parse
        records = joined.drop(columns="geometry").to_dict("records")
        shapes = list(joined.geometry.array)
        offset = 0
        self.connection.execute("BEGIN IMMEDIATE")
        try:
            for (article, mentions), choice in zip(parsed, choices, strict=True):
                span = slice(offset, offset + len(mentions))
                offset += len(mentions)
                self.connection.execute("SAVEPOINT article")
                try:
                    self._write_article(article, mentions, records[span], shapes[span], choice)
                    self.connection.execute("RELEASE article")
                    report.stored += 1
                except (sqlite3.DatabaseError, ValueError, TypeError) as exc:
                    self.connection.execute("ROLLBACK TO article")
                    self.connection.execute("RELEASE article")
                    report.reject(Reject(article.source_path or "", f"could not store: {exc}",
                                         article.article_id))
            self.connection.execute("COMMIT")
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise

    def _write_article(self, article: ArticleRecord, mentions: list[Mention],
                       records: list[dict], shapes: list,
                       choice: IncidentChoice | None = None) -> None:
        self.connection.execute(
            "INSERT INTO articles (article_id, content_hash, title, url, source, published, "
            "text, source_path, notes, ingested_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (article.article_id, article.content_hash, article.title, article.url,
             article.source, article.published, article.text, article.source_path,
             "; ".join(article.notes) or None, _now()))
        self._write_mentions_and_incident(article, mentions, records, shapes, choice)

    def _write_mentions_and_incident(self, article: ArticleRecord, mentions: list[Mention],
                                     records: list[dict], shapes: list,
                                     choice: IncidentChoice | None = None) -> None:
        """Insert the joined mentions (records + shapes, parallel to `mentions`) and the
        article's incident."""
        mention_ids: list[str] = []
        seen: set[str] = set()
        rows = []
        for mention, record, geometry in zip(mentions, records, shapes, strict=True):
            mention_id = f"{article.article_id}:{mention.start}-{mention.end}"
            while mention_id in seen:
                mention_id += "+"
            seen.add(mention_id)
            mention_ids.append(mention_id)
            values = {c: _sql_value(record.get(c)) for c, _ in MENTION_COLUMNS}
            values.update(mention_id=mention_id, article_id=article.article_id)
            rows.append([encode(geometry), *(values[c] for c, _ in MENTION_COLUMNS)])
        self.connection.executemany(
            f"INSERT INTO mentions (geom, {', '.join(_q(c) for c, _ in MENTION_COLUMNS)}) "
            f"VALUES (?, {', '.join('?' * len(MENTION_COLUMNS))})", rows)

        if choice is None:
            choice = choose_incident(article.text, mentions, article.published_date)
        values: dict[str, object] = {
            "incident_id": f"inc:{article.article_id}", "article_id": article.article_id,
            "title": article.title, "source": article.source, "source_url": article.url,
            "published": article.published,
            "event_date": choice.event_date.isoformat() if choice.event_date else None,
            "time_precision": choice.time_precision, "date_evidence": choice.date_evidence,
            "reason": choice.reason, "snippet": choice.snippet,
        }
        point = None
        if choice.primary is not None:
            m, record = mentions[choice.primary], records[choice.primary]
            values.update(
                mention_id=mention_ids[choice.primary], name=m.name, surface=m.surface,
                kind=m.kind, level=m.level, gazetteer_id=m.place_id, precision=m.precision,
                country=m.country, geo_precision=_sql_value(record["geo_precision"]),
                confidence=m.confidence,
                **{c: _sql_value(record[c]) for c in ("adm0_iso3", "adm0_name", "adm1_iso",
                                                      "adm1_name", "adm2_code", "adm2_name")})
            shape = shapes[choice.primary]
            if m.lat is not None and m.lon is not None:
                point = shapely.Point(m.lon, m.lat)
            elif shape is not None and not shape.is_empty:
                point = shape.representative_point()
            if point is not None:
                values.update(lat=point.y, lon=point.x)
        columns = [c for c, _ in INCIDENT_COLUMNS]
        self.connection.execute(
            f"INSERT INTO incidents (geom, {', '.join(_q(c) for c in columns)}) "
            f"VALUES (?, {', '.join('?' * len(columns))})",
            [encode(point), *(values.get(c) for c in columns)])

    # -- corrections ---------------------------------------------------------------------
    def add_correction(self, article_id: str, start: int, end: int, gazetteer_id: int | None,
                       note: str = "") -> None:
        """Record that text[start:end] of an article is gazetteer place `gazetteer_id` (None:
        not a place), then re-resolve, re-join and update that article's incident."""
        row = self.connection.execute(
            "SELECT content_hash, text FROM articles WHERE article_id = ?", (article_id,)
        ).fetchone()
        if row is None:
            raise StoreError(f"no article {article_id!r} in {self.path}")
        digest, text = row
        if not (0 <= start < end <= len(text)):
            raise StoreError(f"span {start}-{end} is outside the article (length {len(text)})")
        place = None
        if gazetteer_id is not None:
            place = self._place(int(gazetteer_id))
            if place is None:
                raise StoreError(f"gazetteer id {gazetteer_id} is not in the gazetteer")
        self.connection.execute("BEGIN IMMEDIATE")
        try:
            self.connection.execute(
                "INSERT INTO corrections (content_hash, article_id, start, \"end\", surface, "
                "gazetteer_id, note, created_at, place_name, place_json) "
                "VALUES (?,?,?,?,?,?,?,?,?,?)",
                (digest, article_id, start, end, text[start:end], gazetteer_id, note, _now(),
                 place.name if place else None,
                 json.dumps(place.to_dict(), ensure_ascii=False) if place else None))
            self._reprocess(article_id)
            self.connection.execute("COMMIT")
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise

    def _stored_article(self, article_id: str) -> ArticleRecord:
        row = self.connection.execute(
            "SELECT article_id, title, url, source, published, text, source_path "
            "FROM articles WHERE article_id = ?", (article_id,)).fetchone()
        return ArticleRecord(text=row[5], article_id=row[0], title=row[1], url=row[2],
                             source=row[3], published=row[4], source_path=row[6])

    def _reprocess(self, article_id: str, reparse: bool = False) -> None:
        """Rebuild one article's mentions and incident (inside the caller's transaction):
        from its stored mentions, or re-parsed from its text, with corrections applied."""
        article = self._stored_article(article_id)
        if reparse:
            mentions = self._parse(article)
        else:
            fields = list(Mention.__dataclass_fields__)
            stored = self.connection.execute(
                f"SELECT {', '.join(_q(f) for f in fields)} FROM mentions WHERE article_id = ? "
                "ORDER BY start", (article_id,)).fetchall()
            mentions = [Mention(**dict(zip(fields, r, strict=True))) for r in stored]
        digest = article.content_hash
        mentions = apply_corrections(article.text, mentions,
                                     self._corrections_for({digest}).get(digest, []))
        self.connection.execute("DELETE FROM mentions WHERE article_id = ?", (article_id,))
        self.connection.execute("DELETE FROM incidents WHERE article_id = ?", (article_id,))
        joined = join_mentions(mentions, self.boundaries)
        self._write_mentions_and_incident(article, mentions,
                                          joined.drop(columns="geometry").to_dict("records"),
                                          list(joined.geometry.array))

    def reprocess_all(self, batch_size: int = 100) -> int:
        """Re-parse and re-join every stored article (after a gazetteer rebuild or a parser
        update); analyst corrections are applied again. Returns the number of articles."""
        ids = [r[0] for r in self.connection.execute("SELECT article_id FROM articles "
                                                     "ORDER BY fid")]
        for i in range(0, len(ids), batch_size):
            self.connection.execute("BEGIN IMMEDIATE")
            try:
                for article_id in ids[i:i + batch_size]:
                    self._reprocess(article_id, reparse=True)
                self.connection.execute("COMMIT")
            except BaseException:
                self.connection.execute("ROLLBACK")
                raise
        return len(ids)

    def corrections(self) -> pd.DataFrame:
        return pd.read_sql_query("SELECT * FROM corrections ORDER BY fid", self.connection)

    # -- reading -------------------------------------------------------------------------
    def articles(self) -> pd.DataFrame:
        return pd.read_sql_query("SELECT * FROM articles ORDER BY fid", self.connection)

    def incidents(self, **filters: object) -> gpd.GeoDataFrame:
        return self._read("incidents", filters)

    def mentions(self, **filters: object) -> gpd.GeoDataFrame:
        return self._read("mentions", filters)

    def _read(self, table: str, filters: dict) -> gpd.GeoDataFrame:
        where, params = _where(table, filters)
        extra, join = "", ""
        if table == "mentions":  # the article's event date, source and a context snippet
            extra = (", t.place_id AS gazetteer_id, i.published AS published, "
                     "i.event_date AS event_date, i.source_url AS source_url, "
                     "trim(replace(replace(substr(a.text, max(1, t.start - 79), t.\"end\" - "
                     "t.start + 160), char(10), ' '), char(13), ' ')) AS snippet")
            join = " LEFT JOIN incidents i ON i.article_id = t.article_id"
        if table == "mentions" or filters.get("text"):
            join += " JOIN articles a ON a.article_id = t.article_id"
        sql = f"SELECT t.*{extra} FROM {table} t{join}{where} ORDER BY t.fid"
        frame = pd.read_sql_query(sql, self.connection, params=params)
        geometry = decode_many(frame.pop("geom").tolist()) if len(frame) else []
        return gpd.GeoDataFrame(frame.drop(columns="fid"), geometry=gpd.GeoSeries(
            geometry, index=frame.index, crs=CRS), crs=CRS)

    def stats(self) -> dict:
        q = self.connection.execute

        def grouped(sql: str) -> dict:
            return {str(k): v for k, v in q(sql).fetchall()}

        first, last = q("SELECT min(event_date), max(event_date) FROM incidents").fetchone()
        return {
            "store": str(self.path),
            "articles": q("SELECT count(*) FROM articles").fetchone()[0],
            "mentions": q("SELECT count(*) FROM mentions").fetchone()[0],
            "incidents": q("SELECT count(*) FROM incidents").fetchone()[0],
            "located_incidents": q("SELECT count(*) FROM incidents WHERE geom IS NOT NULL"
                                   ).fetchone()[0],
            "corrections": q("SELECT count(*) FROM corrections").fetchone()[0],
            "event_date_range": [first, last],
            "incidents_by_country": grouped(
                "SELECT coalesce(adm0_iso3, 'unknown'), count(*) c FROM incidents "
                "GROUP BY 1 ORDER BY c DESC, 1"),
            "incidents_by_geo_precision": grouped(
                "SELECT coalesce(geo_precision, 'none'), count(*) FROM incidents GROUP BY 1"),
            "incidents_by_time_precision": grouped(
                "SELECT coalesce(time_precision, 'none'), count(*) FROM incidents GROUP BY 1"),
            "mentions_by_kind": grouped("SELECT kind, count(*) FROM mentions GROUP BY 1"),
        }


def _has_layers(connection: sqlite3.Connection) -> bool:
    names = {r[0] for r in connection.execute("SELECT table_name FROM gpkg_contents")}
    return {"articles", "mentions", "incidents", "corrections"} <= names


def _q(column: str) -> str:
    return f'"{column}"'


def _sql_value(value: object) -> object:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and value != value:  # NaN
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _where(table: str, filters: dict) -> tuple[str, list]:
    """SQL WHERE for the shared filters; unknown filter names are an error, not ignored."""
    known = {"date_from", "date_to", "countries", "adm1", "min_precision", "max_geo_precision",
             "kinds", "min_confidence", "text", "article_id"}
    unknown = set(filters) - known
    if unknown:
        raise TypeError(f"unknown filter(s): {', '.join(sorted(unknown))}")
    date_column = "t.event_date" if table == "incidents" else "i.event_date"
    clauses: list[str] = []
    params: list = []
    if filters.get("date_from"):
        clauses.append(f"{date_column} >= ?")
        params.append(str(filters["date_from"])[:10])
    if filters.get("date_to"):
        clauses.append(f"{date_column} <= ?")
        params.append(str(filters["date_to"])[:10])
    if countries := _as_list(filters.get("countries")):
        codes = [str(c).upper() for c in countries]
        marks = ",".join("?" * len(codes))
        clauses.append(f"(t.adm0_iso3 IN ({marks}) OR t.country IN ({marks}))")
        params += codes + codes
    if adm1 := _as_list(filters.get("adm1")):
        clauses.append(f"t.adm1_iso IN ({','.join('?' * len(adm1))})")
        params += [str(a).upper() for a in adm1]
    precision = filters.get("max_geo_precision") or filters.get("min_precision")
    if precision:
        clauses.append("t.geo_precision <= ?")
        params.append(int(precision))
    if kinds := _as_list(filters.get("kinds")):
        clauses.append(f"t.kind IN ({','.join('?' * len(kinds))})")
        params += kinds
    if filters.get("min_confidence") is not None:
        clauses.append("t.confidence >= ?")
        params.append(float(filters["min_confidence"]))
    if filters.get("article_id"):
        clauses.append("t.article_id = ?")
        params.append(filters["article_id"])
    if filters.get("text"):
        clauses.append("(instr(lower(a.text), lower(?)) > 0 OR instr(lower(coalesce(a.title, "
                       "'')), lower(?)) > 0)")
        params += [filters["text"], filters["text"]]
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _batches(items: Iterable, size: int) -> Iterator[list]:
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
