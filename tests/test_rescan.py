"""geo.rescan.PatternSet: the same matches as each pattern's own finditer, in one scan."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import categories, dates
from geo.rescan import PatternSet

ROOT = Path(__file__).resolve().parent.parent
SETS = {"categories": categories._SCAN, "dates": dates._SCAN}


def assert_same(scan: PatternSet, text: str) -> None:
    starts = scan.starts(text)
    for index, pattern in enumerate(scan.patterns):
        expected = [(m.span(), m.groupdict()) for m in pattern.finditer(text)]
        got = [(m.span(), m.groupdict()) for m in scan.finditer(index, text, starts)]
        assert got == expected, (pattern.pattern[:60], text[:200])


def sample_texts() -> list[str]:
    texts = []
    for path in sorted((ROOT / "data" / "sample").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").split("\n"):
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(record, dict) and isinstance(record.get("text"), str):
                texts.append(f"{record.get('title') or ''}\n{record['text']}")
    return texts


@pytest.mark.parametrize("name", SETS)
def test_same_matches_on_the_sample_corpus(name: str) -> None:
    texts = sample_texts()
    assert len(texts) > 50
    for text in texts:
        assert_same(SETS[name], text)


@pytest.mark.parametrize("name", SETS)
def test_same_matches_on_real_news(name: str, shared_dir: Path) -> None:
    """Every text of LGL and the ECB+ dev topics (real news, English)."""
    texts = []
    for corpus in ("lgl.jsonl", "events_ecbplus_dev.jsonl"):
        for line in (shared_dir / "eval" / corpus).read_text(encoding="utf-8").split("\n"):
            if not line.strip():
                continue
            record = json.loads(line)
            texts.append(f"{record.get('title') or ''}\n{record.get('text') or ''}")
    assert len(texts) > 1000
    for text in texts:
        assert_same(SETS[name], text)


# fragments the patterns care about (triggers, month and day words, digits, Spanish, accents,
# word glue), shuffled with punctuation: overlaps and near misses between the patterns
_FRAGMENTS = ["bomb", "car bomb", "ed", "s", "ing", "air strike", "drone attacks", "gunmen",
              "kidnapped", "Jan.", "January", "March", "may", "12", "3rd", "2024", "2024-03-05",
              "last", "this past", "week", "weekend", "Monday", "yesterday", "days ago", "two",
              "el pasado", "lunes", "hace", "tres", "días", "de", "marzo", "del", "explosión",
              "sequía", "_", "x", "é", "'s", "-", " ", " ", "  ", ",", ".", "\n", "of", "in",
              "early", "mid-", "crash", "plane crash", "flood", "inundación", "strike workers"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=40), st.sampled_from(list(SETS)),
       st.booleans())
def test_same_matches_on_generated_text(parts: list[str], name: str, upper: bool) -> None:
    text = "".join(parts)
    assert_same(SETS[name], text.upper() if upper else text)


def test_patterns_must_open_on_a_word_boundary() -> None:
    with pytest.raises(ValueError, match="word pattern"):
        PatternSet([re.compile(r"\bok\b"), re.compile(r"(?:x|y)")])
