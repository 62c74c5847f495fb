"""Merging event reports across articles into incidents, explainably and deterministically.

Two reports can be one event when their places fit (same admin unit or one inside the other,
within a distance fitting their precisions), their dates fit (within their time precisions),
their categories fit, and their texts are alike. Reports that cannot be one event (different
admin-1 units, dates further apart than their precisions allow) do not merge: same-kind events
in the same region at different times, or in different places the same day, stay apart. Only
near-identical wording of two whole articles overrules a place misfit, or dates months apart
(one of them then more likely misread), and lowers the score instead.

Incidents are average-linkage clusters over the graph of compatible reports whose score
passes MERGE_SCORE (`cluster_reports`: a batch, or the whole store on a rebuild). Its result
depends only on the set of reports (components are found from the set, each is clustered in a
fixed order), never on their order. An incremental ingest clusters the new batch so, then
attaches each new cluster to the stored incident it fits best on average (`attach`), comparing
it with a bounded number of that incident's members: the work per new report does not grow
with the store.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from geo.categories import LABELS, compatible
from geo.distance import haversine_km
from geo.events import EventReport
from geo.eventtext import cosine

MERGE_SCORE = 0.20
# days two event dates may differ, by the vaguer time precision (1 day, 2 week, 3 month)
DATE_TOLERANCE = {1: 3, 2: 8, 3: 45}
STATED_DAYS = 6  # two stated event dates further apart than this are two events
YEAR_GAP = 2  # undated reports whose latest named years differ this much are less alike
FOLLOW_UP_DAYS = 60  # report dates this far apart are never one event
DATE_PENALTY, PLACE_PENALTY = 0.12, 0.0
# km two points may be apart, by the vaguer geo precision (1 place, 2 admin-2)
PLACE_DISTANCE_KM = {1: 60.0, 2: 150.0}
# Bonuses for fitting places and categories did not help on ECB+ (reports of the two events
# of a topic share both), so they are zero; a fitting date does help.
PLACE_BONUS, NEAR_BONUS, DATE_BONUS, CATEGORY_BONUS, CATEGORY_PENALTY = 0.0, 0.0, 0.08, 0.0, 0.15
TOKEN_KEYS = 8  # index keys per report: its most weighted words
CANDIDATES_PER_KEY = 24  # stored reports looked up per index key of a new report
CANDIDATES = 12  # of which compared: those sharing the most keys, then the nearest in time
REPRESENTATIVES = 16  # members of a stored incident a new cluster is compared with
SMALL_GROUP = 30  # blocks up to this size compare their pairs one by one
INCOMPATIBLE = 1.0  # distance given to pairs that cannot be one event (no likeness)
STRICT = True
# Reports worded this alike (text cosine) are one event even when the places or dates we picked
# for them misfit: our place and date picks fail more often than near-identical wording does
# (a wrong sense of a town name, a birth date read as the event's). The misfit then lowers
# the score by MISFIT_PENALTY instead of ruling the merge out.
OVERRULE_TEXT, MISFIT_PENALTY = 0.45, 0.10
# One report dated, the other not: no date evidence either way, and undated reports are often
# older news, so the pair needs more likeness than two that are dated alike.
UNDATED_PENALTY = 0.08


@dataclass
class Link:
    """How two reports compare: a score (None when they cannot be one event) and why."""

    score: float | None
    text: float
    reason: str
    far: bool = False  # stated dates too far apart to link blocks (see _components)


def _latest_year(r: EventReport) -> int | None:
    if r.event_date:
        return r.event_date.year
    return max(r.years) if r.years else None


def compare(a: EventReport, b: EventReport, text: float | None = None) -> Link:
    """Score two reports as one event, or rule it out, with the reason in words (`text`: their
    text similarity when already known)."""
    text = cosine(a.vector, b.vector) if text is None else float(text)
    if a.article_id == b.article_id:  # the article itself tells them apart
        return Link(None, text, "two events told apart by one article")
    score = text
    far = False
    # only an article's main report is worded as a whole article; a further report shares its
    # article's title, so its likeness does not single out its event
    alike = text >= OVERRULE_TEXT and a.index == 0 and b.index == 0
    why = [f"text similarity {text:.2f}"]
    # when: dates further apart than their precisions allow rule a merge out when both are
    # stated as event dates; a date that is only the report's own date (publication) bounds
    # the event from above, since follow-up reports come days or weeks later
    # precise reports of a known kind of incident (an attack in a town, a flood in a
    # district) must fit in place and date; for other news the place and date picked are
    # less sure, so a misfit only lowers the score
    strict = STRICT and a.category != "other" and b.category != "other" and \
        max(a.geo_precision or 4, b.geo_precision or 4) <= 2
    if a.event_date and b.event_date:
        days = abs((a.event_date - b.event_date).days)
        tolerance = DATE_TOLERANCE.get(max(a.time_precision or 3, b.time_precision or 3), 45)
        anchored = a.published is not None and b.published is not None
        if days <= tolerance:
            score += DATE_BONUS
            why.append(f"dates {days} day(s) apart (within {tolerance})")
        elif anchored and (days > FOLLOW_UP_DAYS or strict and a.date_stated and
                           b.date_stated and days > STATED_DAYS):
            misfit = (f"dates {a.event_date} and {b.event_date} are {days} days apart, beyond "
                      f"the {tolerance} their precisions allow")
            # within the follow-up window two stated dates are trusted (a near-identical
            # report a week later is the next attack); months or years apart, one of them is
            # more likely a background date read as the event's
            if not alike or days <= FOLLOW_UP_DAYS:
                return Link(None, text, misfit)
            score -= MISFIT_PENALTY
            why.append(f"{misfit}, but worded alike")
        else:
            score -= DATE_PENALTY * (2 if days > 365 else 1)
            why.append(f"dates {days} days apart (a follow-up, or a date of the background)")
            far = anchored and a.date_stated and b.date_stated and days > STATED_DAYS
    elif a.event_date or b.event_date:
        score -= UNDATED_PENALTY
        why.append("one report undated")
    if not (a.event_date and b.event_date):
        ya, yb = _latest_year(a), _latest_year(b)
        if ya and yb and abs(ya - yb) >= YEAR_GAP:
            score -= DATE_PENALTY
            why.append(f"latest years named {ya} and {yb}")
    # where
    misfit = None
    if a.country and b.country:
        if a.country != b.country:
            misfit = f"different countries ({a.country}, {b.country})"
        elif a.admin1 and b.admin1 and a.admin1 != b.admin1:
            misfit = f"different admin-1 units ({a.admin1}, {b.admin1})"
        else:
            precise = max(a.geo_precision or 4, b.geo_precision or 4)
            if precise <= 2 and None not in (a.lat, b.lat):
                km = haversine_km(a.lat, a.lon, b.lat, b.lon)
                if km > PLACE_DISTANCE_KM[precise]:
                    misfit = f"places {km:.0f} km apart"
                else:
                    score += NEAR_BONUS
                    why.append(f"places {km:.0f} km apart")
            if misfit is None and a.admin1 and a.admin1 == b.admin1:
                score += PLACE_BONUS
                why.append(f"same admin-1 {a.admin1}")
            elif misfit is None and (a.admin1 or b.admin1):
                why.append(f"{a.place_name or a.country} and {b.place_name or b.country} "
                           "contain one another")
    if misfit and strict and not alike:
        return Link(None, text, misfit)
    if misfit and strict:
        score -= MISFIT_PENALTY
        why.append(f"{misfit}, but worded alike")
    elif misfit:
        score -= PLACE_PENALTY
        why.append(misfit)
    # what
    fit = compatible(a.category, b.category)
    if fit == 0.0:
        score -= CATEGORY_PENALTY
        why.append(f"categories differ ({a.category}, {b.category})")
    elif fit == 1.0 and a.category != "other":
        score += CATEGORY_BONUS
        why.append(f"same category {a.category}")
    return Link(score, text, "; ".join(why), far)


def index_keys(r: EventReport) -> list[str]:
    """Where to find a report's possible partners: its place at admin-1 (or country) and its
    most telling words. Lookups add a date window (see EventIndex.candidates)."""
    keys = []
    if r.admin1 or r.country:
        keys.append(f"place:{r.admin1 or r.country}")
    words = sorted(r.vector.items(), key=lambda kv: (-kv[1], kv[0]))[:TOKEN_KEYS]
    keys.extend(f"word:{w}" for w, _ in words)
    return keys


def date_window(r: EventReport) -> tuple[int, int] | None:
    """Ordinal days within which a partner's event date must lie (None: undated)."""
    if not r.event_date:
        return None
    tolerance = DATE_TOLERANCE[3]
    return (r.event_date.toordinal() - tolerance, r.event_date.toordinal() + tolerance)


