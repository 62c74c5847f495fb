"""Metrics on hand-made documents where every number can be checked by hand."""

from __future__ import annotations

import math

import pytest

from geo.evaluate import (
    DEFAULT_KINDS,
    Pred,
    auc,
    evaluate,
    format_table,
    haversine_km,
    match_exact,
    match_lenient,
    predictions_from,
)
from geo.types import Mention


def gold(start, end, name, lat=None, lon=None):
    return {"start": start, "end": end, "name": name, "lat": lat, "lon": lon}


def test_haversine_known_distances():
    assert haversine_km(0, 0, 0, 1) == pytest.approx(111.195, rel=1e-3)
    assert haversine_km(51.5074, -0.1278, 48.8566, 2.3522) == pytest.approx(343.5, rel=1e-2)


def test_lenient_match_rule():
    g = [gold(10, 16, "Sonora"), gold(40, 46, "Sonora")]
    preds = [Pred(12, 18, "sonora", None, None), Pred(100, 106, "Sonora", None, None)]
    assert match_lenient(g, preds) == [(0, 0)]  # centre within 10 chars, case ignored; far one unmatched
    assert match_lenient([gold(0, 6, "Sonora")], [Pred(0, 7, "Sonora.", None, None)]) == []  # strings differ
    assert match_exact(g, [Pred(40, 46, "Sonora", None, None)]) == 1


def test_each_gold_and_prediction_match_once():
    g = [gold(0, 6, "Sonora"), gold(3, 9, "Sonora")]
    preds = [Pred(0, 6, "Sonora", None, None)]
    assert len(match_lenient(g, preds)) == 1


def test_auc_bounds():
    assert auc([0.0, 0.0]) == 0.0
    assert auc([20039.0, 20039.0]) == pytest.approx(1.0, rel=1e-4)
    assert 0 < auc([1.0, 100.0, 1000.0]) < 1


def test_modified_regions_are_scored_on_the_place_name():
    text = "Fires in southern California."
    m = Mention(9, 28, "southern California", kind="modified_region", lat=34.0, lon=-118.0)
    org = Mention(0, 5, "Fires", kind="org_embedded")
    (p,) = predictions_from([m, org], text, DEFAULT_KINDS)
    assert (p.start, p.end, p.name) == (18, 28, "California")


def test_evaluate_end_to_end_numbers():
    docs = [{
        "id": "d1", "text": "Sonora and Texas and Paris.",
        "toponyms": [gold(0, 6, "Sonora", 29.5, -110.5), gold(11, 16, "Texas", 31.0, -99.0),
                     gold(21, 26, "Paris", 33.66, -95.56)],
    }]

    def fake_parse(text, published):
        return [
            Mention(0, 6, "Sonora", lat=29.6, lon=-110.4),  # ~14 km off: correct
            Mention(21, 26, "Paris", lat=48.85, lon=2.35),  # Paris, France: far
            Mention(11, 16, "Texas", kind="demonym", lat=31.0, lon=-99.0),  # not counted by default
        ]

    lines = []
    res = evaluate(docs, fake_parse, {"default": DEFAULT_KINDS, "dem": DEFAULT_KINDS + ("demonym",)},
                   errors_out=lines.append)
    d = res["default"]
    assert d["precision"] == 1.0 and d["recall"] == pytest.approx(2 / 3)
    assert d["acc161"] == 0.5 and d["e2e161"] == pytest.approx(1 / 3)
    assert d["median_km"] == pytest.approx((haversine_km(29.5, -110.5, 29.6, -110.4)
                                            + haversine_km(33.66, -95.56, 48.85, 2.35)) / 2)
    assert res["dem"]["recall"] == 1.0 and res["dem"]["e2e161"] == pytest.approx(2 / 3)
    report = "".join(lines)
    assert "MISSED   'Texas'" in report and "FAR      'Paris'" in report
    assert "default" in format_table(res) and not math.isnan(d["auc"])
