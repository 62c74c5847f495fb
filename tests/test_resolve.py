"""Ranking candidates with document context (tiny gazetteer) and on the real gazetteer."""

from __future__ import annotations

import pytest
from geoparse_fixture import build_tiny_gazetteer
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.geoparse_index import build_index
from geo.parse import Parser


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return Parser(index=build_index(build_tiny_gazetteer(tmp_path_factory.mktemp("gaz"))))


def resolved(parser: Parser, text: str) -> dict[str, tuple]:
    return {m.surface: (m.name, m.level, m.country, m.admin1_iso) for m in parser.parse(text)}


def test_georgia_follows_its_context(tiny):
    us = resolved(tiny, "Storms hit Texas and Georgia on Monday.")
    assert us["Georgia"][2:] == ("US", "US-GA")
    caucasus = resolved(tiny, "Georgia and France signed a treaty; a Georgian minister spoke.")
    assert caucasus["Georgia"][1:3] == ("country", "GE")


def test_country_name_never_resolves_to_a_town(tiny):
    assert resolved(tiny, "Troops left Mexico.")["Mexico"][1] == "country"


def test_comma_container_pattern(tiny):
    got = resolved(tiny, "He lives in Springfield, Illinois, not in Missouri.")
    assert got["Springfield"][3] == "US-IL"
    got = resolved(tiny, "He lives in Springfield, Missouri, far from Illinois.")
    assert got["Springfield"][3] == "US-MO"


def test_one_sense_per_document(tiny):
    mentions = Parser.parse(tiny, "Paris, Texas is small. Later, Paris held a fair.")
    assert {(m.name, m.country) for m in mentions if m.surface == "Paris"} == {("Paris", "US")}


def test_washington_alone_in_politics_is_the_capital(tiny):
    got = resolved(tiny, "Lawmakers in Washington debated the federal budget with the White House.")
    assert got["Washington"][1] == "place" and got["Washington"][3] == "US-DC"
    got = resolved(tiny, "Wildfires burned in Washington state near Missouri towns.")
    assert got["Washington"][1] == "admin1"


def test_evidence_and_confidence(tiny):
    (m,) = [m for m in tiny.parse("He lives in Springfield, Illinois.") if m.surface == "Springfield"]
    assert "comma" in m.evidence and 0 < m.confidence <= 1
    assert m.precision == "place"


def test_candidates_for_ranks_alternatives(real_gazetteer_dir):
    from geo.parse import candidates_for

    plain = candidates_for("Springfield")
    assert len(plain) > 3 and all(p.name for p in plain)
    in_context = candidates_for("Springfield", "Officials in Springfield, Illinois said on Monday.")
    assert in_context[0].admin1_iso == "US-IL"
    assert candidates_for("Qwxzv") == []


def test_real_gazetteer_resolutions(real_gazetteer_dir):
    from geo.parse import parse

    got = {m.surface: m for m in parse("Gunmen attacked Culiacan, Sinaloa, and police in Springfield, "
                                       "Illinois responded. Russia's envoy visited #Nigeria.")}
    assert got["Culiacan"].admin1_iso == "MX-SIN" and got["Culiacan"].level == "place"
    assert got["Springfield"].admin1_iso == "US-IL"
    assert got["Russia"].country == "RU" and got["Russia"].level == "country"
    assert got["Nigeria"].country == "NG"


def test_a_name_read_in_another_country_votes_again(real_gazetteer_dir):
    """"Georgia" first counts as the country, is then read as the US state: the state's
    capital must not lose to a small Texas namesake because Texas is named once."""
    from geo.parse import parse

    text = ("ATLANTA - A new hotline for Georgia residents could cover the whole state next year, "
            "officials said. The Georgia Public Service Commission will vote on it in Atlanta. "
            "A similar line in Texas reached a million callers, according to the United States "
            "census of services.")
    got = {m.surface: m for m in parse(text)}
    assert got["Georgia"].admin1_iso == "US-GA"
    assert got["Atlanta"].admin1_iso == "US-GA" and got["ATLANTA"].admin1_iso == "US-GA"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["Congress", "senate", "White House", "federal", "federalist", "diplomats",
                                 "legislat", "legislature", "the", "xgovernment", "government_", "Ministry",
                                 "PENTAGON", " ", ".", "_", "é", "\n", "\u212a", "ſenate", "İ", "ı", "µ", "Ministère",
                                 "parlıament", "lawma\u212aers"]), max_size=8))