class EventIndex:
    """In-memory candidate index: key -> reports, looked up within a date window."""

    def __init__(self) -> None:
        self.postings: dict[str, list[EventReport]] = defaultdict(list)

    def add(self, r: EventReport) -> None:
        for key in index_keys(r):
            self.postings[key].append(r)

    def candidates(self, r: EventReport) -> list[EventReport]:
        window = date_window(r)
        found: dict[tuple[str, int], EventReport] = {}
        for key in index_keys(r):
            for other in self.postings.get(key, ()):
                if other.key == r.key or other.key in found:
                    continue
                if window and other.event_date and \
                        not window[0] <= other.event_date.toordinal() <= window[1]:
                    continue
                found[other.key] = other
        return [found[k] for k in sorted(found)]


@dataclass
class Incident:
    """One real-world event and the reports that tell it."""

    id: str
    reports: list[EventReport]
    reasons: dict[tuple[str, int], str] = field(default_factory=dict)
    similarity: dict[tuple[str, int], float] = field(default_factory=dict)
    confidence: float = 1.0
    component: str = ""  # the block of linked reports it was clustered in
    replaces: tuple[str, ...] = ()  # stored incidents it takes the place of (it grew from them)

    @property
    def article_ids(self) -> list[str]:
        return sorted({r.article_id for r in self.reports})

    @property
    def source_count(self) -> int:
        return len(self.article_ids)

    @property
    def first_reported(self) -> date | None:
        dates = [r.published for r in self.reports if r.published]
        return min(dates) if dates else None

    @property
    def anchor(self) -> EventReport:
        """The report whose place and date stand for the incident: the most specific place
        of the most reported admin unit, then the most precise date, then the earliest key."""
        units = Counter(r.admin1 or r.country for r in self.reports if r.country)
        top = max(units, key=lambda u: (units[u], u)) if units else None
        pool = [r for r in self.reports if (r.admin1 or r.country) == top] or self.reports
        return min(pool, key=lambda r: (r.geo_precision or 9, r.time_precision or 9,
                                        r.event_date or date.max, r.key))

    @property
    def category(self) -> str:
        votes = Counter(r.category for r in self.reports if r.category != "other")
        return max(votes, key=lambda c: (votes[c], c)) if votes else "other"

    @property
    def category_evidence(self) -> str:
        cat = self.category
        return next((f"{LABELS[cat]}: {r.category_evidence}" for r in sorted(
            self.reports, key=lambda r: r.key) if r.category == cat), "no trigger word")


