"""The parse pipeline: named steps, trace, batch form, offsets (property-based), bad input."""

from __future__ import annotations

import random

import pytest
from geoparse_fixture import build_tiny_gazetteer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.geoparse_index import build_index
from geo.parse import Parser


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return Parser(index=build_index(build_tiny_gazetteer(tmp_path_factory.mktemp("gaz"))))


def test_steps_are_named_and_traced(tmp_path):
    parser = Parser(index=build_index(build_tiny_gazetteer(tmp_path)), debug=True)
    assert [name for name, _ in parser.steps] == ["mask", "language", "match", "classify", "resolve", "prune", "regions", "mentions"]
    parser.parse("Jesus Humberto Limon left Sonora for Texas.")
    trace = dict(parser.trace)
    assert any(c[0] == "Limon" and c[4] and c[4].startswith("person") for c in trace["classify"])
    assert {m["surface"] for m in trace["mentions"]} == {"Sonora", "Texas"}
    assert set(parser.timings) == {name for name, _ in parser.steps}


def test_debug_snapshots_are_not_timed(tmp_path):
    """Each step's time is its own: with debug=True the snapshot taken after a step counts
    neither for it nor for the next step."""
    parser = Parser(index=build_index(build_tiny_gazetteer(tmp_path)), debug=True)
    ticks = iter(range(1000))
    parser.clock = lambda: float(next(ticks))
    parser.parse("Floods in Sonora.")
    # one clock read before the first step, then per step: its end, and the end of its snapshot
    assert parser.timings == {name: 1.0 for name, _ in parser.steps}


WORDS = ["Sonora", "Mexico", "Mexican", "southern", "California", "U.S.", "Springfield,", "Illinois",
         "Paris", "the", "Reading", "#Sonora", "Sinaloa", "Cartel", "Mr.", "said", "Georgia's", "<b>",
         "</b>", "é", "\r\n", "\n", "’s", "-", "Culiacán", "CA", ",", ".", "\x00", "\ufffd"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=6)), max_size=40),
       st.sampled_from([" ", "", "  ", "\t"]))
def test_offsets_always_index_the_original_text(tiny, words, sep):
    text = sep.join(words)
    for m in tiny.parse(text):
        assert text[m.start:m.end] == m.surface
        assert 0 <= m.start < m.end <= len(text)


@pytest.fixture(scope="module")
def real(real_gazetteer_dir):
    from geo.parse import default_parser

    return default_parser()


def test_parse_many_real(real):
    from geo.parse import parse_many

    out = parse_many(["Floods in Sonora.", "", b"Texas \xff rain"], published="2024-01-22")
    assert [[m.surface for m in ms] for ms in out] == [["Sonora"], [], ["Texas"]]


@pytest.mark.parametrize("text", ["", "   \n\n", "\x00\x01\x02", "<<<>>>", "&&&;;;", "#", "'s"])
def test_degenerate_input(real, text):
    assert real.parse(text) == []


def test_binary_garbage_and_invalid_utf8(real):
    rnd = random.Random(7)
    blob = bytes(rnd.randrange(256) for _ in range(200_000))
    mentions = real.parse(blob)
    text = blob.decode("utf-8", errors="replace")
    assert all(text[m.start:m.end] == m.surface for m in mentions)


def test_html_tags_are_not_places(real):
    html = ('<html><head><style>.Texas{color:red}</style><script>var Mexico=1;</script></head>'
            '<body><div class="Sonora" data-x="Alaska"><p>Flooding in <b>Sonora</b> &amp; '
            '<a href="https://example.com/Texas">read</a></p></div></body></html>')
    mentions = real.parse(html)
    assert [(m.surface, html[m.start:m.end]) for m in mentions] == [("Sonora", "Sonora")]
    assert html.index("<b>Sonora") + 3 == mentions[0].start


def test_other_language_and_mixed_line_endings(real):
    text = "Las lluvias afectaron a Sonora y Sinaloa.\r\nEl gobierno de México respondió.\rFin.\n"
    got = {m.surface: m.country for m in real.parse(text)}
    assert got.get("Sonora") == "MX" and got.get("México") == "MX"


def test_five_megabytes(real):
    chunk = ("Officials in Sonora said on Monday that Mr. Smith met the Mexican envoy. " * 70)
    text = chunk * (5_000_000 // len(chunk))
    mentions = real.parse(text)
    assert len(mentions) > 1000
    assert all(text[m.start:m.end] == m.surface for m in mentions[:50] + mentions[-50:])


def test_a_long_line_without_spaces(real):
    text = "x" * 1_000_000 + "Sonora" + "/" * 100_000 + "." * 100_000
    assert real.parse(text) == []  # glued to a word: no boundary, no place


def test_unclosed_script_and_comment_blocks(real):
    # unclosed blocks used to be retried at every opening tag (quadratic); now one pass
    text = "<script>" * 50_000 + "<!--" * 50_000 + " Floods hit Sonora. <style>.a{}</style> Texas"
    got = [(m.surface, text[m.start:m.end]) for m in real.parse(text)]
    assert got == [("Sonora", "Sonora"), ("Texas", "Texas")]


def test_missing_gazetteer_is_a_clear_error(tmp_path):
    from geo.gazetteer import GazetteerMissingError

    with pytest.raises(GazetteerMissingError, match="geo gazetteer build"):
        Parser(db_path=tmp_path / "nope" / "gazetteer.sqlite")


def test_corrupt_gazetteer_is_a_clear_error(tmp_path):
    from geo.gazetteer import GazetteerMissingError

    db = tmp_path / "gazetteer.sqlite"
    db.write_bytes(b"this is not a database" * 100)
    with pytest.raises(GazetteerMissingError, match="unreadable"):
        Parser(db_path=db)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.sampled_from(WORDS + ["Texas", "L.A.", "Washington,", "D.C.", "north-east",
                                                  "Nigeria's", "#NewYork", "Bank", "of", "America"]),
                          st.text(max_size=5)), max_size=30))
def test_offsets_on_the_real_gazetteer(real, words):
    text = " ".join(words)
    for m in real.parse(text):
        assert text[m.start:m.end] == m.surface
        assert m.kind in ("toponym", "demonym", "modified_region", "org_embedded", "supranational")
        assert m.lat is None or (-90 <= m.lat <= 90 and -180 <= m.lon <= 180)


def test_mentions_take_one_form_whatever_their_path(real, shared_dir):
    """A resolved name without a modifier is made straight from its place's fields; every other
    mention goes through Parser._mention. Both paths give the same mention for such a name,
    also in documents with a derived region ("southern X") beside it."""
    import json

    texts = [json.loads(line)["text"] for line in (shared_dir / "eval" / "lgl.jsonl").open(encoding="utf-8")
             if line.strip()][:60]
    texts.append("Storms hit southern California and Texas; the European Union and Culiacán, Sinaloa sent help.")
    compared = 0
    for text in texts:
        doc = real.run(text)
        made = iter(doc.mentions)
        for c in doc.candidates:
            if c.drop is not None:
                continue
            mention = next(made)
            res = doc.resolutions.get(id(c))
            if res is not None and res.place is not None and c.modifier is None:
                assert mention.to_dict() == real._mention(doc, c, res).to_dict()
                compared += 1
    assert compared > 500