def test_political_test_agrees_with_the_regex(words):
    """The fast political-news test gives the answer of the gated whole-text regex."""
    from geo.resolve import _POLITICAL_WORDS, POLITICAL, _political

    head = "".join(words)
    assert _political(head) == (any(w in head.lower() for w in _POLITICAL_WORDS) and bool(POLITICAL.search(head)))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["state", "State", "STATE", "province", " of", " OF", "of", "  ", "\n", "\t",
                                 " the", "x", "é", "\u00a0"]), max_size=7))
def test_state_of_test_agrees_with_the_regex(parts):
    from geo.resolve import STATE_OF, _state_of_before

    window = "".join(parts)[-20:]
    assert _state_of_before(window) == bool(STATE_OF.search(window))


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["state", "State", "STATE", "ſtate", "province", "Province", " ", "  ", "\n", ",",
                                 "the", "The", "x", "s", "p", "t", "T", "é", "\u00a0", "1", "of", ".", ";", "(", "\x1c",
                                 "region", "Oblast", "governorate", "PREFECTURE", "r", "o", "G"]), max_size=7),
       st.integers(0, 3))
def test_state_word_test_agrees_with_the_regex(parts, end):
    """The quick "X state" test gives the answer of matching STATE_WORD on the 20 characters after the name."""
    from geo.resolve import STATE_WORD, _state_word_after

    text = "Name" + "".join(parts)
    end = min(end + 4, len(text))
    assert _state_word_after(text, end) == bool(STATE_WORD.match(text[end:end + 20]))


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["state", "State", "province", " of", " OF", "of", "oF", "f", " ", "  ", "\n", ",",
                                 ".", "(", "x", "é", "\u00a0", "\x1c", "the"]), max_size=7))
def test_state_of_prefilter_agrees_with_the_regex(parts):
    """The character test before a name never rejects a text where "state of" precedes it."""
    from geo.resolve import _NOT_OF_END, STATE_OF

    text = "".join(parts) + "Name"
    start = len(text) - 4
    window = text[max(0, start - 20):start]
    if start > 0 and text[start - 1].isspace() and text[start - 2:start - 1] in _NOT_OF_END:
        assert not STATE_OF.search(window)


SECOND_PASS_TEXTS = [
    # "Georgia" first votes for the country, is then read as the US state: a second pass
    "ATLANTA - A new hotline for Georgia residents could cover the whole state next year, officials said. "
    "The Georgia Public Service Commission will vote on it in Atlanta. A similar line in Texas reached a "
    "million callers, according to the United States census. Savannah, Macon and Augusta follow; "
    "Paris and London were asked too, and Springfield, Illinois, and Athens replied.",
    "Georgia and Armenia met in Tbilisi. Athens, Georgia, and Rome, Georgia, sent mayors; Paris, Texas, "
    "did not. Columbus and Albany were named, and so were Moscow and Kiev.",
    # towns dwarfed by a city of their name, with and without their state or county named
    "Chicago beat Atlanta 4-2. Lincoln, in Logan County, and Paris cheered; Riverside, Austin and "
    "Georgia did not, nor did Clinton, Iowa, or Madrid.",
]