def incident_id(reports: Iterable[EventReport]) -> str:
    """A stable id from the incident's first report (by article id and index):
    "inc:<article id>", or "inc:<article id>#<n>" for an article's further events."""
    article_id, index = min(r.key for r in reports)
    return f"inc:{article_id}" + (f"#{index}" if index else "")


class MinRootSets:
    """Union-find whose root is a set's smallest member, so groups get deterministic names."""

    def __init__(self, items: Iterable = ()) -> None:
        self.parent = {k: k for k in items}

    def find(self, k):
        while self.parent.setdefault(k, k) != k:
            self.parent[k] = self.parent[self.parent[k]]
            k = self.parent[k]
        return k

    def union(self, a, b) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _components(reports: list[EventReport], links: dict) -> list[list[EventReport]]:
    sets = MinRootSets(r.key for r in reports)
    for (ka, kb), link in links.items():
        # blocks are linked by pairs that fit in time too: a report a week later may still
        # join a block's incident by average linkage, but it does not chain blocks together
        if link.score is not None and link.score >= MERGE_SCORE and not link.far:
            sets.union(ka, kb)
    groups: dict = defaultdict(list)
    for r in reports:
        groups[sets.find(r.key)].append(r)
    return [sorted(g, key=lambda r: r.key) for g in groups.values()]


def text_matrix(reports: list[EventReport]):  # -> scipy.sparse.csr_matrix
    """The reports' unit vectors as rows of a sparse matrix (row products are cosines)."""
    from scipy.sparse import csr_matrix

    vocabulary: dict[str, int] = {}
    indptr, indices, data = [0], [], []
    for r in reports:
        for word, weight in r.vector.items():
            indices.append(vocabulary.setdefault(word, len(vocabulary)))
            data.append(weight)
        indptr.append(len(indices))
    return csr_matrix((data, indices, indptr), shape=(len(reports), max(len(vocabulary), 1)))


