"""Ingest: batches of articles -> parse (optionally in a worker pool) -> dedup -> corrections
-> one vectorised admin join per batch -> rows written, each article in its own savepoint.

The same content twice is a no-op (content hash). A race with another writer over the same
article (two ingests at once) counts it as already present, not as rejected.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from geo.events import EventReport
from geo.gazetteer import GazetteerMissingError
from geo.incidents import IncidentChoice
from geo.join import AdminBoundaries, join_mentions
from geo.read import ArticleRecord, Reject
from geo.store.backend import StoreBackend, chunks, marks
from geo.store.corrections import apply_corrections, corrections_for
from geo.store.events import merge, reports_of_article, write_reports
from geo.store.schema import MENTION_COLUMNS
from geo.types import Mention

if TYPE_CHECKING:
    from geo.store import IncidentStore

Parser = Callable[[str, date | None], list[Mention]]
# mentions, incident choice, error text, language
ParseResult = tuple[list[Mention] | None, IncidentChoice | None, str | None, str | None]


@dataclass
class IngestReport:
    read: int = 0
    stored: int = 0
    already_present: int = 0
    rejected: int = 0
    rejects: list[Reject] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (source, note): kept, but noted
    seconds: float = 0.0
    # content hashes another writer stored between our check and our insert (counted present)
    lost_races: list[str] = field(default_factory=list)
    # wall seconds per write phase (rows, merge incl. merge_lock_wait, commit)
    phase_seconds: dict[str, float] = field(default_factory=dict)
    partition_timings: list[dict] = field(default_factory=list)  # Dask tasks' timings

    def reject(self, item: Reject) -> None:
        self.rejected += 1
        self.rejects.append(item)

    def summary(self) -> str:
        return (f"read {self.read}, stored {self.stored}, already present "
                f"{self.already_present}, rejected {self.rejected} ({self.seconds:.1f} s)")


def parse_text(text: str, published: date | None) -> list[Mention]:
    """The one place the pipeline calls the geoparser (geo.parse, another module)."""
    return parse_article(text, published)[0]


def parse_article(text: str, published: date | None,
                  language: str | None = None) -> tuple[list[Mention], str | None]:
    """Mentions and the article's language (detected by the parser unless given)."""
    from geo.parse import default_parser

    doc = default_parser().run(text, published.isoformat() if published else None, language)
    return doc.mentions, doc.language


def parse_job(job: tuple[Parser | None, str, date | None, str | None]) -> ParseResult:
    """(mentions, incident choice, None, language) or (None, None, error text, None). Runs in
    the workers when there are some, so the incident choice is parallel too."""
    parser, text, published, language = job
    try:
        if parser is None:
            mentions, language = parse_article(text, published, language)
        else:  # a caller's parser (tests, benchmarks): the language is detected here
            from geo.nlp.language import detect_language

            mentions, language = parser(text, published), language or detect_language(text)
    except GazetteerMissingError:
        raise  # a setup problem, not a bad article: stop with the build hint
    except Exception as exc:  # noqa: BLE001 - one bad article must not stop the run
        return None, None, f"{type(exc).__name__}: {exc}", None
    return mentions, None, None, language  # events are extracted after the admin join


def ingest(store: IncidentStore, records: Iterable[ArticleRecord | Reject], batch_size: int = 100,
           progress: Callable[[IngestReport], None] | None = None,
           workers: int = 1) -> IngestReport:
    """Parse, join, choose the incident and write; rejects (from reading) are counted.

    With workers > 1 the geoparser runs in forked worker processes, one batch ahead of the
    join and write in this process (which stays the only writer). Forking suits the CLI;
    multi-threaded callers (the Streamlit app) keep workers=1."""
    report = IngestReport()
    started = time.perf_counter()
    pool = _parse_pool(store, workers) if workers > 1 else None
    in_flight: dict[str, str] = {}  # content hash -> article id, parsed but not yet written
    pending: tuple[list[ArticleRecord], Callable[[], list[ParseResult]]] | None = None

    def finish(batch: list[ArticleRecord], results: Callable[[], list[ParseResult]]) -> None:
        finish_batch(store, batch, results(), report)
        for done in batch:  # written (or rejected): the database knows now
            in_flight.pop(done.content_hash, None)
        if progress:
            progress(report)

    try:
        for articles in article_batches(records, batch_size, report):
            fresh = new_articles(store.backend, articles, report, in_flight)
            in_flight.update((a.content_hash, a.article_id) for a in fresh)
            started_parse = _start_parse(store, fresh, pool)
            if pending:
                finish(*pending)
            pending = (fresh, started_parse)
            if pool is None:  # serial: nothing to overlap, write this batch now
                finish(*pending)
                pending = None
        if pending:
            finish(*pending)
    finally:
        if pool is not None:
            pool.terminate()
    report.seconds = time.perf_counter() - started
    return report