def test_second_pass_reads_again_only_what_it_can_change(real_gazetteer_dir, monkeypatch):
    """Names whose context did not change keep their first reading in the second pass: the
    result is the same, field by field, as reading every name again (on LGL too when the
    dev corpora are here: its local stories move many names in the second pass)."""
    import json

    import geo.resolve as R
    from geo import paths
    from geo.parse import default_parser

    parser = default_parser()
    lgl = paths.shared_dir() / "eval" / "lgl.jsonl"
    texts = SECOND_PASS_TEXTS + ([json.loads(line)["text"] for line in lgl.open(encoding="utf-8") if line.strip()]
                                 if lgl.exists() else [])

    def resolutions(text):
        doc = parser.run(text)
        return [(c.surface, c.start, r.place.id if r.place else None, r.confidence, r.evidence,
                 [(s, row.id) for s, row in r.ranked], sorted(r.support), r.matched_kind, r.other_countries)
                for c in doc.candidates if (r := doc.resolutions.get(id(c)))]

    calls = []
    real_resolve_group = R._resolve_group
    monkeypatch.setattr(R, "_resolve_group", lambda *a, **k: calls.append(1) or real_resolve_group(*a, **k))
    reused = [resolutions(t) for t in texts]
    n_reused = len(calls)
    monkeypatch.setattr(R, "_same_context", lambda *a, **k: False)
    calls.clear()
    everything = [resolutions(t) for t in texts]
    assert reused == everything
    assert n_reused < len(calls)  # some names were not read again


def test_what_is_kept_per_name_leaves_the_garbage_collector_alone(real_gazetteer_dir):
    """A name's static reading facts, its ranking's priors and kinds, its local points and
    tried readings and the countries and admin-1s its readings can get a bonus from are kept
    for every name met: they hold
    numbers and strings only (no place row), so that after a collection the garbage collector
    no longer tracks them (a full collection walks every tracked object), and they still say
    what the rows say; so do those read from the index's name records."""
    import gc

    import geo.key_ranking as K
    from geo.parse import default_parser

    index = default_parser().index
    for key in ("springfield", "georgia", "washington", "mexico"):
        entries = index.entries(key)
        for from_record in (False, True):
            memo = {} if from_record else {("from index", key): True}  # (worked out here)
            readings = K.ranked_readings(entries, index, key, True, False, memo)
            points, tried = K.local_points(entries, index, key, memo)
            kept = [*readings.static, readings.countries, readings.admin1_codes, readings.has_admin1_rival,
                    *points, *tried]
            if not from_record:
                _rows, priors, kinds = K._rank_once(entries, index, key, memo)
                kept += [priors, kinds]
            gc.collect()
            gc.collect()  # (a tuple holding a tuple is let go in the collection after the inner one's)
            assert kept and not any(gc.is_tracked(t) for t in kept), key
            rows = readings.rows
            assert set(readings.countries) == {r.country for r in rows if r.level != "region"}
            assert {t[0] for t in tried} <= {r.id for r in rows} | {r.id for r in K.towns_named_like_country(
                entries, index, key, memo)}
            assert all(p[3] == index.places[t[0]].name for p, t in zip(points, tried, strict=False))


def test_name_records_hold_what_the_resolver_works_out(real_gazetteer_dir):
    """What the index build stored per name (geo.key_ranking.name_record) is what the same
    functions work out at run time, on the real index: for a sample of keys, and for names
    news often holds (many readings, after-comma aliases, bare-county alternate names, towns
    a country's name hides), the readings of both comma variants, the vote, the towns and the
    local points, for the key's own entries and for them narrowed as classification does."""
    import random

    import geo.key_ranking as K
    from geo.name_verdict import without_bare_county
    from geo.parse import default_parser

    index = default_parser().index
    keys = [k for k in ("springfield", "georgia", "washington", "peru", "lebanon", "clay", "scott", "paris",
                        "ga", "new york", "la") if index.key_id(k) is not None]
    with_entries = [i for i in range(0, len(index.tables.keys), 97) if index.name_record(i) is not None]
    keys += [index.name_record(i)[0] for i in random.Random(3).sample(with_entries, 300)]
    checked = narrowed_checked = 0
    for key in keys:
        own = index.entries(key)
        for entries in {own, without_bare_county(own, index)}:
            if not entries:
                continue
            stored: dict = {}
            if not K.worth_a_record(entries):  # (no record: worked out)
                assert not K.from_index(entries, index, key, stored), key
                continue
            assert K.from_index(entries, index, key, stored), key
            worked: dict = {("from index", key): True}
            for after_comma in (True, False):
                got = K.ranked_readings(entries, index, key, after_comma, False, stored)
                assert got == K.ranked_readings(entries, index, key, after_comma, False, worked), key
                assert all(a is b for a, b in zip(got.rows, [index.places[r.id] for r in got.rows], strict=True))
            assert K.voter(entries, index, key, stored) == K.voter(entries, index, key, worked), key
            assert K.towns_named_like_country(entries, index, key, stored) == K.towns_named_like_country(
                entries, index, key, worked), key
            assert K.local_points(entries, index, key, stored) == K.local_points(entries, index, key, worked), key
            checked += 1
            narrowed_checked += entries is not own
    assert checked > 300 and narrowed_checked >= 1
    # a key written otherwise than the name the record was made for is worked out, not read
    key_id = index.key_id("port said")
    if key_id is not None and index.name_record(key_id)[0] != "port said":
        assert not K.from_index(index.entries("port said"), index, "port said", {})