def _average_linkage(group: list[EventReport], links: dict) -> list[list[int]]:
    """Average-linkage clusters (indexes into group) cut at MERGE_SCORE; deterministic."""
    n = len(group)
    if n == 1:
        return [[0]]
    import numpy as np
    from scipy.cluster.hierarchy import fcluster, linkage

    texts = None
    if n > SMALL_GROUP:  # all pairs of a big block: one sparse product
        matrix = text_matrix(group)
        texts = (matrix @ matrix.T).toarray()
    dist = np.zeros(n * (n - 1) // 2)
    k = 0
    for i in range(n):
        for j in range(i + 1, n):
            link = links.get((group[i].key, group[j].key)) or \
                compare(group[i], group[j], None if texts is None else texts[i, j])
            dist[k] = INCOMPATIBLE if link.score is None else max(0.0, 1.0 - link.score)
            k += 1
    labels = fcluster(linkage(dist, "average"), 1.0 - MERGE_SCORE, "distance")
    out: dict[int, list[int]] = defaultdict(list)
    for i, label in enumerate(labels):
        out[label].append(i)
    return sorted(out.values())


def explain(incident: Incident, links: dict) -> None:
    """Why each report is in its incident: its best link to another member."""
    members = sorted(incident.reports, key=lambda r: r.key)
    if len(members) == 1:
        r = members[0]
        incident.reasons[r.key] = "first report: no other report of this event"
        incident.similarity[r.key] = 1.0
        incident.confidence = 0.5
        return
    scores = []
    for r in members:
        best = None
        for o in members:
            if o.key == r.key:
                continue
            pair = (min(r.key, o.key), max(r.key, o.key))
            link = links.get(pair) or compare(r, o)
            if link.score is not None and (best is None or link.score > best[0].score):
                best = (link, o)
        if best is None:
            incident.reasons[r.key] = "joined by average linkage"
            incident.similarity[r.key] = 0.0
            continue
        link, other = best
        incident.reasons[r.key] = f"matches {other.article_id}: {link.reason}"
        incident.similarity[r.key] = round(link.score, 3)
        scores.append(link.score)
    mean = sum(scores) / len(scores) if scores else 0.0
    incident.confidence = round(min(1.0, 0.5 + mean), 3)


def cluster_reports(reports: list[EventReport]) -> list[Incident]:
    """Incidents from reports, the same whatever their order."""
    reports = sorted(reports, key=lambda r: r.key)
    index = EventIndex()
    links: dict = {}
    for r in reports:
        for other in index.candidates(r):  # few per report: plain cosines beat matrix setup
            pair = (min(r.key, other.key), max(r.key, other.key))
            first, second = (r, other) if r.key < other.key else (other, r)
            links[pair] = compare(first, second)
        index.add(r)
    incidents = []
    for group in _components(reports, links):
        block = "blk:" + incident_id(group)[4:]
        for members in _average_linkage(group, links):
            chosen = [group[i] for i in members]
            incident = Incident(incident_id(chosen), chosen, component=block)
            explain(incident, links)
            incidents.append(incident)
    return sorted(incidents, key=lambda i: i.id)


def linkage_score(members: list[EventReport], others: list[EventReport]) -> float:
    """The average score of all pairs across two groups, counted as average linkage counts it
    (a pair that cannot be one event counts 0)."""
    total = 0.0
    for a in members:
        for b in others:
            first, second = (a, b) if a.key < b.key else (b, a)
            link = compare(first, second)
            total += 1.0 - (INCOMPATIBLE if link.score is None else max(0.0, 1.0 - link.score))
    return total / max(1, len(members) * len(others))


def attach(new: list[Incident], stored: dict[str, list[EventReport]],
           options: dict[str, set[str]]) -> dict[str, list[str]]:
    """Which stored incidents each new incident (a cluster of a new batch) joins. Of the ones
    its reports link to (`options`: new id -> stored ids), the one whose representatives
    (`stored`: id -> up to REPRESENTATIVES members) it fits best on average, if that passes
    MERGE_SCORE; then any other of them that fits the two together as well (the new reports
    bridge two incidents of one event, as average linkage would join them). A new incident
    that fits none stays an incident of its own. Returns new id -> stored ids, best first.
    Ties go to the smaller id, so it is deterministic."""
    out = {}
    for incident in sorted(new, key=lambda i: i.id):
        scored = sorted((-linkage_score(incident.reports, stored[i]), i)
                        for i in options.get(incident.id, ()) if stored.get(i))
        if not scored or -scored[0][0] < MERGE_SCORE:
            continue
        group = incident.reports + stored[scored[0][1]]
        out[incident.id] = [scored[0][1]] + [
            i for value, i in scored[1:]
            if -value >= MERGE_SCORE and linkage_score(group, stored[i]) >= MERGE_SCORE]
    return out


def explain_joined(incident: Incident, joined: list[EventReport],
                   others: list[EventReport]) -> None:
    """Why each report of `joined` is in the incident: its best link to `others` (the
    incident's representatives and the other new reports)."""
    for r in sorted(joined, key=lambda r: r.key):
        best = None
        for o in others:
            if o.key == r.key:
                continue
            first, second = (r, o) if r.key < o.key else (o, r)
            link = compare(first, second)
            if link.score is not None and (best is None or link.score > best[0].score):
                best = (link, o)
        if best is None:
            incident.reasons[r.key] = "joined by average linkage"
            incident.similarity[r.key] = 0.0
        else:
            incident.reasons[r.key] = f"matches {best[1].article_id}: {best[0].reason}"
            incident.similarity[r.key] = round(best[0].score, 3)
