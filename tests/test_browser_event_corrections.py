"""End to end in Debian's Chromium: split one source out of a multi-source incident in the
browser and see the incident count change (the app on a real store of data/sample/2024-q4,
offline: every request that would leave localhost is aborted and recorded)."""

from __future__ import annotations

import json
import urllib.parse

import pytest
from test_browser import (  # noqa: F401 - `browser` and `page` are fixtures used by name
    _incident_count,
    _open_tab,
    _wait_for_app,
    browser,
    page,
)
from test_browser_events import events_server, events_store  # noqa: F401 - fixtures

from geo.store import IncidentStore

pytestmark = pytest.mark.browser
GUNFIGHT = "sample-0076"  # data/README.md: three outlets on one gunfight in Culiacán


def test_split_a_source_out_in_the_browser(events_server, events_store, page) -> None:  # noqa: F811
    url, store = events_server, events_store
    with IncidentStore(store) as s:
        incidents = s.incidents()
    target = next(r for _, r in incidents.iterrows()
                  if GUNFIGHT in json.loads(r["article_ids"]))
    assert target["source_count"] == 3
    page.goto(f"{url}/?sel={urllib.parse.quote(target['incident_id'])}")
    _wait_for_app(page)
    before = _incident_count(page)
    _open_tab(page, "Correct")
    button = page.get_by_role("button", name="Split this source out")
    button.wait_for(timeout=60_000)
    button.click()
    page.get_by_text("Split: the source is an incident of its own now.").wait_for(timeout=60_000)
    page.wait_for_function(
        """(before) => [...document.querySelectorAll('[data-testid="stMetric"]')].some(m =>
            m.innerText.includes('Incidents') &&
            parseInt(m.querySelector('[data-testid="stMetricValue"]').innerText.replace(/,/g, ''))
            === before + 1)""", arg=before, timeout=60_000)
    assert _incident_count(page) == before + 1
    with IncidentStore(store) as s:
        after = s.incidents()
    assert len(after) == len(incidents) + 1
    assert sorted(after["source_count"].tolist()).count(3) == \
        sorted(incidents["source_count"].tolist()).count(3) - 1
    # the analyst can take it back: the undo button of the correction is there
    assert page.get_by_role("button", name="Undo").count() >= 1
    assert page.external_requests == []  # type: ignore[attr-defined]