def test_near_countries_agree_with_measuring(real_gazetteer_dir):
    """A reading's countries whose point lies within W.near_km (NearTable, among its static
    facts, which the scores test against a document's countries) are those measuring every
    country point finds, for real places and for points near the poles and the antimeridian."""
    import random

    import geo.key_ranking as K
    from geo.parse import default_parser

    index = default_parser().index
    table = K.NearTable(index.country_points)
    rng = random.Random(11)
    places = [index.places.row(i) for i in rng.sample(range(len(index.places)), 2000)]
    spots = [(rng.uniform(-90, 90), rng.uniform(-180, 180)) for _ in range(1000)]
    spots += [(la + rng.uniform(-4, 4), lo + rng.uniform(-4, 4)) for la, lo in index.country_points.values()]
    spots += [(rng.choice((-1, 1)) * rng.uniform(80, 90), rng.uniform(-180, 180)) for _ in range(200)]
    spots += [(rng.uniform(-60, 70), rng.choice((-1, 1)) * rng.uniform(175, 180)) for _ in range(200)]
    found_some = 0
    for n, (lat, lon) in enumerate([(p.lat, p.lon) for p in places] + spots):
        near = table.countries_near(-n - 1, lat, lon)
        expected = {cc for cc, (la, lo) in index.country_points.items() if K.within_near_km(lat, lon, la, lo)}
        assert set(near) == expected, (lat, lon)
        found_some += bool(near)
    assert found_some > 500


def test_row_memo_keeps_one_value_per_row_through_its_bound_and_threads():
    """RowMemo keeps values by id(row) with the rows kept alive beside them: a value found is
    always the one put for that very row, across the bound that starts it afresh and with
    threads putting and reading at once (new rows are made and dropped all along, so ids of
    dead rows would be reused if a value outlived its row)."""
    from concurrent.futures import ThreadPoolExecutor

    from geo.geoparse_index import PlaceRow
    from geo.resolve import RowMemo

    memo = RowMemo(64)

    def work(seed: int) -> int:
        wrong = 0
        for i in range(3000):
            row = PlaceRow(seed * 10_000 + i, "X", "place", "PPL", "US", "", "", "", i, 0.0, 0.0)
            found = memo.values.get(id(row))
            if found is not None and found != row.id:
                wrong += 1
            memo.put(row, id(row), row.id)
            if memo.values.get(id(row)) not in (row.id, None):
                wrong += 1
        return wrong

    with ThreadPoolExecutor(4) as pool:
        assert sum(pool.map(work, range(8))) == 0
    assert len(memo.values) <= 64


def test_round_3_is_round_to_three_decimals():
    """Confidences are rounded by scaling (round() goes through a decimal string): the same
    floats as round(x, 3), also at and next to the ties k/2000."""
    import math
    import random

    from geo.resolve import round_3

    rng = random.Random(3)
    xs = [rng.random() for _ in range(100_000)] + [rng.uniform(0, 999) for _ in range(20_000)]
    for k in range(2001):
        tie = k / 2000
        xs += [tie, math.nextafter(tie, 0), math.nextafter(tie, 1), k / 1000]
    xs += [0.0, 0.99, 0.9, 0.9995, 999.9995]
    assert [round_3(x) for x in xs] == [round(x, 3) for x in xs]