def _parse_pool(store: IncidentStore, workers: int) -> Any:
    """Forked workers inherit the parser already loaded here (no reload per worker)."""
    import multiprocessing

    if store.parser is None:
        parse_text("Warm-up in Paris.", None)
    return multiprocessing.get_context("fork").Pool(workers)


def _start_parse(store: IncidentStore, articles: list[ArticleRecord], pool: Any | None,
                 ) -> Callable[[], list[ParseResult]]:
    """Parse now (no pool) or in the background; returns a function giving the results."""
    jobs = [(store.parser, a.text, a.published_date, a.language) for a in articles]
    if pool is None:
        results = [parse_job(job) for job in jobs]
        return lambda: results
    handle = pool.map_async(parse_job, jobs, chunksize=max(1, len(jobs) // 8))
    return handle.get


def existing(backend: StoreBackend, column: str, values: set[str]) -> set[str]:
    """Which of `values` the articles table already holds in `column`."""
    found: set[str] = set()
    for chunk in chunks(sorted(values)):
        rows = backend.execute(
            f"SELECT {column} FROM articles WHERE {column} IN ({marks(len(chunk))})", chunk)
        found.update(r[0] for r in rows.fetchall())
    return found


def new_articles(backend: StoreBackend, articles: list[ArticleRecord], report: IngestReport,
                 in_flight: dict[str, str] | None = None) -> list[ArticleRecord]:
    """Articles to store; the rest are already present (same content) or rejected (an id the
    store already has for other content)."""
    in_flight = in_flight or {}
    hashes = {a.content_hash for a in articles}
    ids = {a.article_id for a in articles}
    known_hashes = existing(backend, "content_hash", hashes) | (hashes & in_flight.keys())
    known_ids = existing(backend, "article_id", ids) | (ids & set(in_flight.values()))
    fresh, seen = [], set()
    for article in articles:
        digest = article.content_hash
        if digest in known_hashes or digest in seen:
            report.already_present += 1
        elif article.article_id in known_ids:
            report.reject(_id_taken(article))
        else:
            seen.add(digest)
            known_ids.add(article.article_id)
            fresh.append(article)
    return fresh


def _id_taken(article: ArticleRecord) -> Reject:
    return Reject(article.source_path or "", f"article id {article.article_id!r} is already "
                  "in the store with different text", article.article_id)


@dataclass
class PreparedArticle:
    """An article ready to write: its mentions joined to the admin units (records and shapes
    parallel to mentions) and its incident choice. Picklable: Dask workers send these to a
    GeoPackage's one writer."""

    article: ArticleRecord
    mentions: list[Mention]
    records: list[dict]
    shapes: list
    choice: IncidentChoice | None


def finish_batch(store: IncidentStore, fresh: list[ArticleRecord], results: list[ParseResult],
                 report: IngestReport) -> None:
    """Corrections, one vectorised admin join for the batch, then one transaction with a
    savepoint per article."""
    if not fresh:
        return
    corrections = corrections_for(store.backend, {a.content_hash for a in fresh}, store.place)
    prepared = prepare_batch(fresh, results, corrections, store.boundaries, report)
    write_prepared(store.backend, prepared, report, store.merge)


def prepare_batch(fresh: list[ArticleRecord], results: list[ParseResult],
                  corrections: dict[str, list[dict]], boundaries: AdminBoundaries,
                  report: IngestReport) -> list[PreparedArticle]:
    """Pure: parse failures become rejects, corrections are applied (and the incident chosen
    again), and all mentions are joined to the admin units in one vectorised join."""
    parsed: list[tuple[ArticleRecord, list[Mention], IncidentChoice | None]] = []
    for article, (mentions, choice, error, language) in zip(fresh, results, strict=True):
        if error is not None or mentions is None:
            report.reject(Reject(article.source_path or "", f"geoparser failed: {error}",
                                 article.article_id))
            continue
        if article.content_hash in corrections:  # corrected mentions: choose again
            mentions = apply_corrections(article.text, mentions,
                                         corrections[article.content_hash])
            choice = None
        article.language = article.language or language
        parsed.append((article, mentions, choice))
    joined = join_mentions([m for _, ms, _ in parsed for m in ms], boundaries)
    # plain lists: slicing pandas frames per article costs more than the parse
    records = joined.drop(columns="geometry").to_dict("records")
    shapes = list(joined.geometry.array)
    prepared, offset = [], 0
    for article, mentions, choice in parsed:
        span = slice(offset, offset + len(mentions))
        offset += len(mentions)
        prepared.append(PreparedArticle(article, mentions, records[span], shapes[span], choice))
    return prepared


def write_prepared(backend: StoreBackend, prepared: list[PreparedArticle],
                   report: IngestReport, merge_events: bool = True) -> None:
    """One transaction; each article fully in or fully out; then the batch's event reports
    join incidents (geo.store.events.merge) in the same transaction.

    The batch's rows go in a few statements (one per table, `write_together`): per-article
    statements cost the server more than the rows themselves. Should that fail (one article's
    bad value), the batch is written again one article at a time, each in its own savepoint,
    so only that article is rejected."""
    if not prepared:
        return
    phases = report.phase_seconds
    started = time.perf_counter()
    with backend.transaction():
        try:
            with backend.savepoint():
                reports, lost = write_together(backend, prepared)
        except (*backend.errors, ValueError, TypeError):
            reports = write_one_by_one(backend, prepared, report)
        else:
            report.stored += len(prepared) - len(lost)
            for article in lost:
                _count_lost_race(backend, article, report)
        merging = time.perf_counter()
        _add(phases, "rows", merging - started)
        merge(backend, reports, merge_events, phases)
        committing = time.perf_counter()
        _add(phases, "merge", committing - merging)  # merge_lock_wait included
    _add(phases, "commit", time.perf_counter() - committing)


def write_together(backend: StoreBackend, prepared: list[PreparedArticle],
                   ) -> tuple[list[EventReport], list[ArticleRecord]]:
    """The batch's articles, mentions and event reports, a few statements per table (the
    same rows, in the same order, as one article at a time). Returns the written reports and
    the articles another writer stored first (not written here)."""
    written = insert_articles(backend, [item.article for item in prepared])
    rows, reports = [], []
    for item in prepared:
        if item.article.article_id in written:
            article_rows, article_reports = _rows_and_reports(item.article, item.mentions,
                                                              item.records, item.shapes)
            rows += article_rows
            reports += article_reports
    if rows:
        backend.insert_rows("mentions", rows)
    lost = [item.article for item in prepared if item.article.article_id not in written]
    return write_reports(backend, reports), lost


def write_one_by_one(backend: StoreBackend, prepared: list[PreparedArticle],
                     report: IngestReport) -> list[EventReport]:
    """Each article in its own savepoint: one that cannot be stored is rejected alone."""
    reports: list[EventReport] = []
    for item in prepared:
        article = item.article
        try:
            with backend.savepoint():
                if not insert_article(backend, article):
                    _count_lost_race(backend, article, report)
                    continue
                written = write_mentions_and_reports(backend, article, item.mentions,
                                                     item.records, item.shapes)
            reports += written
            report.stored += 1
        except (*backend.errors, ValueError, TypeError) as exc:
            report.reject(Reject(article.source_path or "", f"could not store: {exc}",
                                 article.article_id))
    return reports


def _add(phases: dict[str, float], name: str, seconds: float) -> None:
    phases[name] = phases.get(name, 0.0) + seconds


_ARTICLE_INSERT = ("INSERT INTO articles (article_id, content_hash, title, url, source, "
                   "published, text, source_path, notes, ingested_at, language) VALUES ")
_ARTICLE_MARKS = "(?,?,?,?,?,?,?,?,?,?,?)"


def _article_values(article: ArticleRecord) -> tuple:
    return (article.article_id, article.content_hash, article.title, article.url,
            article.source, article.published, article.text, article.source_path,
            "; ".join(article.notes) or None, now(), article.language)


def insert_article(backend: StoreBackend, article: ArticleRecord) -> bool:
    """Insert the article row; False when another writer stored the same id or content first."""
    cursor = backend.execute(_ARTICLE_INSERT + _ARTICLE_MARKS + " ON CONFLICT DO NOTHING",
                             _article_values(article))
    return cursor.rowcount == 1


def insert_articles(backend: StoreBackend, articles: list[ArticleRecord]) -> set[str]:
    """Insert the article rows, one statement per 100; returns the ids written (the others:
    another writer stored the same id or content first)."""
    written: set[str] = set()
    for chunk in chunks(articles, 100):
        rows = backend.execute(
            _ARTICLE_INSERT + ",".join([_ARTICLE_MARKS] * len(chunk))
            + " ON CONFLICT DO NOTHING RETURNING article_id",
            [v for article in chunk for v in _article_values(article)]).fetchall()
        written.update(r[0] for r in rows)
    return written


def _count_lost_race(backend: StoreBackend, article: ArticleRecord,
                     report: IngestReport) -> None:
    """Another writer got there first: same content is already present, other content under
    the same id is a reject, as if we had seen it before parsing."""
    if existing(backend, "content_hash", {article.content_hash}):
        report.already_present += 1
        report.lost_races.append(article.content_hash)
    else:
        report.reject(_id_taken(article))


def write_mentions_and_reports(backend: StoreBackend, article: ArticleRecord,
                               mentions: list[Mention], records: list[dict], shapes: list,
                               ) -> list[EventReport]:
    """Insert the joined mentions (records + shapes, parallel to `mentions`) and the
    article's event reports; their incidents come from `merge`."""
    rows, reports = _rows_and_reports(article, mentions, records, shapes)
    backend.insert_rows("mentions", rows)
    return write_reports(backend, reports)


def _rows_and_reports(article: ArticleRecord, mentions: list[Mention], records: list[dict],
                      shapes: list) -> tuple[list[dict], list[EventReport]]:
    """An article's mentions rows and its event reports (linked to those rows' ids)."""
    rows, mention_ids = mention_rows(article, mentions, records, shapes)
    return rows, reports_of_article(article.article_id, article.title, article.text, mentions,
                                    mention_ids, article.published_date)


def mention_rows(article: ArticleRecord, mentions: list[Mention], records: list[dict],
                 shapes: list) -> tuple[list[dict], list[str]]:
    """The mentions table's rows of an article's joined mentions, and their ids."""
    mention_ids: list[str] = []
    seen: set[str] = set()
    rows = []
    for mention, record, geometry in zip(mentions, records, shapes, strict=True):
        mention_id = f"{article.article_id}:{mention.start}-{mention.end}"
        while mention_id in seen:
            mention_id += "+"
        seen.add(mention_id)
        mention_ids.append(mention_id)
        row = {c: sql_value(record.get(c)) for c, _ in MENTION_COLUMNS}
        row.update(mention_id=mention_id, article_id=article.article_id, geom=geometry)
        rows.append(row)
    return rows, mention_ids


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z"


def sql_value(value: object) -> object:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and value != value:  # NaN
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def article_batches(records: Iterable[ArticleRecord | Reject], size: int,
                    report: IngestReport) -> Iterator[list[ArticleRecord]]:
    """Batches of `size` articles; every item read is counted, rejects from reading are
    reported and reading notes kept as they pass."""
    batch: list[ArticleRecord] = []
    for item in records:
        report.read += 1
        if isinstance(item, Reject):
            report.reject(item)
            continue
        report.notes.extend((item.source_path or item.article_id, n) for n in item.notes)
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
