"""The per-key name codes made at index build (geo.name_verdict) give what the rules decide
for a name in its usual written form (a capital first, not all capitals, no '#')."""

from __future__ import annotations

import pytest
from geoparse_fixture import build_tiny_gazetteer

from geo import extract, name_verdict
from geo.geoparse_index import build_index, load_index
from geo.name_verdict import NameProfile, _profile_drop, coded, decide, packed_facts, usual_key
from geo.nlp import lexicon
from geo.reasons import Drop


def _fields(p: NameProfile | None) -> tuple | None:
    return None if p is None else tuple(getattr(p, f) for f in NameProfile.__slots__)


def _decided(index, key_id: int) -> tuple:
    """decide() for a key's usual form, and coded() beside it."""
    entries = index.entries_of(key_id)
    key = usual_key(index.tables.keys[key_id])
    by_rules = decide(key, entries, packed_facts(entries, index), True, False, False, index,
                      lexicon.common_word_zipf())
    return by_rules, coded(key, entries, index)


def _check_key(index, key_id: int) -> None:
    by_rules, by_code = _decided(index, key_id)
    assert by_code is not None, key_id
    (sure, verdict, narrowed, found), (sure2, verdict2, narrowed2, found2) = by_rules, by_code
    assert sure2 == sure and verdict2 is verdict and narrowed2 == narrowed, key_id
    assert (narrowed2 is index.entries_of(key_id)) == (narrowed is index.entries_of(key_id))
    assert _fields(found2) == _fields(found), key_id


def test_real_index_codes_give_what_the_rules_decide(real_gazetteer_dir):
    index = load_index()
    ids = [code >> 2 for code in index.key_ids.values() if code & 1]
    for key_id in ids[::173]:  # a spread of some 3,000 names
        _check_key(index, key_id)
    # common words, personal names, bare counties, demonyms, codes, weak alternate names, titles
    for key in ("scott", "georgia", "paris", "u.s.", "mexican", "washington county", "clay", "jordan",
                "march", "reuters", "mr", "hamas", "jim", "cuba", "china", "turkey", "springfield", "texas",
                "new york", "st. louis", "la", "usa", "chad", "mobile", "reading", "bath", "nice"):
        if index.key_id(key) is not None and index.entries(key):
            _check_key(index, index.key_id(key))


def test_codes_are_made_for_every_key_with_entries_and_survive_the_files(tmp_path):
    db = build_tiny_gazetteer(tmp_path / "gaz")
    in_memory, loaded = build_index(db), load_index(db)
    assert (in_memory.tables.name_codes == loaded.tables.name_codes).all()
    for code in loaded.key_ids.values():
        key_id = code >> 2
        assert bool(loaded.name_code_at(key_id)) == bool(loaded.entries_of(key_id))
        if code & 1:
            _check_key(loaded, key_id)


def test_a_key_in_another_written_form_or_a_copy_of_its_entries_takes_the_rules(real_gazetteer_dir):
    index = load_index()
    entries = index.entries("new york")
    assert coded("new york", entries, index) is not None
    assert coded("new-york", entries, index) is None  # one index key, but not its usual form
    assert coded("new york", tuple(list(entries)), index) is None  # not the index's tuple


def test_every_profile_drop_survives_its_code():
    for demonym in (False, True):
        for reasons in ((Drop.COMMON_WORD_SENTENCE_START, Drop.COMMON_WORD, None, Drop.ALT_NAME_UNLIKE),
                        (None, Drop.COMMON_WORD_SMALL_PLACES, Drop.USED_IN_LOWER_CASE, Drop.ALT_NAME_SMALL_PLACE),
                        (None, None, None, Drop.ALT_NAME_ENGLISH_WORD), (None, None, None, Drop.ALT_NAME_PERSONAL),
                        (None, None, None, None)):
            drops = [None if r is None else _profile_drop(r, "clay") for r in reasons]
            p = NameProfile(demonym, True, False, True, demonym, *drops)
            code = name_verdict._encode_profile(p, "clay")
            assert _fields(name_verdict._decode_profile(code, "clay")) == _fields(p)
    with pytest.raises(ValueError):  # a reason the layout has no place for
        name_verdict._encode_profile(NameProfile(False, False, False, False, False, _profile_drop(
            Drop.TITLE, "clay"), None, None, None), "clay")


def test_classification_is_the_same_with_and_without_the_codes(real_gazetteer_dir, monkeypatch):
    """Every candidate of a text (verdict, entries, kind, drop) as the rules alone decide it."""
    text = ("Scott Clay of Paris, Texas, said on Monday that Jordan and the U.S. had met in "
            "Mobile. Reading police, Georgia officials and Mexican workers in Washington County "
            "told Reuters the NEW YORK office of Hamas was shut; #Texas and Cuba agreed.")
    index = load_index()
    index.name_memo.clear()

    def classified():
        cands = extract.classify_candidates(text, extract.find_candidates(text, text, index), index)
        return [(c.start, c.end, c.key, c.entries, c.kind, c.drop, c.modifier, list(c.notes)) for c in cands]

    with_codes = classified()
    index.name_memo.clear()
    monkeypatch.setattr(name_verdict, "coded", lambda *_: None)
    assert classified() == with_codes
    index.name_memo.clear()
